import { useState } from 'react';
import { Badge, Button, Field, Text, Textarea, tokens } from '@fluentui/react-components';
import type { PolicyView as Policy } from '../../workflow/platform-notes';
import { ACTION, EFFECT, label, phrase, PLATFORM } from '../../vocabulary';
import type { Client, Problem } from '../api';
import { day, DayInput, Heading, Loaded, ProblemBar, useLoad, SuccessNote } from '../common';

/** The policy in force for one's teams: each clause with its rules, and the platform notes. */

type Notes = NonNullable<Policy['profiles'][number]['platformNotes']>;

function NotesEditor({
  api,
  profileId,
  notes,
  saved,
}: {
  api: Client;
  profileId: string;
  notes: Notes;
  saved: (changed: boolean) => void;
}) {
  const [lastChecked, setLastChecked] = useState(notes.lastChecked);
  const [texts, setTexts] = useState(notes.platforms.map((p) => p.note));
  const [problem, setProblem] = useState<Problem | null>(null);
  return (
    <form
      aria-label="Edit the platform notes"
      onSubmit={(e) => {
        e.preventDefault();
        void api
          .put<{ changed: boolean }>(`/api/v1/policy/${encodeURIComponent(profileId)}/platform-notes`, {
            lastChecked,
            platforms: notes.platforms.map((p, i) => ({
              platform: p.platform,
              aliases: p.aliases,
              viewerVisible: p.viewerVisible,
              note: texts[i] ?? p.note,
            })),
          })
          .then((r) => (r.ok ? saved(r.value.changed) : setProblem(r.problem)));
      }}
    >
      <DayInput label="Last checked (day)" value={lastChecked} onChange={setLastChecked} />
      {notes.platforms.map((p, i) => (
        <Field key={p.platform} label={`Note: ${label(p.platform, PLATFORM)}`}>
          <Textarea
            value={texts[i] ?? ''}
            onChange={(_e, d) => setTexts(texts.map((t, j) => (j === i ? d.value : t)))}
          />
        </Field>
      ))}
      {problem && <ProblemBar problem={problem} />}
      <Button type="submit" appearance="primary" style={{ marginTop: 8 }}>
        Save the platform notes
      </Button>
    </form>
  );
}

/** A version's fingerprint is shown only to the administrator, who compares copies of a policy file with it
 * (the same `overt policy show` prints); to anyone else it is a code. */
