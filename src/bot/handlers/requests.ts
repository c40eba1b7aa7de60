/** Raising, deciding, answering and withdrawing requests, and recording the check, from cards. */
import { randomUUID } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { DEFAULT_TIME_ZONE } from '../../policy/profile';
import type { Profile } from '../../policy/profile';
import { authorityInSentence, dateGb, dateTimeGb } from '../../vocabulary';
import {
  answerMoreInfo,
  decideRequest,
  previewRequest,
  raiseRequest,
  recordSurfaceEvent,
  recordCheck,
  withdrawRequest,
  type Failure,
  type VerdictSummary,
} from '../../workflow';
import type { AdaptiveCard } from '../cards/types';
import { statusCard } from '../cards/status';
import { noteAudited } from '../../workflow/refusals';
import { YOURS } from '../../workflow/requests';
import { OutOfDate, type Forms, type Turn, type VerbHandler, type VerbHandlers } from '../turn';
import { choice } from '../cards/build';
import { BOUNDS } from '../../workflow/input';
import {
  approversOf,
  earlierOpenRequest,
  checkPeople,
  findChild,
  mayRecordCheck,
  pickableChildren,
  isOutsider,
  onRipaRoute,
  knownFrom,
  nameOf,
  requestById,
  requestStateNow,
  requestView,
  standing,
  teamWithProfile,
  verdictView,
  type FoundRequest,
  type Request,
  type ViewKnown,
} from '../../workflow/queries';
import { checkUnderRipa } from '../../workflow/queries/ripa';
import { teamZone } from '../../workflow/zone';
import { decidingAuthorities, decidingProfile, staffHolds } from '../../workflow/policy-facts';
import { authorityName } from '../../policy/evaluate';
import { profileOptions } from '../reads';
import { type VerbData } from '../verbs';
import { approverCard, requestStatusCard } from '../views/approval-card';
import { errorCard, markRefusal, notYoursCard, refusalCard } from '../views/failure-card';
import { accountChoice, recordCheckCard } from '../views/record-check-card';
import { plainWords, valuesOf, type FormState } from '../views/form';
import { requestFormCard } from '../views/request-form';
import { checkCardInput, refreshUsers } from './request-cards';
import { applicationCard } from './ripa';

const OPEN = new Set(['pending', 'escalated', 'more-info']);

async function blankForm(turn: Turn, problem?: string): Promise<AdaptiveCard> {
  const teamId = turn.staff.teamIds[0];
  const teamAndProfile = teamId ? await teamWithProfile(turn.deps, teamId) : undefined;
  if (!teamAndProfile)
    return errorCard(
      'You are not in a team',
      'Overt needs to know your team to raise a request: ask your administrator.',
    );
  return requestFormCard({
    formId: randomUUID(),
    teamName: teamAndProfile.team.name,
    ...profileOptions(teamAndProfile.profile),
    ...(await pickList(turn)),
    ...(problem ? { problem } : {}),
  });
}

/** The children as a plain list when they are few (every client can pick from it), else nothing: the form
 * offers the typeahead and the case reference box. */
const pickList = async (turn: Turn) => {
  const few = await pickableChildren(turn.deps, turn.staff);
  return few ? { children: few.map((c) => choice(c.title, c.value)) } : {};
};

type Child = NonNullable<Awaited<ReturnType<typeof findChild>>>;

/** The child the form names: picked (an id), else the case reference typed; or the problem, by its input. */
async function chosenChild(
  turn: Turn,
  data: { childId?: string | undefined; childRef?: string | undefined },
): Promise<{ child: Child } | { problems: Record<string, string> }> {
  if (data.childId) {
    const child = await findChild(turn.deps, turn.staff, data.childId);
    return child ? { child } : { problems: NOT_YOUR_CHILD };
  }
  if (data.childRef) {
    const child = await findChild(turn.deps, turn.staff, data.childRef);
    return child
      ? { child }
      : {
          problems: {
            childRef: `No child with the case reference “${data.childRef}” is in your team’s cases. Check it, or choose the child above.`,
          },
        };
  }
  return { problems: { childId: 'Choose the child, or type their case reference.' } };
}

/** The form again, as it was filled in (the strings the card sent), with the verdict or the problems, each
 * under its input. */
