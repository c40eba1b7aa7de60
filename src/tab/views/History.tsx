import { useMemo, useState } from 'react';
import { Button, Checkbox, Field, Input, Link, Text, tokens } from '@fluentui/react-components';
import type { ChildRow } from '../../workflow/children-list';
import type { History, TimelineKind } from '../../workflow/history';
import { CONSENT_STATUS, label, ROLE } from '../../vocabulary';
import type { Client } from '../api';
import { DataTable, day, DayInput, moment, Facts, Heading, Loaded, ProblemBar, useLoad } from '../common';
import { go } from '../nav';

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
];
const SHOWN = 200;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function ChildPicker({
  api,
  onPick,
  label: fieldLabel,
  hrefOf,
}: {
  api: Client;
  onPick: (child: ChildRow) => void;
  label: string;
  /** Each child as a link to this address (navigation), rather than a button that picks it. */
  hrefOf?: (child: ChildRow) => string;
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
            <Field
              label={fieldLabel}
              hint="Type a case reference or initials; Enter opens the first match."
              validationState={f && !hits.length ? 'warning' : 'none'}
              validationMessage={f && !hits.length ? `No child matches “${filter.trim()}”.` : undefined}
            >
              <Input
                value={filter}
                onChange={(_e, d) => setFilter(d.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && f && hits[0]) {
                    e.preventDefault();
                    onPick(hits[0]);
                  }
                }}
                placeholder="Case reference or initials"
              />
            </Field>
            <ul aria-label="Children" style={{ columns: '14em', padding: 0, listStyle: 'none' }}>
              {hits.slice(0, SHOWN).map((c) => (
                <li key={c.id} style={{ padding: '2px 0' }}>
                  {hrefOf ? (
                    <Link href={hrefOf(c)}>{c.caseRef}</Link>
                  ) : (
                    <Link onClick={() => onPick(c)}>{c.caseRef}</Link>
                  )}{' '}
                  {c.displayName}
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
  const badRange = DAY.test(from) && DAY.test(to) && to <= from;
  const query = useMemo(() => {
    const q = new URLSearchParams();
    if (kinds.size) q.set('kinds', [...kinds].join(','));
    if (!badRange && DAY.test(from)) q.set('from', from);
    if (!badRange && DAY.test(to)) q.set('to', to);
    return q.toString();
  }, [kinds, from, to, badRange]);
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
          <span id="history-h">Children</span>
        </Heading>
        <ChildPicker
          api={api}
          onPick={(c) => go('child', c.id)}
          hrefOf={(c) => `#child/${encodeURIComponent(c.id)}`}
          label="Find a child"
        />
      </section>
    );
  // A link to a child this person may not open, or one that no longer exists: plain words and a way on.
  if (load.state === 'error' && (load.problem.status === 403 || load.problem.status === 404))
    return (
      <section aria-labelledby="history-h">
        <Heading>
          <span id="history-h">A child's record</span>
        </Heading>
        <ProblemBar
          problem={
            load.problem.status === 403
              ? {
                  ...load.problem,
                  title: 'This record is not open to you',
                  detail: `${load.problem.detail.replace(/\.$/, '')}. Pick one of the children you may look up.`,
                }
              : {
                  ...load.problem,
                  title: 'No such child',
                  detail:
                    'No child was found for this link: it may be out of date. Pick a child from the list.',
                }
          }
        />
        <Button appearance="primary" onClick={() => go('child')} style={{ marginTop: 8 }}>
          Find a child
        </Button>
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
                {h.team.name}; policy {h.profile.name}, version {h.profile.version}. Consent:{' '}
                {label(h.child.consentStatus ?? 'none', CONSENT_STATUS).toLowerCase()}
                {h.checksStopped
                  ? '; checks stopped after an objection, so no reminder is due'
                  : h.child.reminderDueAt
                    ? `; next reminder due ${day(h.child.reminderDueAt)}`
                    : ''}
                .
              </Text>
              <Button appearance="subtle" onClick={() => go('child')}>
                Another child
              </Button>
              <fieldset
                style={{
                  border: `1px solid ${tokens.colorNeutralStroke2}`,
                  borderRadius: 6,
                  margin: '12px 0',
                  minWidth: 0,
                }}
              >
                <legend>Show</legend>
                <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4 }}>
                  {KINDS.map(([k, text]) => (
                    <Checkbox
                      key={k}
                      label={text}
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
                <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }}>
                  <DayInput label="From (day)" value={from} onChange={setFrom} />
                  <DayInput
                    label="Before (day)"
                    value={to}
                    onChange={setTo}
                    validationMessage={badRange ? '“Before” must be a later day than “From”.' : undefined}
                  />
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
                      <Text key={c} size={200} block>
                        As the policy says: {c}
                      </Text>
                    ))}
                    {t.facts.length > 0 && <Facts facts={t.facts} />}
                  </li>
                ))}
              </ol>
              <Heading level={3}>Who has read this record</Heading>
              <Text block size={200}>
                One line per person per sitting (30 minutes); refused reads in a sitting are counted on one
                line.
              </Text>
              <DataTable
                label="Access log"
                rows={h.access.slice(0, 500)}
                rowKey={(a, i) => `${a.at}-${i}`}
                columns={[
                  { label: 'When', render: (a) => moment(a.at) },
                  { label: 'Who', render: (a) => a.actorName },
                  { label: 'Role', render: (a) => (a.role ? label(a.role, ROLE) : '—') },
                  { label: 'What', render: (a) => (a.action === 'record.view' ? 'Viewed' : 'Exported') },
                  {
                    label: 'Outcome',
                    render: (a) =>
                      a.outcome === 'allow'
                        ? 'Allowed'
                        : a.times > 1
                          ? `Refused ${a.times} times (last ${moment(a.lastAt)})`
                          : 'Refused',
                  },
                ]}
              />
            </>
          )
        }
      </Loaded>
    </section>
  );
}
