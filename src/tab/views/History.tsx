import { useMemo, useState } from 'react';
import {
  Badge,
  Button,
  Checkbox,
  Field,
  Input,
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import type { ChildRow } from '../../workflow/children-list';
import type { History, TimelineKind } from '../../workflow/history';
import type { Client } from '../api';
import { go } from '../App';
import { day, Facts, Heading, Loaded, useLoad } from '../common';

/** A child's history: pick a child, filter the timeline, and see who has read the record. */

const KINDS: [TimelineKind, string][] = [
  ['request', 'Requests'],
  ['refusal', 'Refusals'],
  ['decision', 'Decisions'],
  ['check', 'Checks'],
  ['consent', 'Consent'],
  ['reminder', 'Reminders'],
  ['objection', 'Objections'],
  ['ripa', 'RIPA'],
  ['view', 'Reads'],
];
const SHOWN = 200;

export function ChildPicker({
  api,
  onPick,
  label,
}: {
  api: Client;
  onPick: (id: string) => void;
  label: string;
}) {
  const [children] = useLoad(() => api.get<ChildRow[]>('/api/v1/children'), [api]);
  const [filter, setFilter] = useState('');
  return (
    <Loaded load={children}>
      {(rows) => {
        const f = filter.trim().toLowerCase();
        const hits = f ? rows.filter((c) => `${c.caseRef} ${c.displayName}`.toLowerCase().includes(f)) : rows;
        return (
          <div>
            <Field label={label}>
              <Input
                value={filter}
                onChange={(_e, d) => setFilter(d.value)}
                placeholder="Case reference or initials"
              />
            </Field>
            <ul aria-label="Children" style={{ columns: '14em', padding: 0, listStyle: 'none' }}>
              {hits.slice(0, SHOWN).map((c) => (
                <li key={c.id} style={{ padding: '2px 0' }}>
                  <Link onClick={() => onPick(c.id)}>{c.caseRef}</Link> {c.displayName}
                  {c.openObjection ? ' — objection open' : ''}
                </li>
              ))}
            </ul>
            {hits.length > SHOWN && <Text>{hits.length - SHOWN} more: narrow the search.</Text>}
          </div>
        );
      }}
    </Loaded>
  );
}

export function HistoryView({ api, childId }: { api: Client; childId: string | undefined }) {
  const [kinds, setKinds] = useState<Set<TimelineKind>>(new Set());
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const query = useMemo(() => {
    const q = new URLSearchParams();
    if (kinds.size) q.set('kinds', [...kinds].join(','));
    if (/^\d{4}-\d{2}-\d{2}$/.test(from)) q.set('from', from);
    if (/^\d{4}-\d{2}-\d{2}$/.test(to)) q.set('to', to);
    return q.toString();
  }, [kinds, from, to]);
  const [load] = useLoad(
    () =>
      childId
        ? api.get<History>(
            `/api/v1/children/${encodeURIComponent(childId)}/history${query ? `?${query}` : ''}`,
          )
        : Promise.resolve({ ok: true as const, value: null }),
    [api, childId, query],
  );
  if (!childId)
    return (
      <section aria-labelledby="history-h">
        <Heading>
          <span id="history-h">A child&apos;s history</span>
        </Heading>
        <ChildPicker api={api} onPick={(id) => go('child', id)} label="Find a child" />
      </section>
    );
  return (
    <section aria-labelledby="history-h">
      <Loaded load={load}>
        {(h) =>
          h && (
            <>
              <Heading>
                <span id="history-h">
                  {h.child.caseRef} — {h.child.displayName}
                </span>
              </Heading>
              <Text block>
                {h.team.name}; policy {h.profile.name} v{h.profile.version}. Consent:{' '}
                {h.child.consentStatus ?? 'none'}
                {h.child.reminderDueAt ? `; next reminder due ${day(h.child.reminderDueAt)}` : ''}.
              </Text>
              <Button appearance="subtle" onClick={() => go('child')}>
                Another child
              </Button>
              <fieldset
                style={{
                  border: `1px solid ${tokens.colorNeutralStroke2}`,
                  borderRadius: 6,
                  margin: '12px 0',
                }}
              >
                <legend>Show</legend>
                <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4 }}>
                  {KINDS.map(([k, label]) => (
                    <Checkbox
                      key={k}
                      label={label}
                      checked={kinds.has(k)}
                      onChange={(_e, d) => {
                        const next = new Set(kinds);
                        if (d.checked) next.add(k);
                        else next.delete(k);
                        setKinds(next);
                      }}
                    />
                  ))}
                </div>
                <div style={{ display: 'flex', gap: 12 }}>
                  <Field label="From (day)">
                    <Input type="date" value={from} onChange={(_e, d) => setFrom(d.value)} />
                  </Field>
                  <Field label="Before (day)">
                    <Input type="date" value={to} onChange={(_e, d) => setTo(d.value)} />
                  </Field>
                </div>
              </fieldset>
              <Heading level={3}>Timeline ({h.timeline.length})</Heading>
              <ol aria-label="Timeline" style={{ listStyle: 'none', padding: 0 }}>
                {h.timeline.map((t) => (
                  <li
                    key={`${t.kind}-${t.id}`}
                    style={{
                      background: tokens.colorNeutralBackground1,
                      border: `1px solid ${tokens.colorNeutralStroke2}`,
                      borderRadius: 6,
                      padding: '8px 12px',
                      marginBottom: 8,
                    }}
                  >
                    <Text weight="semibold">
                      {day(t.at)} — {t.title}
                    </Text>
                    {t.by && <Text size={200}> by {t.by}</Text>}{' '}
                    {t.cites.map((c) => (
                      <Badge key={c} appearance="outline" style={{ marginLeft: 4 }}>
                        {c}
                      </Badge>
                    ))}
                    {t.facts.length > 0 && <Facts facts={t.facts} />}
                  </li>
                ))}
              </ol>
              <Heading level={3}>Who has read this record</Heading>
              <Table size="small" aria-label="Access log">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell>When</TableHeaderCell>
                    <TableHeaderCell>Who</TableHeaderCell>
                    <TableHeaderCell>Role</TableHeaderCell>
                    <TableHeaderCell>What</TableHeaderCell>
                    <TableHeaderCell>Outcome</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {h.access.slice(0, 500).map((a, i) => (
                    <TableRow key={`${a.at}-${i}`}>
                      <TableCell>{a.at.replace('T', ' ').slice(0, 19)}</TableCell>
                      <TableCell>{a.actorId}</TableCell>
                      <TableCell>{a.role ?? ''}</TableCell>
                      <TableCell>{a.action === 'record.view' ? 'viewed' : 'exported'}</TableCell>
                      <TableCell>{a.outcome}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </>
          )
        }
      </Loaded>
    </section>
  );
}