async function filledForm(
  turn: Turn,
  values: Record<string, string>,
  extra: { verdict?: VerdictSummary; problems?: Record<string, string> },
): Promise<AdaptiveCard> {
  const ref = values['childId'] || values['childRef'];
  const child = ref ? await findChild(turn.deps, turn.staff, ref) : undefined;
  const tp = await teamWithProfile(turn.deps, child?.teamId ?? turn.staff.teamIds[0] ?? '');
  if (!tp) return blankForm(turn);
  // Kept as typed, up to what an input takes (a value past every bound would not fit in a card).
  const v = (k: string) => (values[k] ? { [k]: values[k].slice(0, BOUNDS.long) } : {});
  return requestFormCard({
    formId: values['formId'] || randomUUID(),
    teamName: tp.team.name,
    ...profileOptions(tp.profile),
    ...(await pickList(turn)),
    values: {
      ...(child ? { childId: child.id, childTitle: `${child.caseRef} · ${child.displayName}` } : {}),
      // A case reference typed that names no child of theirs stays as typed, its problem beside it.
      ...(child ? {} : v('childRef')),
      ...v('reason'),
      ...v('platforms'),
      ...v('viewer'),
      ...v('rationale'),
    },
    ...(extra.verdict ? { verdict: verdictView(extra.verdict, tp.profile) } : {}),
    ...(extra.problems ? { problems: extra.problems } : {}),
  });
}

/** The inputs of the request form, for a workflow's complaint by field. */
const REQUEST_INPUTS = new Set(['childId', 'childRef', 'reason', 'platforms', 'viewer', 'rationale']);
/** Every problem the workflow found, each by its input (the form marks them all in one reply). */
const problemAt = (
  inputs: Set<string>,
  e: { field?: string; message: string; problems?: { field: string; message: string }[] },
) => {
  const out: Record<string, string> = {};
  for (const p of e.problems ?? [e]) {
    const at = p.field && inputs.has(p.field) ? p.field : '';
    out[at] = out[at] ? `${out[at]} ${plainWords(p.message)}` : plainWords(p.message);
  }
  return out;
};
const NOT_YOUR_CHILD = { childId: 'Choose a child of your own team.' };
const requestAgain = (state: Required<FormState>, turn: Turn) =>
  filledForm(turn, state.values, { problems: state.problems });

const command = (turn: Turn, data: VerbData<'request.preview'>, child: Child) => ({
  actorId: turn.staff.id,
  childId: child.id,
  reason: data.reason,
  platforms: data.platforms,
  viewer: data.viewer,
  ...(data.rationale ? { rationale: data.rationale } : {}),
});

const onRequestPreview: VerbHandler<'request.preview'> = async (data, turn) => {
  const values = valuesOf(data);
  values['platforms'] = data.platforms.map((p) => `${p.platform}: ${p.account}`).join('\n');
  const chosen = await chosenChild(turn, data);
  if ('problems' in chosen) return filledForm(turn, values, chosen);
  const v = await previewRequest(turn.deps, command(turn, data, chosen.child));
  return v.ok
    ? filledForm(turn, values, { verdict: v.value })
    : filledForm(turn, values, { problems: problemAt(REQUEST_INPUTS, v.error) });
};

