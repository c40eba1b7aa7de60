import { useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { Problem, Result } from './api';

/** Small shared pieces: loading a resource, showing a problem, bars, key–value lists. All text, never HTML. */

export type Load<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; problem: Problem };

export function useLoad<T>(fetcher: () => Promise<Result<T>>, deps: unknown[]): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [n, setN] = useState(0);
  const reload = useCallback(() => setN((x) => x + 1), []);
  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    void fetcher().then((r) => {
      if (live) setLoad(r.ok ? { state: 'ok', value: r.value } : { state: 'error', problem: r.problem });
    });
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return [load, reload];
}

export function ProblemBar({ problem }: { problem: Problem }) {
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        <MessageBarTitle>{problem.title}</MessageBarTitle>
        {problem.detail}
      </MessageBarBody>
    </MessageBar>
  );
}

export function Loaded<T>({ load, children }: { load: Load<T>; children: (v: T) => ReactNode }) {
  if (load.state === 'loading') return <Spinner label="Loading…" />;
  if (load.state === 'error') return <ProblemBar problem={load.problem} />;
  return <>{children(load.value)}</>;
}

/** A horizontal bar chart as a table: each row a label, a bar and its value (the value is the text). */
export function Bars({ caption, rows }: { caption: string; rows: { label: string; value: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <table style={{ borderCollapse: 'collapse', width: '100%', maxWidth: 640 }}>
      <caption style={{ textAlign: 'left', fontWeight: 600, paddingBottom: 4 }}>{caption}</caption>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th
              scope="row"
              style={{ textAlign: 'left', fontWeight: 400, padding: '2px 8px 2px 0', whiteSpace: 'nowrap' }}
            >
              {r.label}
            </th>
            <td style={{ width: '100%', padding: '2px 0' }} aria-hidden="true">
              <div
                style={{
                  width: `${(r.value / max) * 100}%`,
                  minWidth: r.value ? 2 : 0,
                  height: 14,
                  background: tokens.colorBrandBackground,
                  border: `1px solid ${tokens.colorBrandStroke1}`,
                  borderRadius: 2,
                }}
              />
            </td>
            <td style={{ textAlign: 'right', paddingLeft: 8, fontVariantNumeric: 'tabular-nums' }}>
              {r.value}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Facts({ facts }: { facts: [string, string][] }) {
  return (
    <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '2px 12px', margin: '4px 0' }}>
      {facts.map(([k, v], i) => (
        <div key={`${k}-${i}`} style={{ display: 'contents' }}>
          <dt style={{ fontWeight: 600 }}>{k}</dt>
          <dd style={{ margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Heading({ children, level = 2 }: { children: ReactNode; level?: 2 | 3 }) {
  return (
    <Text
      as={level === 2 ? 'h2' : 'h3'}
      size={level === 2 ? 600 : 400}
      weight="semibold"
      block
      style={{ margin: '16px 0 8px' }}
    >
      {children}
    </Text>
  );
}

export function Progress({ value, label }: { value: number | null; label: string }) {
  return <ProgressBar value={value ?? undefined} thickness="large" aria-label={label} />;
}

export const day = (iso: string) => iso.slice(0, 10);