export function PolicyView({ api, showFingerprint }: { api: Client; showFingerprint: boolean }) {
  const [load, reload] = useLoad(() => api.get<Policy>('/api/v1/policy'), [api]);
  const [note, setNote] = useState('');
  return (
    <section aria-labelledby="policy-h">
      <Heading>
        <span id="policy-h">Policy</span>
      </Heading>
      <SuccessNote text={note} />
      <Loaded load={load}>
        {(v) => (
          <>
            {v.profiles.map((p) => (
              <article key={p.id} aria-label={p.name}>
                <Heading level={3}>
                  {p.name} — {p.organisation} (version {p.version}, in force from {day(p.effectiveDate)})
                </Heading>
                <Text block>
                  {(() => {
                    const names = v.teams.filter((t) => t.profileId === p.id).map((t) => t.name);
                    return names.length ? `Teams: ${names.join(', ')}.` : 'No team works under it.';
                  })()}{' '}
                  Source: {p.source.document}.
                </Text>
                <Text as="h4" weight="semibold" block style={{ margin: '8px 0 0' }}>
                  Versions
                </Text>
                <ul aria-label={`Versions of ${p.name}`}>
                  {p.versions.map((x) => (
                    <li key={x.fingerprint}>
                      Version {x.version}, in force from {day(x.effectiveDate)}
                      {showFingerprint ? (
                        <>
                          . Fingerprint (to compare copies):{' '}
                          <code style={{ overflowWrap: 'anywhere' }}>{x.fingerprint}</code>
                        </>
                      ) : null}
                      {x.inForce ? (
                        <>
                          {' '}
                          <Badge appearance="tint" color="success">
                            In force now
                          </Badge>
                        </>
                      ) : null}
                      {x.loadedHere ? null : (
                        <>
                          {' '}
                          <Badge appearance="tint" color="warning">
                            Adopted by the service, not loaded by this instance: it decides nothing under this
                            policy until it is
                          </Badge>
                        </>
                      )}
                    </li>
                  ))}
                </ul>
                <Text as="h4" weight="semibold" block style={{ margin: '8px 0 0' }}>
                  Who may act as each authority
                </Text>
                {p.authorities.length ? (
                  <ul aria-label={`Who may act as each authority in ${p.name}`}>
                    {p.authorities.map((a) => (
                      <li key={a.name}>
                        <strong>{a.name}</strong>: {a.holders}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <Text block>None is declared: no rule asks anyone to decide.</Text>
                )}
                <Text as="h4" weight="semibold" block style={{ margin: '8px 0 0' }}>
                  How verdicts combine
                </Text>
                <ul aria-label={`How verdicts combine in ${p.name}`}>
                  {p.combine.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
                {p.clauses
                  .filter((c) => c.rules.length)
                  .map((c) => (
                    <details key={c.id} style={{ margin: '6px 0' }}>
                      <summary>
                        {c.heading} ({c.rules.length} {c.rules.length === 1 ? 'rule' : 'rules'})
                      </summary>
                      <ul>
                        {c.rules.map((r) => (
                          <li key={r.id}>
                            <Badge
                              appearance="tint"
                              color={
                                r.effect === 'refuse'
                                  ? 'danger'
                                  : r.effect === 'allow'
                                    ? 'success'
                                    : 'warning'
                              }
                            >
                              {label(r.effect, EFFECT)}
                            </Badge>{' '}
                            {r.explain}{' '}
                            <Text size={200}>
                              (on {r.actions.map((a) => phrase(a, ACTION)).join(', ')}
                              {r.authority.length ? `, for ${r.authority.join(' or ')} to decide` : ''}; when{' '}
                              {r.when})
                            </Text>
                          </li>
                        ))}
                      </ul>
                    </details>
                  ))}
                {p.notEnforced.length > 0 && (
                  <details style={{ margin: '6px 0' }}>
                    <summary>What Overt does not enforce ({p.notEnforced.length})</summary>
                    <ul>
                      {p.notEnforced.map((c) => (
                        <li key={c.heading}>
                          <strong>{c.heading}</strong>: {c.why}
                        </li>
                      ))}
                    </ul>
                  </details>
                )}
                {p.platformNotes && (
                  <div
                    style={{
                      border: `1px solid ${tokens.colorNeutralStroke2}`,
                      borderRadius: 6,
                      padding: 12,
                      marginTop: 8,
                    }}
                  >
                    <Text weight="semibold" block>
                      Platform notes, last checked {day(p.platformNotes.lastChecked)}
                      {p.platformNotes.source === 'edited' ? ' (edited by the administrator)' : ''}
                    </Text>
                    <ul>
                      {p.platformNotes.platforms.map((n) => (
                        <li key={n.platform}>
                          <strong>{label(n.platform, PLATFORM)}</strong>
                          {n.viewerVisible ? ' (the viewer can be seen)' : ''}: {n.note}
                        </li>
                      ))}
                    </ul>
                    {v.canEditNotes && (
                      <NotesEditor
                        api={api}
                        profileId={p.id}
                        notes={p.platformNotes}
                        saved={(changed) => {
                          setNote(
                            changed
                              ? 'Platform notes saved; the change is in the audit trail.'
                              : 'Nothing to save: the platform notes are as they were.',
                          );
                          reload();
                        }}
                      />
                    )}
                  </div>
                )}
              </article>
            ))}
          </>
        )}
      </Loaded>
    </section>
  );
}