const onRequestSend: VerbHandler<'request.send'> = async (data, turn) => {
  const values = valuesOf(data);
  values['platforms'] = data.platforms.map((p) => `${p.platform}: ${p.account}`).join('\n');
  const chosen = await chosenChild(turn, data);
  if ('problems' in chosen) return filledForm(turn, values, chosen);
  const r = await raiseRequest(turn.deps, {
    key: `raise:${data.formId}`,
    ...command(turn, data, chosen.child),
  });
  if (!r.ok)
    return r.error.verdict
      ? filledForm(turn, values, {
          verdict: r.error.verdict as VerdictSummary,
          problems: problemAt(REQUEST_INPUTS, r.error),
        })
      : filledForm(turn, values, { problems: problemAt(REQUEST_INPUTS, r.error) });
  const request = r.value.request;
  if (!r.replayed) turn.after(() => turn.outbox.followUps());
  // Said as it stands when the turn is answered: saved, and on its way to the people named; whether it
  // reached them is known only after the answer, and the requester is told then if it did not.
  const approvers = await approversOf(turn.deps, request);
  const names = await Promise.all(approvers.slice(0, 3).map((id) => nameOf(turn.deps, id)));
  // The authority as the profile names it ("the team manager", "information governance"), never an id.
  const profile = decidingProfile(
    turn.deps,
    request,
    (await teamWithProfile(turn.deps, request.teamId))?.profile,
  );
  const authority = authorityName(request.authority as never, profile);
  const who =
    names.length === 0
      ? undefined
      : approvers.length > 3
        ? `${names.join(', ')} and ${approvers.length - 3} others`
        : names.join(' and ');
  // The same person's earlier request for this child, for the same reason, still undecided (walk 13b: two sent
  // within seconds were both accepted, with no word). Warned of, not refused: a second may be meant (other
  // accounts, new information), and the one who decides sees both; a double press is withdrawn in one click.
  const earlier = await earlierOpenRequest(turn.deps, request);
  const twice = earlier
    ? ` You already have a request for this child for the same reason waiting for a decision, sent ${dateTimeGb(earlier.createdAt, profile?.timeZone)}: if this one was sent twice by mistake, withdraw it below.`
    : '';
  return requestCard(turn, request.id, {
    text: who
      ? `Request saved. Overt is sending it to ${approvers.length > 1 ? `the people who may decide as ${authority}` : authority}, ${who}, to decide. You will be told here of the decision, or straight away if Overt cannot reach them.${twice}`
      : `Request saved, but nobody in Overt may decide it for this team (nobody is set up as ${authority}). The service manager is being told; the request waits until someone is.${twice}`,
    tone: who && !earlier ? 'good' : 'warning',
  });
};

/** A request as this person may see it: read now, or as a command just left it. */
export async function requestCard(
  turn: Turn,
  requestId: string,
  note?: { text: string; tone: 'good' | 'warning' | 'attention' },
  given?: { found: FoundRequest; known: ViewKnown },
  knownApprovers?: string[],
  form?: FormState,
): Promise<AdaptiveCard> {
  const found = given?.found ?? (await requestById(turn.deps, requestId));
  if (!found) return errorCard('No such request', `requestId: Overt has no request "${requestId}".`);
  const r = found.record;
  const teamAndProfile = given?.known.profile ? undefined : await teamWithProfile(turn.deps, r.teamId);
  const profile = decidingProfile(turn.deps, r, given?.known.profile ?? teamAndProfile?.profile);
  const approvers = knownApprovers ?? (await approversOf(turn.deps, r, profile));
  const who = await standing(turn.deps, turn.staff, r, approvers);
  if (who === 'outsider')
    return notYoursCard(
      'Not a request of your team',
      'requestId: this request belongs to another team; nothing was done.',
    );
  if (who === 'team')
    return (
      movedOn(turn, r, profile, note) ??
      notYoursCard(
        'Not yours to see',
        'This request is shown only to the person who asked and to those who may decide it; nothing was done.',
      )
    );
  const known: ViewKnown = { ...given?.known, ...(profile ? { profile } : {}) };
  const [view, users] = await Promise.all([
    requestView(turn.deps, found, known),
    refreshUsers(turn.deps, r, approvers, turn.userId),
  ]);
  if (!view) return errorCard('No such request', `requestId: Overt has no request "${requestId}".`);
  // A repeat viewing on the RIPA route: the authorising officer records the authorisation or refuses it.
  if (who === 'approver' && !note && onRipaRoute(r) && turn.staff.role === 'authorised-officer')
    return applicationCard(turn, r.id);
  if (who === 'approver' && OPEN.has(r.status) && !note) return approverCard(view, users, form);
  return requestStatusCard(view, users, {
    requester: who === 'requester',
    mayRecord: who === 'requester' || mayRecordCheck(turn.staff, r),
    ...(note ? { note } : {}),
    ...(form ? { state: form } : {}),
  });
}

/**
 * A card's Open, or the refresh Teams runs for the people a card lists: the details only to the requester and
 * to those who may decide. Anyone else — a colleague in the channel where the card was posted — is told it
 * is not theirs to see. Every reveal by hand, every reveal where others can read the conversation, and every
 * refusal is an audit event.
 */
