import { useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  Field,
  Input,
  MessageBar,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  tokens,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Spinner,
  Text,
} from '@fluentui/react-components';
import { dateGb, dateTimeGb, DEFAULT_TIME_ZONE } from '../vocabulary';
import type { Problem, Result } from './api';
import { useNarrow } from './nav';

/** Small shared pieces: loading a resource, showing a problem, key–value lists. All text, never HTML. */

export type Load<T> = { state: 'loading' } | { state: 'ok'; value: T } | { state: 'error'; problem: Problem };

/**
 * What a fetch gave, for the inputs it was asked with only: while the inputs (the person, the child, the
 * filter) have changed and the new answer is not in, it is loading — never the answer for the previous ones,
 * not even for the one render before the new fetch starts; an answer for inputs that have since changed is
 * dropped.
 */
export function useLoad<T>(fetcher: () => Promise<Result<T>>, deps: unknown[]): [Load<T>, () => void] {
  const [n, setN] = useState(0);
  const reload = useCallback(() => setN((x) => x + 1), []);
  const inputs = [...deps, n];
  const [held, setHeld] = useState<{ inputs: unknown[]; load: Load<T> } | null>(null);
  useEffect(() => {
    let live = true;
    void fetcher().then((r) => {
      if (live)
        setHeld({
          inputs,
          load: r.ok ? { state: 'ok', value: r.value } : { state: 'error', problem: r.problem },
        });
    });
    return () => {
      live = false;
    };
  }, inputs);
  const current =
    held !== null &&
    held.inputs.length === inputs.length &&
    held.inputs.every((d, i) => Object.is(d, inputs[i]));
  return [current ? held.load : { state: 'loading' }, reload];
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

/** A confirmation of what was just done, announced politely to screen readers; nothing when empty. */
export function SuccessNote({ text }: { text: string }) {
  if (!text) return null;
  return (
    <MessageBar intent="success" role="status">
      <MessageBarBody>{text}</MessageBarBody>
    </MessageBar>
  );
}

export function Loaded<T>({ load, children }: { load: Load<T>; children: (v: T) => ReactNode }) {
  if (load.state === 'loading') return <Spinner label="Loading…" />;
  if (load.state === 'error') return <ProblemBar problem={load.problem} />;
  return <>{children(load.value)}</>;
}

export function Facts({ facts }: { facts: [string, string][] }) {
  return (
    // The label column is as wide as its longest label but never more than 45% of the width: a long label wraps
    // (at 400 px a review's evidence label made the list 424 px wide).
    <dl
      style={{
        display: 'grid',
        gridTemplateColumns: 'fit-content(45%) minmax(0, 1fr)',
        gap: '2px 12px',
        margin: '4px 0',
      }}
    >
      {facts.map(([k, v], i) => (
        <div key={`${k}-${i}`} style={{ display: 'contents' }}>
          <dt style={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{k}</dt>
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

/** The signed-in person's profile's time zone (`/api/v1/me`), set by the app as soon as it is known and
 * before any view renders: every date the tab shows or proposes is on that calendar, never a fixed one. */
let serviceZone = DEFAULT_TIME_ZONE;
export const setServiceZone = (tz: string) => {
  serviceZone = tz;
};
/** A day in en-GB in the service's time zone: "15 January 2026". */
export const day = (iso: string | null | undefined) => dateGb(iso, serviceZone);
/** A moment in en-GB in the service's time zone: "15 January 2026, 14:05". */
export const moment = (iso: string | null | undefined) => dateTimeGb(iso, serviceZone);
/** Today in the service's time zone, as yyyy-mm-dd (a form's default day). */
export const today = () => new Date().toLocaleDateString('en-CA', { timeZone: serviceZone });

export interface Column<T> {
  label: string;
  render: (row: T) => ReactNode;
}

/** A table cell's words: whole, hyphenated where a long one must be; narrow padding, so a wide table of
 * many columns fits at 1280 px without breaking a word. */
const WORDS = {
  overflowWrap: 'normal',
  wordBreak: 'normal',
  hyphens: 'auto',
  paddingLeft: 4,
  paddingRight: 4,
} as const;

/**
 * A table on a wide page; on a narrow one (Teams mobile, the meeting side panel) each row becomes a block of
 * labelled lines, so nothing scrolls sideways and no header overlaps.
 */
export function DataTable<T>({
  label,
  columns,
  rows,
  rowKey,
}: {
  label: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, i: number) => string;
}) {
  const narrow = useNarrow();
  if (narrow)
    return (
      <ul aria-label={label} style={{ listStyle: 'none', padding: 0, margin: '4px 0' }}>
        {rows.map((r, i) => (
          <li
            key={rowKey(r, i)}
            style={{
              background: tokens.colorNeutralBackground1,
              border: `1px solid ${tokens.colorNeutralStroke2}`,
              borderRadius: 6,
              padding: '6px 10px',
              marginBottom: 6,
            }}
          >
            <dl
              style={{
                display: 'grid',
                gridTemplateColumns: 'minmax(6em, 40%) 1fr',
                gap: '2px 8px',
                margin: 0,
              }}
            >
              {columns.map((c) => (
                <div key={c.label} style={{ display: 'contents' }}>
                  <dt style={{ fontWeight: 600 }}>{c.label}</dt>
                  <dd style={{ margin: 0, minWidth: 0, overflowWrap: 'anywhere' }}>{c.render(r)}</dd>
                </div>
              ))}
            </dl>
          </li>
        ))}
      </ul>
    );
  return (
    <div style={{ overflowX: 'auto', maxWidth: '100%' }}>
      {/* Columns as wide as their words need (a fixed layout gave each an equal share and broke words
          mid-word: "Authorisin g officer"); a word is never broken, a long one is hyphenated. */}
      <Table size="small" aria-label={label} style={{ tableLayout: 'auto' }}>
        <TableHeader>
          <TableRow>
            {columns.map((c) => (
              <TableHeaderCell key={c.label} style={WORDS}>
                {c.label}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r, i) => (
            <TableRow key={rowKey(r, i)}>
              {columns.map((c) => (
                <TableCell key={c.label} style={WORDS}>
                  {c.render(r)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

const GB_DAY = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/;
const isoDay = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
/** "15/01/2026" → "2026-01-15"; undefined if it is not a real day. */
export function parseGbDay(text: string): string | undefined {
  const m = GB_DAY.exec(text);
  if (!m) return undefined;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return undefined;
  return isoDay(y, mo, d);
}
const gbOf = (iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso.split('-').reverse().join('/') : '');

/**
 * A day, written and shown the British way (day/month/year) whatever the browser's own language: the
 * browser's date field follows its locale (month first in en-US). Gives the parent an ISO day, or '' while
 * the field is empty or not yet a real day (said beside the field).
 */
export function DayInput({
  label,
  value,
  onChange,
  validationMessage,
  hint,
  required,
}: {
  label: string;
  value: string;
  onChange: (iso: string) => void;
  validationMessage?: string | undefined;
  /** Said under the field besides the day in words. */
  hint?: string | undefined;
  required?: boolean;
}) {
  const [text, setText] = useState(gbOf(value));
  useEffect(() => {
    if (parseGbDay(text) !== value && !(value === '' && text.trim() !== '')) setText(gbOf(value));
  }, [value]);
  const parsed = parseGbDay(text);
  const bad = text.trim() !== '' && !parsed;
  return (
    <Field
      label={label}
      required={required ?? false}
      hint={[parsed ? day(parsed) : 'Day/month/year, e.g. 15/01/2026', hint].filter(Boolean).join('. ')}
      validationMessage={
        bad ? 'Write the day as day/month/year, e.g. 15/01/2026.' : (validationMessage ?? undefined)
      }
    >
      <Input
        value={text}
        inputMode="numeric"
        placeholder="dd/mm/yyyy"
        onChange={(_e, d) => {
          setText(d.value);
          onChange(parseGbDay(d.value) ?? '');
        }}
        style={{ width: '12em', maxWidth: '100%' }}
      />
    </Field>
  );
}
