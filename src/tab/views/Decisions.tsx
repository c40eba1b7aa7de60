import { useState } from 'react';
import {
  Badge,
  Button,
  Field,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import type { Awaiting } from '../../workflow/role-views';
import { account, AUTHORITY, label, REASON, statusWords, VIEWER } from '../../vocabulary';
import type { Client, Problem } from '../api';
import { day, Facts, Heading, Loaded, ProblemBar, SuccessNote, useLoad } from '../common';
import { useMe } from '../nav';

/**
 * What awaits the team manager's decision: each open request of their teams that they may decide, with the
 * verdict and its obligations, decided here through the same workflow command as the approval card.
 */

type Outcome = 'approve' | 'decline' | 'more-info';
const DONE: Record<Outcome, string> = {
  approve: 'approved',
  decline: 'declined',
  'more-info': 'more information asked for',
};

function Decide({
  api,
  r,
  done,
  refresh,
  ripaView,
}: {
  api: Client;
  r: Awaiting;
  /** Whether this person has the RIPA view, where an application is authorised or refused. */
  ripaView: boolean;
  done: (msg: string) => void;
  refresh: () => void;
}) {
  const [reasons, setReasons] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [gone, setGone] = useState<Problem | null>(null);
  // The team's profile may refuse an approval without reasons (000 §10): the server asks the policy.
  const approveNeeds = r.reasonsToApprove;
  const why = approveNeeds.required
    ? ` ${approveNeeds.why}${approveNeeds.citation ? ` (${approveNeeds.citation})` : ''}`
    : '';
  const decide = async (outcome: Outcome) => {
    setProblem(null);
    if ((outcome !== 'approve' || approveNeeds.required) && !reasons.trim()) {
      setProblem({
        status: 400,
        title: 'Reasons needed',
        detail:
          outcome === 'approve'
            ? `Give your reasons to approve.${why}`
            : `Give your reasons to ${outcome === 'decline' ? 'decline' : 'ask for more information'}.`,
        field: 'reasons',
      });
      return;
    }
    setBusy(true);
    const res = await api.post<{ ripaReference?: string }>(
      `/api/v1/requests/${encodeURIComponent(r.id)}/decision`,
      {
        outcome,
        expectedVersion: r.version,
        ...(reasons.trim() ? { reasons: reasons.trim() } : {}),
      },
    );
    setBusy(false);
    if (res.ok)
      done(
        `${r.caseRef}: ${DONE[outcome]}${res.value.ripaReference ? `, under RIPA authorisation ${res.value.ripaReference}` : ''}.`,
      );
    // Decided or changed elsewhere meanwhile: no decision can be made here any more. Any other refusal is
    // shown with its own reason (a 409 for the request's state is not "it changed").
    else if (res.problem.code === 'ALREADY_DECIDED' || res.problem.code === 'CONFLICT') setGone(res.problem);
    else setProblem(res.problem);
  };
  // Decided elsewhere (another tab, the card, a colleague) or changed since the page loaded: no decision
  // can be made here any more, so no button is offered; the list is refreshed on request.
  if (gone)
    return (
      <MessageBar intent="warning" role="status">
        <MessageBarBody>
          <MessageBarTitle>
            {gone.code === 'ALREADY_DECIDED'
              ? gone.field === 'yours'
                ? 'Your decision is recorded'
                : 'Already decided'
              : 'This request has changed'}
          </MessageBarTitle>
          {gone.code === 'ALREADY_DECIDED'
            ? gone.field === 'yours'
              ? `${r.caseRef}: ${gone.detail[0]!.toUpperCase()}${gone.detail.slice(1).replace(/\.?$/, '.')}`
              : /^already decided /i.test(gone.detail)
                ? `${r.caseRef} was ${gone.detail.replace(/^already decided /i, 'decided ')}.`
                : `${r.caseRef}: ${gone.detail.replace(/\.?$/, '.')}`
            : `${r.caseRef} changed after this page was loaded. Refresh to see it as it is now.`}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={refresh}>Refresh the list</Button>
        </MessageBarActions>
      </MessageBar>
    );
  // Only what the workflow would allow this person now (the same answer the approval card is made from).
  if (r.choices.route === 'ripa')
    return (
      <MessageBar intent="info" role="note">
        <MessageBarBody>
          <MessageBarTitle>Needs a RIPA authorisation</MessageBarTitle>
          {r.choices.why}{' '}
          {ripaView && <Link href="#ripa">Open the RIPA central record to authorise or refuse it.</Link>}
        </MessageBarBody>
      </MessageBar>
    );
  const may = r.choices.outcomes;
  return (
    <div>
      <Field
        label={`Your reasons for ${r.caseRef}`}
        required={approveNeeds.required}
        hint={
          approveNeeds.required
            ? `Needed to approve, to decline or to ask for more information.${why}`
            : 'Needed to decline or to ask for more information; optional to approve.'
        }
        validationMessage={problem?.field === 'reasons' ? problem.detail : undefined}
      >
        <Textarea value={reasons} onChange={(_e, d) => setReasons(d.value)} resize="vertical" />
      </Field>
      {problem && problem.field !== 'reasons' && <ProblemBar problem={problem} />}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginTop: 8 }}>
        {may.includes('approve') && (
          <Button appearance="primary" disabled={busy} onClick={() => void decide('approve')}>
            Approve
          </Button>
        )}
        {may.includes('decline') && (
          <Button disabled={busy} onClick={() => void decide('decline')}>
            Decline
          </Button>
        )}
        {may.includes('more-info') && (
          <Button disabled={busy} onClick={() => void decide('more-info')}>
            Ask for more information
          </Button>
        )}
      </div>
    </div>
  );
}