const onRequestRefresh: VerbHandler<'request.refresh'> = async (data, turn) => {
  const found = await requestById(turn.deps, data.requestId);
  if (!found) return requestCard(turn, data.requestId);
  const r = found.record;
  const profile = decidingProfile(turn.deps, r, (await teamWithProfile(turn.deps, r.teamId))?.profile);
  const approvers = await approversOf(turn.deps, r, profile);
  const who = await standing(turn.deps, turn.staff, r, approvers);
  const entitled = who === 'requester' || who === 'approver';
  if (!entitled || !turn.automatic || turn.conversationType !== 'personal')
    await auditView(turn, r.id, entitled ? 'allow' : 'refuse', who);
  if (!entitled)
    return (
      (who === 'team' && movedOn(turn, r, profile)) ||
      notYoursCard(
        'Not yours to see',
        who === 'outsider'
          ? 'requestId: this request belongs to another team; nothing was shown.'
          : 'This request is shown only to the person who asked and to those who may decide it.',
      )
    );
  return requestCard(turn, data.requestId, undefined, undefined, approvers);
};

/**
 * A request that went on to a higher authority, shown to someone of its team who decides for the team's
 * profile but not at that authority (the team manager whose card it was): where it went and when, and that
 * it is theirs now — the truth, with nothing of the request they may no longer see. Anyone else of the team
 * is told it is not theirs to see.
 */
export function movedOn(
  turn: Turn,
  r: Request,
  profile: Profile | undefined,
  note?: { text: string; tone: 'good' | 'warning' | 'attention' },
): AdaptiveCard | undefined {
  if (!profile || r.status !== 'escalated') return undefined;
  // Who holds an authority is the profile's to say — by role, or by a holder (a flag, a group, a role in the
  // child's own team): the custom profiles' "child's own team manager" is held by a holder, not a role.
  const holdsHere = (a: string) => staffHolds(profile, a, turn.staff, r.teamId);
  const deciding = new Set(
    profile.rules.flatMap((x) =>
      x.effect === 'allow' || x.effect === 'escalate' ? (x.authority ?? []) : [],
    ),
  );
  if (![...deciding].some(holdsHere) || decidingAuthorities(profile, r).some(holdsHere)) return undefined;
  // The authority as the profile names it ("information governance", "a manager"), never a de-hyphenated id.
  const to = authorityName(r.authority as never, profile);
  const zone = profile.timeZone;
  const where = `This request went to ${to} on ${dateGb(r.updatedAt, zone)}: it is for them to decide now, and only they and the person who asked see it.`;
  const card = statusCard({
    title: note ? 'Sent on to a higher authority' : `With ${to}`,
    detail: note ? `${note.text}\n\n${where}` : `${where} Nothing was done.`,
    tone: note?.tone === 'good' ? 'success' : 'warning',
  });
  return note ? card : markRefusal(card, where, 'sender');
}

async function auditView(turn: Turn, requestId: string, outcome: 'allow' | 'refuse', who: string) {
  await recordSurfaceEvent(turn.deps, `view:${requestId}:${turn.staff.id}:${turn.activityId}`, {
    action: 'request.view',
    actor: turn.staff,
    requestId,
    outcome,
    details: {
      via: turn.automatic ? 'card refresh' : 'card Open',
      conversationType: turn.conversationType,
      standing: who,
    },
  });
  // This refusal's event is written here: the route table must not write a second (refusals.ts).
  if (outcome === 'refuse') noteAudited(turn.deps);
}

const DONE: Record<'approve' | 'decline' | 'more-info', string> = {
  approve: 'You approved this request.',
  decline: 'You declined this request.',
  'more-info': 'You asked the requester for more information.',
};

