import { useState } from 'react';
import { Button, Field, Input, Radio, RadioGroup, Text, Textarea, tokens } from '@fluentui/react-components';
import type { Client, Problem } from '../api';
import type { Me } from '../nav';
import { ASSERTION, ASSESSMENT, evidenceLines, label } from '../../vocabulary';
import { Facts, Heading, Loaded, moment, ProblemBar, Progress, useLoad, SuccessNote } from '../common';

/** The annual review (000 §24): the evidence gathered from the record, the five assessments, the files. */

type Assertion = { id: string; statement: string };
type Assessment = { assessment: 'met' | 'partly-met' | 'not-met'; comments: string };
type Submitted = {
  reviewer: string;
  sentToIgAt: string | null;
  submittedAt: string | null;
  revision: number;
  assertions: { id: string; assessment: string | null; comments: string }[];
};

export function Download({ api, path, label }: { api: Client; path: string; label: string }) {
  const [progress, setProgress] = useState<number | null | undefined>(undefined);
  const [result, setResult] = useState<string>('');
  const [problem, setProblem] = useState<Problem | null>(null);
  return (
    <div style={{ minWidth: 220 }}>
      <Button
        disabled={progress !== undefined && progress !== 1}
        onClick={() => {
          setProblem(null);
          setResult('');
          void api.download(path, setProgress).then((r) => {
            if (r.ok)
              setResult(`Downloaded ${r.value.name} (${Math.max(1, Math.round(r.value.bytes / 1024))} KB)`);
            else {
              setProblem(r.problem);
              setProgress(undefined);
            }
          });
        }}
      >
        {label}
      </Button>
      {progress !== undefined && <Progress value={progress} label={`${label}: progress`} />}
      <Text role="status" block size={200}>
        {result}
      </Text>
      {problem && <ProblemBar problem={problem} />}
    </div>
  );
}