export function DecisionsView({ api }: { api: Client }) {
  const me = useMe();
  const [load, reload] = useLoad(() => api.get<Awaiting[]>('/api/v1/decisions/awaiting'), [api]);
  const [note, setNote] = useState('');
  return (
    <section aria-labelledby="decisions-h">
      <Heading>
        <span id="decisions-h">Awaiting your decision</span>
      </Heading>
      <SuccessNote text={note} />
      <Loaded load={load}>
        {(rows) =>
          rows.length ? (
            <>
              {/* The same order as the bot's "waiting for me": the longest waiting first. */}
              <Text block>
                {rows.length === 1 ? '1 request waits' : `${rows.length} requests wait`} for your decision
                {rows.length > 1 ? ', longest waiting first' : ''}.
              </Text>
              <ul aria-label="Requests awaiting your decision" style={{ listStyle: 'none', padding: 0 }}>
                {rows.map((r) => (
                  <li
                    key={r.id}
                    aria-label={`${r.caseRef}, ${label(r.reason, REASON)}`}
                    style={{
                      background: tokens.colorNeutralBackground1,
                      border: `1px solid ${tokens.colorNeutralStroke2}`,
                      borderRadius: 6,
                      padding: 12,
                      marginBottom: 8,
                    }}
                  >
                    <Text weight="semibold" block>
                      <Link href={`#child/${encodeURIComponent(r.childId)}`}>{r.caseRef}</Link> {r.childName}{' '}
                      — {r.teamName}
                    </Text>
                    <Text block size={200}>
                      Requested by {r.requesterName} on {day(r.createdAt)}.{' '}
                      <Badge appearance="outline">{statusWords(r.status)}</Badge>
                    </Text>
                    <Facts
                      facts={[
                        ['Reason', label(r.reason, REASON)],
                        ...(r.rationale ? ([['Rationale', r.rationale]] as [string, string][]) : []),
                        ...r.answers.map((a): [string, string] => [`Their answer, ${day(a.at)}`, a.text]),
                        ['Platforms', r.platforms.map(account).join('; ')],
                        ['Viewing with', label(r.viewer, VIEWER)],
                        ['Needs the decision of', label(r.authority, AUTHORITY)],
                        // The explanation names the clauses each reason rests on, in words; every clause the rules that
                        // fired cite would say them again, longer.
                        ['Policy says', r.explanation],
                        ...r.obligations.map((o, i): [string, string] => [i ? '' : 'Obligations', o.text]),
                      ]}
                    />
                    <Decide
                      api={api}
                      r={r}
                      ripaView={me.views.some((v) => v.id === 'ripa')}
                      done={(m) => {
                        setNote(m);
                        reload();
                      }}
                      refresh={() => {
                        setNote('');
                        reload();
                      }}
                    />
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <Text block>Nothing awaits your decision.</Text>
          )
        }
      </Loaded>
    </section>
  );
}