function decide(outcome: 'approve' | 'decline' | 'more-info') {
  return async (data: VerbData<'request.approve'>, turn: Turn): Promise<AdaptiveCard | OutOfDate> => {
    const found = await requestById(turn.deps, data.requestId);
    if (!found)
      return errorCard(
        'No such request',
        `requestId: Overt has no request "${data.requestId}"; nothing was done.`,
      );
    if (await isOutsider(turn.deps, turn.staff, found.record))
      return notYoursCard(
        'Not a request of your team',
        'requestId: this request belongs to another team; nothing was done.',
      );
    const r = await decideRequest(turn.deps, {
      key: `decide:${data.requestId}:${turn.activityId}`,
      actorId: turn.staff.id,
      requestId: data.requestId,
      outcome,
      ...(data.reasons ? { reasons: data.reasons } : {}),
      // The version the card showed (a card without one never reaches here: routes.ts).
      expectedVersion: data.version,
      // Read with the request inside the workflow, and checked against it there.
      childId: found.record.childId,
      teamId: found.record.teamId,
    });
    if (!r.ok && OutOfDate.of(r.error)) return OutOfDate.of(r.error)!;
    if (!r.ok)
      return decisionFailure(turn, data.requestId, r.error, { values: { reasons: data.reasons ?? '' } });
    const id = data.requestId;
    const request = r.value.request;
    // The copies updated, the requester told, the cards sent on: kept with the decision, done after the answer.
    if (!r.replayed) turn.after(() => turn.outbox.followUps());
    // An approval the policy sent on (the child's record changed meanwhile, e.g. another check approved, or the
    // RIPA authorisation that covered it cancelled). Sent on to the very person who pressed Approve (the
    // authorising officer), it says what they do now, never that it is going on to them.
    const theirsNow =
      request.status === 'escalated' && (await approversOf(turn.deps, request)).includes(turn.staff.id);
    const note =
      request.status === 'escalated'
        ? ({
            text: !theirsNow
              ? `Not approved: the policy now needs a decision by ${authorityInSentence(request.authority)}, and Overt is sending it on to them.`
              : onRipaRoute(request)
                ? 'Not approved: no RIPA authorisation in force covers this repeat viewing now, so it needs one of its own. Record the authorisation below, or refuse it.'
                : `Not approved: the policy now needs a decision by ${authorityInSentence(request.authority)}, which you may give: decide it again below.`,
            tone: 'warning',
          } as const)
        : ({
            text: r.value.ripaReference
              ? `You approved this request, under RIPA authorisation ${r.value.ripaReference}.`
              : DONE[outcome],
            tone: outcome === 'approve' ? 'good' : 'warning',
          } as const);
    // Theirs to authorise now: the application in front of them, with what became of their approval.
    if (theirsNow && onRipaRoute(request) && turn.staff.role === 'authorised-officer')
      return applicationCard(turn, id, { note: note.text });
    // The card is made from what the decision returned: the request as it left it, and the decision itself.
    const given = r.version
      ? {
          found: { record: request, version: r.version },
          known: {
            ...(r.facts ? knownFrom(turn.deps, r.facts) : {}),
            people: [turn.staff],
            ...(r.value.decisionId
              ? {
                  decided: {
                    by: turn.staff.name,
                    at: request.updatedAt,
                    outcome,
                    reasons: data.reasons ?? '',
                  },
                }
              : {}),
          },
        }
      : undefined;
    return requestCard(turn, id, note, given);
  };
}

async function decisionFailure(
  turn: Turn,
  requestId: string,
  e: Failure,
  form?: FormState,
): Promise<AdaptiveCard> {
  switch (e.code) {
    case 'ALREADY_DECIDED':
      // Their own decision, pressed again: told it is recorded, and nothing refused.
      if (e.field === YOURS)
        return requestCard(turn, requestId, { text: `${plainWords(e.message)}.`, tone: 'good' });
      return markRefusal(
        await requestCard(turn, requestId, {
          // "already decided (approved) by … on …", or the request's state in a sentence (requestStateSentence).
          text: /^already decided/.test(e.message)
            ? `This request was ${e.message}.`
            : `${plainWords(e.message)}.`,
          tone: 'attention',
        }),
        e.message,
      );
    case 'POLICY_REFUSED': {
      const r = (await requestById(turn.deps, requestId))?.record;
      // The version the request is decided under (decidingProfile): its words and rules are the refusal's.
      const profile =
        r && decidingProfile(turn.deps, r, (await teamWithProfile(turn.deps, r.teamId))?.profile);
      // Refused because it is no longer theirs to decide: say where it went, not the request's details.
      const moved =
        r &&
        (await standing(turn.deps, turn.staff, r, await approversOf(turn.deps, r, profile))) === 'team' &&
        movedOn(turn, r, profile);
      if (moved) return moved;
      // Refused for want of reasons (a profile that needs an approver's reasons): the same card, the rule's
      // words under the reasons box, what was typed kept.
      const wantsReasons = (e.verdict as VerdictSummary | undefined)?.determining.some(
        (id) => profile?.rules.find((x) => x.id === id)?.when.reasons === 'absent',
      );
      if (wantsReasons && form)
        return requestCard(turn, requestId, undefined, undefined, undefined, {
          ...form,
          problems: { reasons: plainWords(e.message) },
        });
      return refusalCard(
        'The policy does not allow this decision',
        e.message,
        verdictView(e.verdict as VerdictSummary, profile),
      );
    }
    case 'WRONG_STATE': {
      // Approving a repeat viewing before its RIPA authorisation: the application, with why.
      const r = (await requestById(turn.deps, requestId))?.record;
      if (r && onRipaRoute(r) && turn.staff.role === 'authorised-officer')
        return applicationCard(turn, requestId, {
          problem: { input: 'form', message: 'Record the authorisation below, or refuse it.' },
          form: 'authorise',
        });
      return errorCard('Not allowed', e.message);
    }
    default:
      if (e.code === 'INVALID_INPUT' && e.field === 'reasons' && form)
        return requestCard(turn, requestId, undefined, undefined, undefined, {
          ...form,
          problems: { reasons: plainWords(e.message) },
        });
      return errorCard(
        e.code === 'INVALID_INPUT' ? 'Something is missing' : 'Not allowed',
        plainWords(e.message),
      );
  }
}

