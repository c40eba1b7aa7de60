import { useState } from 'react';
import { Button, Field, Link, Select, Text, Textarea, tokens } from '@fluentui/react-components';
import type { QueuedObjection } from '../../workflow/objection-queue';
import { label, OBJECTION_OUTCOME, OBJECTION_STATUS } from '../../vocabulary';
import type { Client, Problem } from '../api';
import { day, Heading, Loaded, ProblemBar, useLoad, SuccessNote } from '../common';

/** Information governance's objections: take one, send the formal response, record the outcome. */

type Queue = { open: QueuedObjection[]; resolved: QueuedObjection[] };

function Step({ api, o, done }: { api: Client; o: QueuedObjection; done: (msg: string) => void }) {
  const [response, setResponse] = useState('');
  const [outcome, setOutcome] = useState<'checks-may-resume' | 'checks-stopped'>('checks-stopped');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (body: unknown, msg: string) => {
    setBusy(true);
    const r = await api.post<QueuedObjection>(`/api/v1/objections/${encodeURIComponent(o.id)}/steps`, body);
    setBusy(false);
    if (r.ok) done(msg);
    else setProblem(r.problem);
  };
  return (
    <div>
      {problem && <ProblemBar problem={problem} />}
      {o.status === 'open' && (
        <Button
          appearance="primary"
          disabled={busy}
          onClick={() => void send({ step: 'take' }, `${o.caseRef}: taken by information governance`)}
        >
          Take this objection
        </Button>
      )}
      {o.status === 'with-ig' && (
        <>
          <Field label={`Formal response for ${o.caseRef}`} required>
            <Textarea value={response} onChange={(_e, d) => setResponse(d.value)} resize="vertical" />
          </Field>
          <Button
            appearance="primary"
            disabled={busy || !response.trim()}
            onClick={() => void send({ step: 'respond', response }, `${o.caseRef}: formal response sent`)}
          >
            Send the formal response
          </Button>
        </>
      )}
      {o.status === 'response-sent' && (
        <>
          <Field label={`Outcome for ${o.caseRef}`}>
            <Select value={outcome} onChange={(_e, d) => setOutcome(d.value as typeof outcome)}>
              <option value="checks-stopped">Checks stopped</option>
              <option value="checks-may-resume">Checks may resume</option>
            </Select>
          </Field>
          <Button
            appearance="primary"
            disabled={busy}
            onClick={() =>
              void send(
                { step: 'resolve', outcome },
                `${o.caseRef}: resolved (${label(outcome, OBJECTION_OUTCOME).toLowerCase()})`,
              )
            }
          >
            Record the outcome
          </Button>
        </>
      )}
    </div>
  );
}

export function ObjectionsView({ api }: { api: Client }) {
  const [load, reload] = useLoad(() => api.get<Queue>('/api/v1/objections'), [api]);
  const [note, setNote] = useState('');
  return (
    <section aria-labelledby="objections-h">
      <Heading>
        <span id="objections-h">Objections</span>
      </Heading>
      <SuccessNote text={note} />
      <Loaded load={load}>
        {(q) => (
          <>
            <Heading level={3}>Open ({q.open.length})</Heading>
            {!q.open.length && <Text>No objection is open.</Text>}
            <ul aria-label="Open objections" style={{ listStyle: 'none', padding: 0 }}>
              {q.open.map((o) => (
                <li
                  key={o.id}
                  style={{
                    background: tokens.colorNeutralBackground1,
                    border: `1px solid ${tokens.colorNeutralStroke2}`,
                    borderRadius: 6,
                    padding: 12,
                    marginBottom: 8,
                  }}
                >
                  <Text weight="semibold" block>
                    <Link href={`#child/${encodeURIComponent(o.childId)}`}>{o.caseRef}</Link> — {o.teamName}
                  </Text>
                  <Text block>
                    Raised {day(o.raisedAt)} by {o.raisedBy};{' '}
                    {label(o.status, OBJECTION_STATUS).toLowerCase()}
                  </Text>
                  {o.response && <Text block>Response: {o.response}</Text>}
                  <Step
                    api={api}
                    o={o}
                    done={(m) => {
                      setNote(m);
                      reload();
                    }}
                  />
                </li>
              ))}
            </ul>
            <Heading level={3}>Recently resolved</Heading>
            <ul aria-label="Resolved objections">
              {q.resolved.map((o) => (
                <li key={o.id}>
                  {o.caseRef}: raised {day(o.raisedAt)},{' '}
                  {o.outcome ? label(o.outcome, OBJECTION_OUTCOME).toLowerCase() : 'resolved'}
                  {o.resolvedAt ? ` on ${day(o.resolvedAt)}` : ''}
                </li>
              ))}
            </ul>
          </>
        )}
      </Loaded>
    </section>
  );
}