export function ReviewView({ api, me }: { api: Client; me: Me }) {
  // A team's figures are kept under its id: shown by its name.
  const teamNames = Object.fromEntries(me.teams.map((t) => [t.id, t.name]));
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const valid = /^\d{4}$/.test(year);
  const [load, reload] = useLoad(
    () =>
      valid
        ? api.get<{
            assertions: Assertion[];
            evidence: unknown;
            current: unknown;
            submitted: Submitted | null;
          }>(`/api/v1/review/${year}/evidence`)
        : Promise.resolve({
            ok: false as const,
            problem: { status: 400, title: 'Year', detail: 'enter a year such as 2026' },
          }),
    [api, year],
  );
  const [answers, setAnswers] = useState<Record<string, Assessment>>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState('');
  /** A new revision of a submitted review is started only by choice. */
  const [revising, setRevising] = useState(false);
  const submit = async (assertions: Assertion[], submitted: Submitted | null) => {
    setProblem(null);
    setSaved('');
    const r = await api.post<{ id: string }>('/api/v1/review', {
      year: Number(year),
      sendToIg: true,
      // The revision this form makes: if another was submitted meanwhile (a second tab), the service refuses.
      revision: (submitted?.revision ?? 0) + 1,
      assessments: assertions.map((a) => ({
        id: a.id,
        assessment: answers[a.id]?.assessment ?? 'met',
        comments: answers[a.id]?.comments ?? '',
      })),
    });
    if (r.ok) {
      setSaved(
        `Revision ${(submitted?.revision ?? 0) + 1} of the review for ${year} is kept and sent to information governance.`,
      );
      setRevising(false);
      setAnswers({});
      reload();
    } else if (r.problem.status === 409) {
      // Submitted meanwhile elsewhere: show what was submitted; this form's answers are kept for a new revision.
      setRevising(false);
      setSaved('');
      setProblem({ ...r.problem, title: 'Submitted meanwhile' });
      reload();
    } else setProblem(r.problem);
  };
  return (
    <section aria-labelledby="review-h">
      <Heading>
        <span id="review-h">Annual review</span>
      </Heading>
      <Field label="Year">
        <Input
          value={year}
          onChange={(_e, d) => setYear(d.value)}
          inputMode="numeric"
          style={{ width: 120 }}
        />
      </Field>
      <Loaded load={load}>
        {({ assertions, evidence: asSubmitted, current, submitted }) => {
          // A submitted revision is read with the evidence it was submitted with (as its PDF says it); a new
          // revision is made with the evidence as it stands today.
          const shown = submitted && !revising;
          const evidence = shown ? asSubmitted : current;
          return (
            <>
              <Heading level={3}>
                {shown ? 'Evidence as submitted' : 'Evidence from the record today'}
              </Heading>
              <details>
                <summary>Show the evidence ({evidenceLines(evidence, teamNames).length} figures)</summary>
                <Facts facts={evidenceLines(evidence, teamNames)} />
              </details>
              {submitted && !revising ? (
                <>
                  <Heading level={3}>The five assertions, as submitted</Heading>
                  {problem && <ProblemBar problem={problem} />}
                  <Text block>
                    Revision {submitted.revision}, submitted by {submitted.reviewer}
                    {submitted.submittedAt ? ` on ${moment(submitted.submittedAt)}` : ''}
                    {submitted.sentToIgAt ? ' and sent to information governance' : ''}. It cannot be changed;
                    a new revision can be submitted in its place.
                  </Text>
                  <ul aria-label="Assessments as submitted" style={{ listStyle: 'none', padding: 0 }}>
                    {assertions.map((a) => {
                      const got = submitted.assertions.find((x) => x.id === a.id);
                      return (
                        <li key={a.id} style={{ marginBottom: 8 }}>
                          <Text weight="semibold" block>
                            {label(a.id, ASSERTION)}:{' '}
                            {got?.assessment ? label(got.assessment, ASSESSMENT) : 'Not assessed'}
                          </Text>
                          <Text block size={200}>
                            {a.statement}
                          </Text>
                          <Text block>{got?.comments || '—'}</Text>
                        </li>
                      );
                    })}
                  </ul>
                  <SuccessNote text={saved} />
                  {me.can.submitReview && (
                    <Button
                      onClick={() => {
                        setProblem(null);
                        setSaved('');
                        setRevising(true);
                      }}
                    >
                      Start revision {submitted.revision + 1}
                    </Button>
                  )}
                </>
              ) : (
                <>
                  <Heading level={3}>The five assertions</Heading>
                  {assertions.map((a) => (
                    <fieldset
                      key={a.id}
                      style={{
                        border: `1px solid ${tokens.colorNeutralStroke2}`,
                        borderRadius: 6,
                        marginBottom: 8,
                      }}
                    >
                      <legend>{label(a.id, ASSERTION)}</legend>
                      <Text block>{a.statement}</Text>
                      <RadioGroup
                        layout="horizontal"
                        aria-label={`Assessment: ${label(a.id, ASSERTION)}`}
                        value={answers[a.id]?.assessment ?? 'met'}
                        onChange={(_e, d) =>
                          setAnswers({
                            ...answers,
                            [a.id]: {
                              comments: answers[a.id]?.comments ?? '',
                              assessment: d.value as Assessment['assessment'],
                            },
                          })
                        }
                      >
                        <Radio value="met" label="Met" />
                        <Radio value="partly-met" label="Partly met" />
                        <Radio value="not-met" label="Not met" />
                      </RadioGroup>
                      <Field label={`Why (${label(a.id, ASSERTION)})`} required>
                        <Textarea
                          value={answers[a.id]?.comments ?? ''}
                          onChange={(_e, d) =>
                            setAnswers({
                              ...answers,
                              [a.id]: { assessment: answers[a.id]?.assessment ?? 'met', comments: d.value },
                            })
                          }
                        />
                      </Field>
                    </fieldset>
                  ))}
                  {problem && <ProblemBar problem={problem} />}
                  <SuccessNote text={saved} />
                  {me.can.submitReview ? (
                    <Button appearance="primary" onClick={() => void submit(assertions, submitted)}>
                      {submitted
                        ? `Submit revision ${submitted.revision + 1} and send to information governance`
                        : 'Submit and send to information governance'}
                    </Button>
                  ) : (
                    <Text block>The service manager submits the review.</Text>
                  )}
                </>
              )}
              <Heading level={3}>Export</Heading>
              <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
                <Download
                  api={api}
                  path={`/api/v1/review/${year}/export.pdf`}
                  label="Export the review as PDF"
                />
                <Download
                  api={api}
                  path={`/api/v1/review/${year}/export.csv`}
                  label="Export the review as CSV"
                />
              </div>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