/** A decision's card sent with something missing (decline or more information without reasons): the approver's
 * card again, what was typed kept, the problem under the reasons box. */
const decisionAgain = (state: Required<FormState>, turn: Turn) =>
  state.values['requestId'] && typeof state.values['requestId'] === 'string'
    ? requestCard(turn, state.values['requestId'], undefined, undefined, undefined, state)
    : Promise.resolve(errorCard('This card is out of date', 'Open the request again from “waiting for me”.'));

const onRequestAnswer: VerbHandler<'request.answer'> = async (data, turn) => {
  const r = await answerMoreInfo(turn.deps, {
    key: `answer:${data.formId}`,
    actorId: turn.staff.id,
    requestId: data.requestId,
    answer: data.rationale,
    expectedVersion: data.version,
  });
  if (!r.ok && OutOfDate.of(r.error)) return OutOfDate.of(r.error)!;
  if (!r.ok)
    return r.error.verdict
      ? decisionFailure(turn, data.requestId, r.error)
      : requestCard(turn, data.requestId, undefined, undefined, undefined, {
          values: { rationale: data.rationale },
          problems: { rationale: plainWords(r.error.message) },
        });
  const request = r.value.request;
  if (!r.replayed) turn.after(() => turn.outbox.followUps());
  return requestCard(turn, request.id, {
    text: 'Your answer is saved. Overt is sending it to the approver.',
    tone: 'good',
  });
};

const onRequestWithdraw: VerbHandler<'request.withdraw'> = async (data, turn) => {
  const r = await withdrawRequest(turn.deps, {
    key: `withdraw:${data.requestId}:${turn.staff.id}`,
    actorId: turn.staff.id,
    requestId: data.requestId,
    expectedVersion: data.version,
  });
  if (!r.ok && OutOfDate.of(r.error)) return OutOfDate.of(r.error)!;
  if (!r.ok) return errorCard('The request was not withdrawn', r.error.message);
  if (!r.replayed) turn.after(() => turn.outbox.followUps());
  return requestCard(turn, data.requestId, { text: 'You withdrew this request.', tone: 'warning' });
};

async function checkForm(
  turn: Turn,
  requestId: string,
  problem?: string,
  state?: FormState,
): Promise<AdaptiveCard> {
  const found = await requestById(turn.deps, requestId);
  const view = found && (await requestView(turn.deps, found));
  if (!found || !view)
    return errorCard('No such request', 'Overt has no such request: open it again from “my requests”.');
  // The person who asked records it — or, where the team manager with social media responsibility views on
  // their behalf (000 §13), that manager.
  if (!mayRecordCheck(turn.staff, found.record))
    return notYoursCard(
      'Not yours to record',
      found.record.viewer === 'social-media-responsible-manager'
        ? 'Only the person who asked, or the team manager with social media responsibility who viewed, records the check.'
        : 'Only the person who asked records the check.',
    );
  // Its check already recorded (a "Record the check" pressed again, an old card reopened): the request as it
  // stands, in the one sentence of its state — when, and by whom — and nothing refused.
  if (found.record.status === 'completed')
    return requestCard(turn, requestId, {
      text: `${await requestStateNow(turn.deps, found.record)}.`,
      tone: 'good',
    });
  // A refusal like any other (routes.ts records it): the check cannot be recorded on this request.
  // (Stopped with its RIPA authorisation, a viewing done while it covered it may still be recorded: the form,
  // whose viewing date the workflow judges by the authorisation.)
  if (found.record.status !== 'approved' && found.record.status !== 'stopped') {
    const state = `${await requestStateNow(turn.deps, found.record)}: there is no check to record on it.`;
    return markRefusal(await requestCard(turn, requestId, { text: state, tone: 'attention' }), state);
  }
  const underRipa = await checkUnderRipa(turn.deps, found.record);
  return recordCheckCard({
    ...checkCardInput(
      view,
      turn.deps.clock(),
      await checkPeople(turn.deps, found.record),
      turn.staff.id,
      problem,
    ),
    ...(underRipa ? { underRipa } : {}),
    ...(state ? { state } : {}),
  });
}

