import { useState } from 'react';
import {
  Button,
  Field,
  Input,
  Link,
  Select,
  Switch,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import type { CentralRecord, CentralRecordEntry, RipaApplication } from '../../workflow/queries/ripa';
import {
  account,
  label,
  MAX_SENTENCE,
  REASON,
  RIPA_REFUSAL,
  RIPA_STATE,
  sentenceWords,
  yesNo,
} from '../../vocabulary';
import type { Client, Problem } from '../api';
import {
  DataTable,
  day,
  DayInput,
  Facts,
  Heading,
  Loaded,
  ProblemBar,
  SuccessNote,
  today,
  useLoad,
} from '../common';
import { Download } from './Review';

/**
 * The RIPA route in the tab (000 §12): the central record of directed-surveillance authorisations, with its
 * exports, for authorising officers and information governance; for an authorising officer, the repeat
 * viewings waiting for an authorisation (record it, or refuse it) and, on each authorisation in force, its
 * review, renewal and cancellation. Every form goes through the same workflow commands as the bot's cards;
 * a problem comes back by its field with what was typed kept.
 */

type FieldSpec =
  | { name: string; label: string; kind: 'text' | 'long' | 'date'; hint?: string; optional?: boolean }
  | { name: string; label: string; kind: 'choice'; options: Record<string, string>; hint?: string }
  | { name: string; label: string; kind: 'yes-no'; hint?: string };

const plusDays = (d: string, n: number) => {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};
const plusMonths = (d: string, n: number) => {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCMonth(t.getUTCMonth() + n);
  return t.toISOString().slice(0, 10);
};

function Form({
  api,
  title,
  path,
  fields,
  initial,
  submit,
  done,
  danger,
}: {
  api: Client;
  title: string;
  path: string;
  fields: FieldSpec[];
  initial: Record<string, string | boolean>;
  submit: string;
  done: (msg: string, value: unknown) => void;
  danger?: boolean;
}) {
  const [values, setValues] = useState<Record<string, string | boolean>>(initial);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const known = new Set(fields.map((f) => f.name));
  const send = async () => {
    setProblem(null);
    setBusy(true);
    const body: Record<string, unknown> = {};
    for (const f of fields) {
      const v = values[f.name];
      if (f.kind === 'choice' && f.name === 'maxSentenceMonths')
        body[f.name] = v === '' ? undefined : Number(v);
      else if (f.kind === 'yes-no') body[f.name] = v === true;
      else if (typeof v === 'string' && v.trim()) body[f.name] = v.trim();
    }
    const res = await api.post(path, body);
    setBusy(false);
    if (res.ok) done(title, res.value);
    else setProblem(res.problem);
  };
  const set = (name: string, v: string | boolean) => setValues((old) => ({ ...old, [name]: v }));
  const message = (name: string) =>
    problem?.field === name ? problem.detail.replace(/^[\w.]+: /, '') : undefined;
  return (
    <details style={{ marginTop: 8 }}>
      <summary>
        <Text weight="semibold">{title}</Text>
      </summary>
      <form
        aria-label={title}
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
        style={{ display: 'grid', gap: 8, maxWidth: 640, paddingTop: 8 }}
      >
        {fields.map((f) =>
          f.kind === 'date' ? (
            <DayInput
              key={f.name}
              label={f.label}
              required={!('optional' in f && f.optional)}
              hint={f.hint}
              value={String(values[f.name] ?? '')}
              onChange={(iso) => set(f.name, iso)}
              validationMessage={message(f.name)}
            />
          ) : (
            <Field
              key={f.name}
              label={f.label}
              required={!('optional' in f && f.optional) && f.kind !== 'yes-no'}
              hint={f.hint}
              validationMessage={message(f.name)}
            >
              {f.kind === 'long' ? (
                <Textarea
                  value={String(values[f.name] ?? '')}
                  onChange={(_e, d) => set(f.name, d.value)}
                  resize="vertical"
                />
              ) : f.kind === 'choice' ? (
                <Select value={String(values[f.name] ?? '')} onChange={(_e, d) => set(f.name, d.value)}>
                  <option value="">Choose…</option>
                  {Object.entries(f.options).map(([v, l]) => (
                    <option key={v} value={v}>
                      {l}
                    </option>
                  ))}
                </Select>
              ) : f.kind === 'yes-no' ? (
                <Switch
                  checked={values[f.name] === true}
                  label={values[f.name] === true ? 'Yes' : 'No'}
                  onChange={(_e, d) => set(f.name, d.checked)}
                />
              ) : (
                <Input value={String(values[f.name] ?? '')} onChange={(_e, d) => set(f.name, d.value)} />
              )}
            </Field>
          ),
        )}
        {problem && !known.has(problem.field ?? '') && <ProblemBar problem={problem} />}
        <div>
          <Button type="submit" appearance={danger ? 'secondary' : 'primary'} disabled={busy}>
            {submit}
          </Button>
        </div>
      </form>
    </details>
  );
}

const card = {
  background: tokens.colorNeutralBackground1,
  border: `1px solid ${tokens.colorNeutralStroke2}`,
  borderRadius: 6,
  padding: 12,
  marginBottom: 8,
} as const;

/** What the officer is told once an authorisation is recorded, from what Overt recorded (not from the form): awaiting
 * the magistrate only when no date of a magistrate's approval was given. */
function authorisedMessage(caseRef: string, value: unknown): string {
  const v = (value ?? {}) as {
    ripa?: { awaitingMagistrate?: boolean };
    request?: { status?: string; problem?: string };
  };
  if (v.ripa?.awaitingMagistrate)
    return `${caseRef}: the authorisation is recorded. The check proceeds under it once the date a magistrate approved it is recorded; until then it is awaiting the magistrate’s approval.`;
  if (v.request && v.request.status !== 'approved')
    return `${caseRef}: the authorisation is recorded and in force, but the request was not approved under it: ${v.request.problem?.replace(/^[\w.]+: /, '') ?? 'it is no longer waiting'}.`;
  return `${caseRef}: the authorisation is recorded and in force; the check may proceed under it.`;
}

function Application({ api, a, done }: { api: Client; a: RipaApplication; done: (m: string) => void }) {
  const t = today();
  const path = (what: string) => `/api/v1/requests/${encodeURIComponent(a.requestId)}/${what}`;
  return (
    <li style={card} aria-label={`${a.caseRef}, waiting for an authorisation`}>
      <Text weight="semibold" block>
        <Link href={`#child/${encodeURIComponent(a.childId)}`}>{a.caseRef}</Link> {a.childName} — {a.teamName}
      </Text>
      <Facts
        facts={[
          ['Requested by', `${a.requesterName} on ${day(a.raisedAt)}`],
          ['Reason', label(a.reason, REASON)],
          ...(a.rationale ? ([['Why', a.rationale]] as [string, string][]) : []),
          ['Platforms', a.platforms.map(account).join('; ')],
          ...(a.judicialBasis ? ([['Magistrate', a.judicialBasis]] as [string, string][]) : []),
        ]}
      />
      <Form
        api={api}
        title={`Record the authorisation for ${a.caseRef}`}
        path={path('ripa-authorisation')}
        submit="Record the authorisation"
        done={(_title, value) => done(authorisedMessage(a.caseRef, value))}
        initial={{
          grantedOn: t,
          from: t,
          until: plusDays(plusMonths(t, 3), -1),
          reviewAt: plusMonths(t, 1),
          confidentialInfoLikely: false,
          authoriserInvolved: false,
        }}
        fields={[
          { name: 'reference', label: 'Unique reference', kind: 'text' },
          { name: 'offence', label: 'The criminal offence to be detected or prevented', kind: 'text' },
          {
            name: 'maxSentenceMonths',
            label: 'Its maximum sentence',
            kind: 'choice',
            options: MAX_SENTENCE,
            hint: 'Directed surveillance is only for an offence punishable by over six months in prison: six months is not enough.',
          },
          { name: 'necessity', label: 'Why it is necessary', kind: 'long' },
          { name: 'proportionality', label: 'Why it is proportionate', kind: 'long' },
          { name: 'legalAdvice', label: 'The legal advice taken', kind: 'long' },
          { name: 'grantedOn', label: 'Date granted', kind: 'date' },
          ...(a.judicialApproval
            ? [
                {
                  name: 'magistrateApprovedOn',
                  label: 'Date a magistrate approved it',
                  kind: 'date' as const,
                  optional: true,
                  hint: 'Not yet approved? Leave it empty: the authorisation is recorded as awaiting the magistrate’s approval, and no check proceeds under it until you record the date.',
                },
              ]
            : []),
          { name: 'from', label: 'In force from', kind: 'date' },
          { name: 'until', label: 'Ends on (at most three months)', kind: 'date' },
          { name: 'reviewAt', label: 'First review by', kind: 'date' },
          {
            name: 'confidentialInfoLikely',
            label: 'Is confidential information likely to be obtained?',
            kind: 'yes-no',
          },
          { name: 'authoriserInvolved', label: 'Are you involved in the case?', kind: 'yes-no' },
          {
            name: 'authoriserInvolvedReason',
            label: 'If you are involved: why it could not be avoided that you authorise it',
            kind: 'long',
            optional: true,
            hint: 'The code of practice expects an authorising officer not to authorise a case they are involved in unless that is unavoidable; the central record shows it.',
          },
        ]}
      />
      <Form
        api={api}
        danger
        title={`Refuse the authorisation for ${a.caseRef}`}
        path={path('ripa-refusal')}
        submit="Refuse"
        done={() => done(`${a.caseRef}: refused; the case manager is told.`)}
        initial={{}}
        fields={[
          { name: 'ground', label: 'Why it is refused', kind: 'choice', options: RIPA_REFUSAL },
          { name: 'reasons', label: 'Your reasons', kind: 'long' },
        ]}
      />
    </li>
  );
}

function Actions({ api, e, done }: { api: Client; e: CentralRecordEntry; done: (m: string) => void }) {
  const t = today();
  const path = (what: string) => `/api/v1/ripa/${encodeURIComponent(e.id)}/${what}`;
  if (e.state === 'awaiting-approval')
    return (
      <Form
        api={api}
        title={`Record the magistrate’s approval of ${e.reference}`}
        path={path('magistrate-approval')}
        submit="Record the approval"
        done={() =>
          done(`${e.reference}: the magistrate’s approval is recorded; it is in force from that day.`)
        }
        initial={{}}
        fields={[{ name: 'approvedOn', label: 'Date a magistrate approved it', kind: 'date' }]}
      />
    );
  return (
    <>
      <Form
        api={api}
        title={`Record a review of ${e.reference}`}
        path={path('reviews')}
        submit="Record the review"
        done={() => done(`${e.reference}: the review is recorded.`)}
        initial={{ reviewedOn: t, nextReviewAt: e.until < plusMonths(t, 1) ? e.until : plusMonths(t, 1) }}
        fields={[
          { name: 'reviewedOn', label: 'Date reviewed', kind: 'date' },
          {
            name: 'notes',
            label: 'Is it still necessary and proportionate? What was obtained?',
            kind: 'long',
          },
          { name: 'nextReviewAt', label: 'Next review by', kind: 'date' },
        ]}
      />
      <Form
        api={api}
        title={`Renew ${e.reference}`}
        path={path('renewals')}
        submit="Record the renewal"
        done={() => done(`${e.reference}: the renewal is recorded.`)}
        initial={{
          renewedOn: t,
          until: plusDays(plusMonths(plusDays(e.until, 1), 3), -1),
          nextReviewAt: plusMonths(e.until, 1),
        }}
        fields={[
          { name: 'renewedOn', label: 'Date renewed', kind: 'date' },
          {
            name: 'magistrateApprovedOn',
            label: 'Date a magistrate approved the renewal',
            kind: 'date',
            optional: true,
          },
          { name: 'until', label: 'New end (at most three months more)', kind: 'date' },
          { name: 'reasons', label: 'Why it is still necessary and proportionate', kind: 'long' },
          { name: 'nextReviewAt', label: 'Next review by', kind: 'date' },
        ]}
      />
      <Form
        api={api}
        danger
        title={`Cancel ${e.reference}`}
        path={path('cancellation')}
        submit="Cancel the authorisation"
        done={() => done(`${e.reference}: cancelled.`)}
        initial={{ at: t }}
        fields={[
          { name: 'at', label: 'Date cancelled', kind: 'date' },
          { name: 'reasons', label: 'Why it is no longer needed', kind: 'long', optional: true },
        ]}
      />
    </>
  );
}

export function RipaView({ api, canAct = false }: { api: Client; canAct?: boolean }) {
  const [load, reload] = useLoad(() => api.get<CentralRecord>('/api/v1/ripa'), [api]);
  const [note, setNote] = useState('');
  const done = (m: string) => {
    setNote(m);
    reload();
  };
  return (
    <section aria-labelledby="ripa-h">
      <Heading>
        <span id="ripa-h">RIPA central record</span>
      </Heading>
      <Text block>
        The central record of directed-surveillance authorisations, as the Home Office code of practice
        describes it.
      </Text>
      <SuccessNote text={note} />
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', margin: '8px 0' }}>
        <Download api={api} path="/api/v1/ripa/central-record.csv" label="Export the central record (CSV)" />
        <Download api={api} path="/api/v1/ripa/central-record.pdf" label="Export the central record (PDF)" />
      </div>
      <Loaded load={load}>
        {({ entries, waiting }) => (
          <>
            {canAct && (
              <>
                <Heading level={3}>Waiting for an authorisation</Heading>
                {waiting.length ? (
                  <ul aria-label="Waiting for an authorisation" style={{ listStyle: 'none', padding: 0 }}>
                    {waiting.map((a) => (
                      <Application key={a.requestId} api={api} a={a} done={done} />
                    ))}
                  </ul>
                ) : (
                  <Text block>No repeat viewing is waiting for an authorisation.</Text>
                )}
              </>
            )}
            <Heading level={3}>Authorisations</Heading>
            {entries.length ? (
              <DataTable
                label="RIPA authorisations"
                rows={entries}
                rowKey={(r) => r.id}
                columns={[
                  {
                    label: 'Reference',
                    render: (r) => <span style={{ whiteSpace: 'nowrap' }}>{r.reference}</span>,
                  },
                  {
                    label: 'Child',
                    render: (r) => (
                      <>
                        <Link
                          href={`#child/${encodeURIComponent(r.childId)}`}
                          style={{ whiteSpace: 'nowrap' }}
                        >
                          {r.caseRef}
                        </Link>{' '}
                        {r.childName}
                      </>
                    ),
                  },
                  { label: 'Authorising officer', render: (r) => r.officerName },
                  {
                    label: 'Offence',
                    render: (r) => `${r.offence} (maximum: ${sentenceWords(r.maxSentenceMonths)})`,
                  },
                  {
                    label: 'Granted',
                    render: (r) =>
                      `${day(r.grantedOn)}${r.magistrateApprovedOn ? `; magistrate ${day(r.magistrateApprovedOn)}` : ''}`,
                  },
                  { label: 'Period', render: (r) => `${day(r.from)} to ${day(r.until)}` },
                  {
                    label: 'Reviewed',
                    render: (r) =>
                      `${r.reviews.map((v) => day(v.on)).join(', ') || 'Not yet'}${r.cancelledOn ? '' : `; next by ${day(r.nextReviewOn)}`}`,
                  },
                  {
                    label: 'Renewed',
                    render: (r) =>
                      r.renewals
                        .map((v) => `on ${day(v.on)}, for ${day(v.from)} to ${day(v.until)}`)
                        .join('; ') || 'No',
                  },
                  {
                    label: 'Cancelled',
                    render: (r) => (r.cancelledOn ? `${day(r.cancelledOn)} by ${r.cancelledBy}` : 'No'),
                  },
                  {
                    // What was corrected, when and by whom; the values before and after are in the exports.
                    label: 'Corrected',
                    render: (r) =>
                      r.corrections
                        .map((c) => `${day(c.on)} by ${c.by} (${c.changes.map((x) => x.label).join(', ')})`)
                        .join('; ') || 'No',
                  },
                  {
                    label: 'Confidential information likely',
                    render: (r) => yesNo(r.confidentialInfoLikely),
                  },
                  {
                    label: 'Authoriser involved',
                    render: (r) =>
                      r.authoriserInvolved
                        ? `Yes: ${r.authoriserInvolvedReason ?? 'no reason recorded'}`
                        : yesNo(r.authoriserInvolved),
                  },
                  { label: 'State', render: (r) => label(r.state, RIPA_STATE) },
                ]}
              />
            ) : (
              <Text block>No authorisation is on the record.</Text>
            )}
            {canAct &&
              entries
                .filter((e) => e.state !== 'cancelled' && e.state !== 'ended')
                .map((e) => (
                  <div key={e.id} style={card}>
                    <Text weight="semibold" block>
                      {e.reference}: {e.caseRef}, {label(e.state, RIPA_STATE)}
                    </Text>
                    <Actions api={api} e={e} done={done} />
                  </div>
                ))}
          </>
        )}
      </Loaded>
    </section>
  );
}