/** Where a workflow's complaint about a check belongs on the form: the input it is about. */
const CHECK_INPUTS: Record<string, string> = {
  viewedAt: 'viewedDate',
  accounts: 'accounts',
  thirdPartyData: 'thirdPartyData',
  thirdPartyRationale: 'thirdPartyRationale',
  thirdPartyAuthorisedBy: 'thirdPartyAuthorisedBy',
  viewerId: 'viewerId',
  attestNoFriendFollow: 'attestNoFriendFollow',
  attestOpenSourceOnly: 'attestOpenSourceOnly',
  relevantInfo: 'relevantInfo',
  safeguardingFollowUp: 'safeguardingFollowUp',
};

/** A rule's condition that names the input it is about, before any other condition of the rule: who
 * authorised keeping other people's information, and who viewed (000 §13, §17). */
const RULE_INPUTS: [string, string][] = [
  ['thirdPartyAuthoriserRoleNotIn', 'thirdPartyAuthorisedBy'],
  ['byRoleNotIn', 'viewerId'],
  ['bySocialMediaResponsibility', 'viewerId'],
];

/** A policy refusal of a check, by the inputs its determining rules are about (each rule's own explanation
 * under its input); what is about no input goes at the top. */
async function policyProblems(
  turn: Turn,
  teamId: string | undefined,
  verdict: VerdictSummary | undefined,
  message: string,
): Promise<Record<string, string>> {
  const profile = teamId ? (await teamWithProfile(turn.deps, teamId))?.profile : undefined;
  const out: Record<string, string> = {};
  for (const id of verdict?.determining ?? []) {
    const rule = profile?.rules.find((r) => r.id === id);
    const keys = Object.keys(rule?.when ?? {});
    const input =
      RULE_INPUTS.filter(([k]) => keys.includes(k)).map(([, v]) => v)[0] ??
      keys.map((k) => CHECK_INPUTS[k]).find(Boolean);
    if (rule && input) out[input] ??= plainWords(rule.explain);
  }
  if (!Object.keys(out).length) out[''] = plainWords(message);
  return out;
}

const checkAgain = (state: Required<FormState>, turn: Turn) =>
  state.values['requestId']
    ? checkForm(turn, state.values['requestId'], undefined, state)
    : Promise.resolve(errorCard('This card is out of date', 'Open the check again from “my requests”.'));

const onCheckRecord: VerbHandler<'check.record'> = async (data, turn) => {
  const values = valuesOf(data);
  const again = (problems: Record<string, string>) =>
    checkForm(turn, data.requestId, undefined, { values, problems });
  const request = await requestById(turn.deps, data.requestId);
  // The accounts ticked, by their choice ids (their place in the request's list), never by their text.
  const ticked = data.accounts
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const approved = request?.record.platforms ?? [];
  const accounts = approved.filter((_, n) => ticked.includes(accountChoice(n)));
  // None ticked is said with the form's other problems (the workflow's); an account the card never listed
  // (a forged or stale card) is refused alone.
  if (accounts.length !== ticked.length) return again({ accounts: 'Tick only the accounts listed here.' });
  const [y, m, d] = data.viewedDate.split('-').map(Number) as [number, number, number];
  const [hh, mm] = data.viewedTime.split(':').map(Number) as [number, number];
  // The date and time typed are on the calendar of the request's team (its profile's time zone).
  const zone = request ? await teamZone(turn.deps, request.record.teamId) : DEFAULT_TIME_ZONE;
  const viewedAt = new TZDate(y, m - 1, d, hh, mm, zone).toISOString();
  const r = await recordCheck(turn.deps, {
    key: `check:${data.formId}`,
    actorId: turn.staff.id,
    requestId: data.requestId,
    expectedVersion: data.version,
    viewedAt,
    accounts,
    ...(data.viewerId ? { viewerId: data.viewerId } : {}),
    relevantInfo: data.relevantInfo,
    thirdPartyData: data.thirdPartyData,
    ...(data.thirdPartyData === 'kept' && data.thirdPartyRationale
      ? { thirdPartyRationale: data.thirdPartyRationale }
      : {}),
    ...(data.thirdPartyData === 'kept' && data.thirdPartyAuthorisedBy
      ? { thirdPartyAuthorisedBy: data.thirdPartyAuthorisedBy }
      : {}),
    sensitive: data.sensitive,
    ...(data.safeguardingFollowUp ? { safeguardingFollowUp: data.safeguardingFollowUp } : {}),
    attestNoFriendFollow: data.attestNoFriendFollow,
    attestOpenSourceOnly: data.attestOpenSourceOnly,
  });
  if (!r.ok && OutOfDate.of(r.error)) return OutOfDate.of(r.error)!;
  if (!r.ok) {
    // The form again, as filled in: every problem by the input it is about, in plain words, in one reply —
    // what was typed wrong and what the policy refuses together. (None ticked is told by what was sent, never
    // by the workflow's words.)
    const typed = (r.error.code === 'INVALID_INPUT' ? (r.error.problems ?? [r.error]) : []).map(
      (p) =>
        [
          CHECK_INPUTS[p.field ?? ''] ?? '',
          p.field === 'accounts' && !accounts.length
            ? 'Tick the accounts you looked at.'
            : plainWords(p.message),
        ] as const,
    );
    if (r.error.code === 'POLICY_REFUSED' || (typed.length && r.error.verdict))
      return again({
        ...(await policyProblems(
          turn,
          request?.record.teamId,
          r.error.verdict as VerdictSummary | undefined,
          r.error.code === 'POLICY_REFUSED'
            ? r.error.message
            : ((r.error.verdict as VerdictSummary).explanation ?? r.error.message),
        )),
        ...Object.fromEntries(typed),
      });
    if (typed.length) return again(Object.fromEntries(typed));
    // The same card sent again with other details after it was recorded: the first record stands.
    if (r.error.code === 'CONFLICT' && r.error.field === 'key')
      return errorCard(
        'The check was not recorded again',
        `This form ${r.error.message.replace(/^this /, '')}.`,
      );
    return again({ [CHECK_INPUTS[r.error.field ?? ''] ?? '']: plainWords(r.error.message) });
  }
  if (!r.replayed) turn.after(() => turn.outbox.followUps());
  return statusCard({
    title: 'Check recorded',
    tone: 'success',
    facts: [
      ['Viewed', dateTimeGb(viewedAt, zone)],
      ['Accounts', accounts.map((a) => `${a.platform}: ${a.account}`).join('; ')],
      ...(r.value.ripaReference
        ? [['Done under', `RIPA authorisation ${r.value.ripaReference}`] as [string, string]]
        : []),
    ],
  });
};

/** The verbs this file answers (the whole table is routes.ts's). */
export const requestVerbs = {
  'request.new': (data, turn) =>
    data.childId ? filledForm(turn, { childId: data.childId }, {}) : blankForm(turn),
  'request.preview': onRequestPreview,
  'request.send': onRequestSend,
  'request.refresh': onRequestRefresh,
  'request.approve': decide('approve'),
  'request.decline': decide('decline'),
  'request.more-info': decide('more-info'),
  'request.answer': onRequestAnswer,
  'request.withdraw': onRequestWithdraw,
  'check.open': (data, turn) => checkForm(turn, data.requestId),
  'check.record': onCheckRecord,
} satisfies Partial<VerbHandlers>;

/** The forms this file's verbs come from (routes.ts sends a malformed one back as filled in). */
export const requestForms: Forms = {
  'request.preview': { again: requestAgain },
  'request.send': { again: requestAgain },
  'request.approve': { again: decisionAgain },
  'request.decline': {
    again: decisionAgain,
    needs: { reasons: 'Give your reasons for declining: they are recorded, and the requester is told them.' },
  },
  'request.more-info': {
    again: decisionAgain,
    needs: { reasons: 'Say what more information you need: the requester is asked it.' },
  },
  'request.answer': {
    again: decisionAgain,
    needs: { rationale: 'Write your answer: what is new, and why the check is necessary and proportionate.' },
  },
  'check.record': { again: checkAgain },
};
