import { fingerprint } from '../policy/authority';
import { addDays } from 'date-fns';
import { z } from 'zod';
import { Authority, type HistoryEvent } from '../policy/situation';
import type { Profile } from '../policy/profile';
import type { Child, Delegation, Request, Staff, Team } from '../store/records';
import type { Versioned } from '../store/store';
import {
  childFactsCommand,
  afresh,
  cmdOf,
  canActForTeam,
  commit,
  commitVersioned,
  guardChild,
  nowIso,
  STALE,
  staleChild,
  type Stale,
  refuse,
  copyOfThis,
  decisionFacts,
  historyFrom,
  openChildCommand,
  openRequestCommand,
  profileOf,
  verdictSummary,
  type Cmd,
  type DecisionFacts,
  type VerdictSummary,
} from './context';
import {
  CardVersion,
  cardOutOfDate,
  Id,
  Key,
  OptionalReasons,
  parse,
  PlatformAccounts,
  Reasons,
  ShortText,
  type Given,
} from './input';
import { decisionAudit, type VerdictGiven } from './decision-record';
import {
  decisionReasonsClauses,
  policyActor,
  policyRefusal,
  decidingAuthorities,
  decidingProfile,
  staffHolds,
  verdictFor,
  givenRationale,
} from './policy-facts';
import { declaredReasons, profileOptions } from '../policy/profile';
import { authorityName } from '../policy/evaluate';
import { fail, ok, type Deps, type Failure, type Outcome } from './types';
import { teamZone } from './zone';
import { coverFor, otherPurposeInForce, reliesOnRipa, type RipaScope } from './ripa-cover';
import { dayOf } from '../policy/days';
import {
  citations,
  dateTimeGb,
  DECIDED,
  label,
  phrase,
  REASON,
  requestStateSentence,
  VIEWER,
} from '../vocabulary';

export const RaiseInput = z.object({
  key: Key,
  actorId: Id,
  childId: Id,
  reason: ShortText,
  platforms: PlatformAccounts.min(1, 'name at least one platform and account'),
  viewer: ShortText,
  rationale: OptionalReasons,
});
export type RaiseInput = z.input<typeof RaiseInput>;

export interface Raised {
  request: Request;
  verdict: VerdictSummary;
}

interface Ctx {
  staff: Staff;
  child: Child;
  team: Team;
  profile: Profile;
}

/** Who, which child, which team and profile: the common look-ups of raise and preview. */
/** Who, which child, which team and profile, and the child's record: read together. */
async function load<T>(
  deps: Deps,
  c: Cmd | undefined,
  i: { actorId: string; childId: string },
  scope: RipaScope,
): Promise<
  { done: Outcome<T> } | (Ctx & { history: HistoryEvent[]; childVersion: string; otherPurpose: string[] })
> {
  const opened = await openChildCommand<T>(deps, c, i, true);
  if ('done' in opened) return opened;
  const { staff, child, childVersion, team, profile, records } = opened;
  const otherPurpose = otherPurposeInForce(
    records!.ripas,
    records!.requests,
    scope,
    dayOf(deps.clock().toISOString(), profile.timeZone),
    profile.timeZone,
    (r) => phrase(r, profile.reasons),
  );
  return {
    staff,
    child,
    childVersion,
    team,
    profile,
    history: historyFrom(child, records!, scope),
    otherPurpose,
  };
}

/** A verdict that sends a repeat to the RIPA route, told why an authorisation in force for this child does not
 * cover it (granted for another purpose): named, with its purpose and its end (issue 13 walk, finding 1). */
function withOtherPurpose<V extends { outcome: string; authority?: string | null; explanation: string }>(
  verdict: V,
  otherPurpose: readonly string[],
): V {
  if (
    verdict.outcome !== 'needs-escalation' ||
    verdict.authority !== 'authorised-officer' ||
    !otherPurpose.length
  )
    return verdict;
  return { ...verdict, explanation: [verdict.explanation, ...otherPurpose].join(' ') };
}

function requestAction(
  ctx: Ctx,
  i: Pick<z.infer<typeof RaiseInput>, 'reason' | 'viewer' | 'platforms' | 'rationale'>,
) {
  return {
    type: 'request-check' as const,
    by: policyActor(ctx.staff),
    reason: i.reason,
    viewer: i.viewer,
    platforms: i.platforms.map((p) => p.platform),
    ...(i.rationale ? { rationale: i.rationale } : {}),
  };
}

/** What the policy would say, before the case manager sends: nothing is written. */
export async function previewRequest(
  deps: Deps,
  input: Omit<RaiseInput, 'key'>,
): Promise<Outcome<VerdictSummary>> {
  const parsed = parse(RaiseInput.omit({ key: true }), input);
  if (!parsed.ok) return parsed;
  const ctx = await load<VerdictSummary>(deps, undefined, parsed.value, parsed.value);
  if ('done' in ctx) return ctx.done;
  return ok(
    verdictSummary(
      withOtherPurpose(
        await verdictFor(deps, ctx.profile, ctx.child, requestAction(ctx, parsed.value), ctx.history),
        ctx.otherPurpose,
      ),
    ),
  );
}

/** The reason one of the ids the team's profile offers (the form's choices); the viewing method one it offers or
 * one the policy can refuse by its clause. */
function choiceProblem(profile: Profile, i: { reason: string; viewer: string }): Failure | undefined {
  const problems: { field: string; message: string }[] = [];
  const { reasons, viewers } = profileOptions(profile);
  // A profile that declares its reasons takes no other. One that does not (the built-ins) refuses a reason Overt
  // knows but its list lacks by a rule, and that refusal cites the clause (000 §3's criteria); an unknown one
  // (a forged or mistyped choice) stops here.
  const known = reasons.includes(i.reason) || (!declaredReasons(profile) && Object.hasOwn(REASON, i.reason));
  if (reasons.length && !known)
    problems.push({
      field: 'reason',
      message: `${profile.name} does not recognise this reason; choose one of ${reasons.map((r) => profile.reasons?.[r] ?? label(r, REASON)).join('; ')}`,
    });
  // A viewing method Overt knows but the profile does not offer (a personal account where the policy forbids
  // one) goes on to the policy, whose refusal cites the clause that forbids it; only an unknown one stops here.
  if (viewers.length && !viewers.includes(i.viewer) && !Object.hasOwn(VIEWER, i.viewer))
    problems.push({
      field: 'viewer',
      message: `choose how it will be viewed: ${viewers.map((v) => label(v, VIEWER)).join('; ')}`,
    });
  const [first] = problems;
  if (!first) return undefined;
  return {
    code: 'INVALID_INPUT',
    message: `${first.field}: ${first.message}`,
    field: first.field,
    ...(problems.length > 1 ? { problems } : {}),
  };
}

/** Raise a check request: facts → policy → a pending (or escalated) request and its audit event, or an
 * audited refusal that writes nothing else. */
export async function raiseRequest(deps: Deps, input: RaiseInput): Promise<Outcome<Raised>> {
  return childFactsCommand(RaiseInput, 'request.raise', input, (parsed, c) => raiseOnce(deps, parsed, c));
}

async function raiseOnce(
  deps: Deps,
  i: z.infer<typeof RaiseInput>,
  c: Cmd,
): Promise<Outcome<Raised> | Stale> {
  const ctx = await load<Raised>(deps, c, i, i);
  if ('done' in ctx) return ctx.done;
  const { staff, child, childVersion, team, profile, history } = ctx;
  const target = { kind: 'child', id: child.id };
  const who = { id: staff.id, role: staff.role };
  if (!canActForTeam(staff, child.teamId))
    return refuse(
      deps,
      c,
      { actor: who, action: 'request.raise', target },
      {
        code: 'FORBIDDEN',
        message: `childId: ${child.caseRef} is not a child of your team`,
        field: 'childId',
      },
    );
  // A reason or a viewing method the team's profile does not offer is refused before the policy is asked (a
  // forged or mistyped card: a choice is one of its ids, never any text), both at once.
  const choices = choiceProblem(profile, i);
  if (choices) return refuse(deps, c, { actor: who, action: 'request.raise', target }, choices);
  const verdict = withOtherPurpose(
    await verdictFor(deps, profile, child, requestAction(ctx, i), history),
    ctx.otherPurpose,
  );
  if (verdict.outcome === 'refuse')
    return refuse(
      deps,
      c,
      {
        actor: who,
        action: 'request.raise',
        target,
        ...decisionAudit(verdict, {
          reason: i.reason,
          viewer: i.viewer,
          platforms: i.platforms.map((p) => p.platform),
          determining: [...verdict.determining],
        }),
      },
      policyRefusal(profile, verdict),
    );
  const at = nowIso(deps);
  const request: Request = {
    id: deps.ids(),
    childId: child.id,
    teamId: child.teamId,
    requesterId: staff.id,
    reason: i.reason,
    platforms: i.platforms,
    viewer: i.viewer,
    ...(i.rationale ? { rationale: i.rationale } : {}),
    status: verdict.outcome === 'needs-escalation' ? 'escalated' : 'pending',
    authority: verdict.authority ?? 'team-manager',
    profileId: profile.id,
    profileVersion: profile.version,
    verdict: verdictSummary(verdict),
    createdAt: at,
    updatedAt: at,
    expiresAt: addDays(deps.clock(), deps.settings.decideWithinDays).toISOString(),
  };
  const value: Raised = { request, verdict: verdictSummary(verdict) };
  const r = await commit(
    deps,
    c,
    [{ kind: 'request', record: request, ifVersion: null }, guardChild(child, childVersion)],
    [
      {
        actor: who,
        action: 'request.raise',
        target: { kind: 'request', id: request.id },
        ...decisionAudit(verdict, {
          childId: child.id,
          teamId: team.id,
          status: request.status,
          authority: request.authority,
          determining: [...verdict.determining],
        }),
      },
    ],
    value,
  );
  if (staleChild(r)) return STALE;
  return 'conflict' in r ? fail('CONFLICT', 'the request could not be saved: try again') : r;
}

/** Who decides which request, how and as what: what a decider's standing is checked on before their reasons
 * are looked at (`parseGiven`). */
const DecideTarget = z.object({
  key: Key,
  actorId: Id,
  requestId: Id,
  outcome: z.enum(['approve', 'decline', 'more-info']),
  /** The authority the decider acts as; by default the one the request needs. */
  authority: Authority.optional(),
  /**
   * The version the card showed; a different current version means the card is stale. `null`: the action
   * named no version (a card that did not carry it, or data made by hand) — treated as stale, never as "any".
   */
  expectedVersion: CardVersion,
  /** Ids the card already shows, so the facts can be read with the request (checked against it). */
  childId: Id.optional(),
  teamId: Id.optional(),
});

export const DecideInput = DecideTarget.extend({ reasons: OptionalReasons }).superRefine((d, ctx) => {
  // A decline without reasons is refused once the team's profile is known, citing the clause that asks
  // for the reasons for any decision (000 §10), and audited (decideOnce).
  if (d.outcome === 'more-info' && !d.reasons)
    ctx.addIssue({
      code: 'custom',
      path: ['reasons'],
      message: 'give the reasons to ask for more information',
    });
});
export type DecideInput = z.input<typeof DecideInput>;

export interface Decided {
  request: Request;
  decisionId: string | null;
  verdict: VerdictSummary | null;
  /** The unique reference of the RIPA authorisation an approval was made under (000 §12). */
  ripaReference?: string;
}

const OPEN: Request['status'][] = ['pending', 'escalated', 'more-info'];

/** The field an "already decided" names when the decision on record is the person's own, the same as they ask
 * now: a repeat of their press, not a refusal. */
export const YOURS = 'yours';
const DONE_WORDS: Record<'approve' | 'decline' | 'more-info', string> = {
  approve: 'approved',
  decline: 'declined',
  'more-info': 'asked for more information on',
};

/** The latest decision on a request, if it is this person's and the one they ask for now. */
async function ownDecision(deps: Deps, r: Request, staffId: string, outcome: string) {
  const latest = (await deps.store.query('decision', { where: { requestId: r.id } }))
    .map((d) => d.record)
    .sort((a, b) => b.at.localeCompare(a.at))[0];
  return latest && latest.deciderId === staffId && latest.outcome === outcome ? latest : undefined;
}

async function alreadyDecided(deps: Deps, r: Request): Promise<string> {
  const by = r.decidedBy
    ? ((await deps.store.get('staff', r.decidedBy))?.record.name ?? r.decidedBy)
    : 'someone';
  return r.decidedAt
    ? `already decided (${phrase(r.status, DECIDED)}) by ${by} on ${dateTimeGb(r.decidedAt, await teamZone(deps, r.teamId))}`
    : requestStateSentence(r.status, 'this request');
}

/** Who the decider acts as: themselves, or an absent approver who delegated to them for today. */
async function capacity(
  deps: Deps,
  staff: Staff,
  mayAct: (s: Staff) => boolean,
  delegations: Delegation[],
): Promise<{ as: Staff; onBehalfOf?: string }> {
  if (mayAct(staff)) return { as: staff };
  const now = nowIso(deps);
  for (const d of delegations) {
    if (d.from > now || d.until < now) continue;
    const from = (await deps.store.get('staff', d.fromId))?.record;
    if (from && mayAct(from))
      return {
        as: {
          ...staff,
          role: from.role,
          teamIds: [...new Set([...staff.teamIds, ...from.teamIds])],
          flags: [...new Set([...(staff.flags ?? []), ...(from.flags ?? [])])],
          groups: [...new Set([...(staff.groups ?? []), ...(from.groups ?? [])])],
        },
        onBehalfOf: from.id,
      };
  }
  return { as: staff };
}

/** Approve, decline or ask for more information, with optimistic concurrency: a second decider gets
 * "already decided by X at T", never a second decision. A fresh decision also gives, beside its value, the
 * request's new `version` and the `facts` it was decided on (the child, the team, the child's record), so a
 * card can show them without reading them again; they are not part of the value, so a replay, which
 * answers with the first value alone, has neither. */
export async function decideRequest(
  deps: Deps,
  input: DecideInput,
  also: DecideAlso = {},
): Promise<Outcome<Decided> & { version?: string; facts?: DecisionFacts }> {
  const { form } = also;
  // The card's version is checked on the first attempt only: a run repeated because the child changed under it
  // may find the request at a version its own first attempt wrote (on SharePoint a unit's writes land in turn,
  // the child's last, and that write is what lost), and a decision by someone else since is still refused
  // as already decided.
  let attempt = 0;
  const run = (given: Decision, c: Cmd) =>
    attempt++ === 0
      ? decideOnce(deps, given, c, also)
      : decideOnce(deps, { ...given, expectedVersion: undefined }, c, { ...also, again: true });
  if (!form) return childFactsCommand(DecideInput, 'request.decide', input, run, DecideTarget);
  const target = parse(DecideTarget, input);
  if (!target.ok) return target;
  const c = cmdOf('request.decide', target.value);
  return afresh(() => run({ ...target.value, form }, c));
}

/** What a route that decides through `decideRequest` (a RIPA refusal) adds, each answered only once the decider's
 * standing is established, as the decision's own reasons are. */
export interface DecideAlso {
  /** The problems of the form the decision was made from. */
  form?: Failure;
  /** What the route needs of the request's state, or why it cannot be decided that way. */
  state?: (request: Request) => Failure | undefined;
  /** This command run again, after its unit met a changed child (decideRequest's own retry). */
  again?: boolean;
}

type DecideOutcome = Outcome<Decided> & { version?: string; facts?: DecisionFacts };
type Decision = Given<typeof DecideInput, typeof DecideTarget>;

const ANOTHER_TEAM: Failure = {
  code: 'FORBIDDEN',
  message: 'requestId: this request belongs to another team',
  field: 'requestId',
};

/** Whether someone acts today for an absent member of staff who may act for the team (a delegation). */
async function deputisesFor(deps: Deps, delegations: Delegation[], teamId: string): Promise<boolean> {
  const now = nowIso(deps);
  for (const d of delegations) {
    if (d.from > now || d.until < now) continue;
    const from = (await deps.store.get('staff', d.fromId))?.record;
    if (from && canActForTeam(from, teamId)) return true;
  }
  return false;
}

async function decideOnce(deps: Deps, i: Decision, c: Cmd, also: DecideAlso): Promise<DecideOutcome | Stale> {
  // The card carries the child and team ids: their facts are read with the request, in one round trip.
  const [opened, hinted] = await Promise.all([
    openRequestCommand<Decided>(deps, c, i),
    i.childId && i.teamId ? decisionFacts(deps, i.childId, i.teamId, i.actorId) : undefined,
  ]);
  if ('done' in opened) return opened.done;
  const { request, version } = opened;
  const staff = opened.staff;
  const who = { id: staff.id, role: staff.role };
  const target = { kind: 'request', id: request.id };
  const audit = { actor: who, action: `request.${i.outcome}`, target };
  // A hint that does not match the request (a forged or stale card) is ignored, never trusted.
  const facts =
    hinted && hinted.childId === request.childId && hinted.teamId === request.teamId
      ? hinted
      : await decisionFacts(deps, request.childId, request.teamId, staff.id);
  if (!facts.child)
    return fail('NOT_FOUND', `requestId: the request's child "${request.childId}" is missing`, 'requestId');
  const child = facts.child.record;
  const childVersion = facts.child.version;
  const teamAndProfile = profileOf(deps, request.teamId, facts.team, facts.settings);
  if (!teamAndProfile.ok) return teamAndProfile;
  // Decided under the version that names the authority it waits for: the team's now, or — once a new version
  // renamed or removed it — the version it was raised under (decidingProfile, as the queue and Open).
  const profile = decidingProfile(deps, request, teamAndProfile.value.profile);
  // Who may act comes before anything about the request (issue 12 walk), in this order, and only then its
  // state: the request's team — someone of another team learns nothing of it, not even which authority it
  // waits for —, then their own request, then the authority they would act as.
  if (!canActForTeam(staff, request.teamId) && !(await deputisesFor(deps, facts.delegations, request.teamId)))
    return refuse(deps, c, audit, ANOTHER_TEAM);
  if (request.requesterId === staff.id)
    return refuse(deps, c, audit, { code: 'FORBIDDEN', message: 'nobody decides their own request' });
  // Unnamed, an approval is made as the authority the request waits for — or, by someone who does not hold
  // that one, as another the profile names beside it (an escalation to "a manager and, if necessary,
  // information governance" is decided by either; the policy's verdict still says whether it may be).
  // Who may decide it is one rule (decidingAuthorities): the queue and the card's Open use it too, so whoever a
  // verdict names ("the authorising officer or the team manager") may decide — approve, decline or ask.
  const waitsFor = request.authority as z.infer<typeof Authority>;
  const deciding = decidingAuthorities(profile, request);
  const heldInstead = !staffHolds(profile, waitsFor, staff, request.teamId)
    ? deciding.find((a) => staffHolds(profile, a, staff, request.teamId))
    : undefined;
  const authority = i.authority ?? heldInstead ?? waitsFor;
  const mayAct = (s: Staff) => staffHolds(profile, authority, s, request.teamId);
  const { as, onBehalfOf } = await capacity(deps, staff, mayAct, facts.delegations);
  if (!canActForTeam(as, request.teamId)) return refuse(deps, c, audit, ANOTHER_TEAM);
  // A decline or a question is for whoever holds the authority they act as (an approval's is the policy's to
  // say, below).
  if (i.outcome !== 'approve' && !mayAct(as))
    return refuse(deps, c, audit, {
      code: 'FORBIDDEN',
      message: `only ${authorityName(authority, profile)} can ${i.outcome === 'decline' ? 'decline' : 'question'} this request`,
      field: 'authority',
    });
  // What the caller's own route needs of the request's state (RIPA: waiting for an authorising officer).
  const unready = also.state?.(request);
  if (unready) return refuse(deps, c, audit, unready);
  // A decision is made as the authority the request needs (issue 12, fault 1): naming another is not a way
  // round it. Only an approval may name another, and only one the policy itself requires (checked below).
  if (i.outcome !== 'approve' && !deciding.includes(authority))
    return refuse(deps, c, audit, {
      code: 'FORBIDDEN',
      message: `authority: this request is for ${authorityName(request.authority, profile)} to decide`,
      field: 'authority',
    });
  // Only now, with the decider's authority over this team's request established, may the answer say what
  // became of it: someone who may not decide it learns nothing of its outcome, its decider or its version.
  if (!OPEN.includes(request.status) || (request.status === 'more-info' && i.outcome !== 'decline')) {
    // Their own decision, found again: this command's first run, whose writes landed though its unit was
    // answered as lost (a SharePoint unit's writes land in turn), is the decision recorded — the person who
    // made it is told so, never "already decided"; the same press again (another key) is told they already
    // decided it, and nothing is refused.
    const mine = await ownDecision(deps, request, staff.id, i.outcome);
    if (mine && also.again)
      return {
        ...ok({ request, decisionId: mine.id, verdict: (request.verdict ?? null) as VerdictSummary | null }),
        version,
      };
    const copy = mine && (await copyOfThis<Decided>(deps, c));
    if (copy) return copy;
    if (mine)
      return fail(
        'ALREADY_DECIDED',
        `you already ${DONE_WORDS[i.outcome]} this request on ${dateTimeGb(mine.at, await teamZone(deps, request.teamId))}: your decision is recorded`,
        YOURS,
      );
    return refuse(deps, c, audit, {
      code: 'ALREADY_DECIDED',
      message: await alreadyDecided(deps, request),
    });
  }
  const stale = cardOutOfDate(i.expectedVersion, version);
  if (stale) return { ok: false, error: stale };
  // Only now, with the decider's standing established, is what they wrote looked at.
  if (i.form) return { ok: false, error: i.form };
  // Reasons for ANY decision (000 §10): a decline is a decision as much as an approval is. The clauses are
  // those the profile's own reasons rule rests on, so the refusal cites what carries it.
  if (i.outcome === 'decline' && !i.reasons) {
    const cites = decisionReasonsClauses(profile);
    return refuse(
      deps,
      c,
      { ...audit, details: { cites } },
      {
        code: 'INVALID_INPUT',
        message: `reasons: give the reasons to decline${cites.length ? `: the reasons for any decision are recorded (${citations(cites, profile)})` : ''}`,
        field: 'reasons',
      },
    );
  }

  let verdict: VerdictGiven | undefined;
  let status: Request['status'];
  let underRipa: string | undefined;
  if (i.outcome === 'approve') {
    verdict = await verdictFor(
      deps,
      profile,
      child,
      {
        type: 'approve-check',
        by: policyActor(as),
        requester: request.requesterId,
        reason: request.reason,
        viewer: request.viewer,
        platforms: request.platforms.map((p) => p.platform),
        ...(givenRationale(request) ? { rationale: givenRationale(request) } : {}),
        authority,
        ...(i.reasons ? { reasons: i.reasons } : {}),
      },
      historyFrom(child, facts.records, { requestId: request.id, reason: request.reason }),
    );
    if (verdict.outcome === 'refuse')
      return refuse(
        deps,
        c,
        { ...audit, ...decisionAudit(verdict, { determining: [...verdict.determining] }) },
        policyRefusal(profile, verdict),
      );
    // Approved under a RIPA authorisation: the one granted for this request or its purpose, taken effect and
    // not overdue for review (ripa-cover.ts) — the policy sees only those in force; the review is this rule's.
    if (verdict.outcome === 'allow' && reliesOnRipa(profile, verdict.determining)) {
      const cover = coverFor(
        facts.records.ripas,
        facts.records.requests,
        { requestId: request.id, reason: request.reason },
        dayOf(deps.clock().toISOString(), profile.timeZone),
        profile.timeZone,
      );
      if (!cover || 'problem' in cover)
        return refuse(
          deps,
          c,
          {
            ...audit,
            ...decisionAudit(verdict, { determining: [...verdict.determining] }),
            outcome: 'refuse',
          },
          {
            code: 'WRONG_STATE',
            message: `${cover?.problem ?? 'no RIPA authorisation covers this request'}; nothing was approved`,
          },
        );
      underRipa = cover.ripa.reference ?? '';
    }
    if (
      verdict.outcome !== 'needs-escalation' &&
      authority !== request.authority &&
      !verdict.authorities.includes(authority)
    )
      return refuse(
        deps,
        c,
        { ...audit, ...decisionAudit(verdict) },
        {
          code: 'FORBIDDEN',
          message: `authority: this request is for ${authorityName(request.authority, profile)} to decide`,
          field: 'authority',
        },
      );
    // An escalated request is decided by whoever holds an authority the policy sends it to: their approval is
    // the agreement the policy asks for (Kent: a manager's, or information governance's). Only a route that
    // acts through an instrument of its own — RIPA directed surveillance (000 §12), authorised and recorded
    // from its own card — is not approved past the policy; nor is an authority taken outside Overt (a court),
    // which nobody here holds.
    const byInstrument = verdict.determining.some(
      (id) => profile.rules.find((r) => r.id === id)?.reports === 'ripa-route',
    );
    const agreed =
      verdict.outcome === 'needs-escalation' &&
      request.status === 'escalated' &&
      !byInstrument &&
      verdict.authorities.includes(authority) &&
      mayAct(as);
    if (
      !agreed &&
      verdict.outcome === 'needs-escalation' &&
      request.status === 'escalated' &&
      verdict.authority === request.authority
    )
      return refuse(
        deps,
        c,
        {
          ...audit,
          ...decisionAudit(verdict, { determining: [...verdict.determining] }),
          outcome: 'refuse',
        },
        {
          code: 'WRONG_STATE',
          message:
            request.authority !== 'authorised-officer'
              ? `this request still needs the decision of ${authorityName(request.authority, profile)} under the policy`
              : staff.role === 'authorised-officer'
                ? 'this request needs a RIPA directed-surveillance authorisation in force before it can proceed: record the authorisation, or refuse it, from the card'
                : 'this request waits for an authorising officer, who records a RIPA directed-surveillance authorisation or refuses it',
          verdict: verdictSummary(verdict),
        },
      );
    status = verdict.outcome === 'needs-escalation' && !agreed ? 'escalated' : 'approved';
  } else {
    status = i.outcome === 'decline' ? 'declined' : 'more-info';
  }

  const at = nowIso(deps);
  const escalated = status === 'escalated';
  const decisionId = escalated ? null : deps.ids();
  const updated: Request = {
    ...request,
    status,
    updatedAt: at,
    ...(escalated && verdict?.authority ? { authority: verdict.authority } : {}),
    ...(status === 'approved' || status === 'declined' ? { decidedAt: at, decidedBy: staff.id } : {}),
    ...(status === 'approved'
      ? { expiresAt: addDays(deps.clock(), deps.settings.recordWithinDays).toISOString() }
      : {}),
    ...(verdict ? { verdict: verdictSummary(verdict) } : {}),
  };
  const writes: Parameters<typeof commit>[2] = [{ kind: 'request', record: updated, ifVersion: version }];
  // The version decided under: the verdict's, or (declining, asking for more) the team's profile now.
  const underProfile = verdict
    ? {
        profileId: verdict.profile.id,
        profileVersion: verdict.profile.version,
        profileFingerprint: verdict.profile.fingerprint,
      }
    : { profileId: profile.id, profileVersion: profile.version, profileFingerprint: fingerprint(profile) };
  if (decisionId)
    writes.push({
      kind: 'decision',
      record: {
        id: decisionId,
        requestId: request.id,
        childId: request.childId,
        teamId: request.teamId,
        deciderId: staff.id,
        authority,
        ...(onBehalfOf ? { onBehalfOf } : {}),
        outcome: i.outcome,
        reasons: i.reasons ?? '',
        at,
        ...underProfile,
      },
      ifVersion: null,
    });
  writes.push(guardChild(child, childVersion));
  const value: Decided = {
    request: updated,
    decisionId,
    verdict: verdict ? verdictSummary(verdict) : null,
    ...(underRipa !== undefined && status === 'approved' ? { ripaReference: underRipa } : {}),
  };
  const decision = {
    status,
    authority,
    onBehalfOf: onBehalfOf ?? null,
    reasons: i.reasons ?? null,
    profileFingerprint: underProfile.profileFingerprint,
    ...(underRipa && status === 'approved' ? { ripaReference: underRipa } : {}),
  };
  const r = await commitVersioned(
    deps,
    c,
    writes,
    [
      {
        ...audit,
        ...(verdict
          ? // What decided it, so the reports can read the profile's meaning of each rule (near-misses).
            decisionAudit(verdict, { ...decision, determining: [...verdict.determining] })
          : {
              outcome: status,
              cites: [],
              profileId: profile.id,
              profileVersion: profile.version,
              details: decision,
            }),
      },
    ],
    value,
  );
  if (!('conflict' in r))
    return r.versions?.[0] ? { ...r.outcome, version: r.versions[0], facts } : r.outcome;
  // Another unit changed the child's record since its facts were read: read them again and decide again.
  if (r.conflict.kind === 'child') return STALE;
  const now = await deps.store.get('request', request.id);
  if (now && !OPEN.includes(now.record.status))
    return refuse(deps, c, audit, {
      code: 'ALREADY_DECIDED',
      message: await alreadyDecided(deps, now.record),
    });
  return fail('CONFLICT', 'the request changed while you were deciding: look again and decide');
}

/** Who acts on which request: what the requester's (or manager's) standing is checked on before the form. */
const RequestTarget = z.object({ key: Key, actorId: Id, requestId: Id });

/** Who acts on which request, as the card they pressed showed it (`cardOutOfDate`). */
const CardTarget = RequestTarget.extend({ expectedVersion: CardVersion });

export const WithdrawInput = CardTarget.extend({ reason: OptionalReasons });

/** The requester (or their team manager) withdraws a request that is not yet done. */
export async function withdrawRequest(
  deps: Deps,
  input: z.input<typeof WithdrawInput>,
): Promise<Outcome<Request>> {
  return childFactsCommand(
    WithdrawInput,
    'request.withdraw',
    input,
    (given, c) => withdrawOnce(deps, given, c),
    CardTarget,
  );
}

async function withdrawOnce(
  deps: Deps,
  i: Given<typeof WithdrawInput, typeof CardTarget>,
  c: Cmd,
): Promise<Outcome<Request> | Stale> {
  const opened = await openRequestCommand<Request>(deps, c, i);
  if ('done' in opened) return opened.done;
  const { request: record, version } = opened;
  const staff = opened.staff;
  const audit = {
    actor: { id: staff.id, role: staff.role },
    action: 'request.withdraw',
    target: { kind: 'request', id: record.id },
  };
  const mayWithdraw =
    record.requesterId === staff.id ||
    (staff.role === 'team-manager' && staff.teamIds.includes(record.teamId));
  if (!mayWithdraw)
    return refuse(deps, c, audit, {
      code: 'FORBIDDEN',
      message: 'only the requester or their team manager can withdraw a request',
    });
  if (![...OPEN, 'approved'].includes(record.status))
    return refuse(deps, c, audit, {
      code: 'WRONG_STATE',
      message: `requestId: the request is ${record.status} and cannot be withdrawn`,
      field: 'requestId',
    });
  const stale = cardOutOfDate(i.expectedVersion, version);
  if (stale) return { ok: false, error: stale };
  if (i.form) return { ok: false, error: i.form };
  const child = await deps.store.get('child', record.childId);
  if (!child)
    return fail('NOT_FOUND', `requestId: the request's child "${record.childId}" is missing`, 'requestId');
  const updated: Request = { ...record, status: 'withdrawn', updatedAt: nowIso(deps) };
  const r = await commit(
    deps,
    c,
    [{ kind: 'request', record: updated, ifVersion: version }, guardChild(child.record, child.version)],
    [{ ...audit, outcome: 'withdrawn', details: { reason: i.reason ?? null, was: record.status } }],
    updated,
  );
  if (staleChild(r)) return STALE;
  return 'conflict' in r ? fail('CONFLICT', 'the request changed meanwhile: look again') : r;
}

export const AmendInput = CardTarget.extend({ answer: Reasons });

/** The requester answers a request for more information; the policy is asked again. The answer is kept
 * beside the rationale the request was raised with (a rationale given with either counts as given). */
export async function answerMoreInfo(
  deps: Deps,
  input: z.input<typeof AmendInput>,
): Promise<Outcome<Raised>> {
  return childFactsCommand(
    AmendInput,
    'request.amend',
    input,
    (given, c) => answerOnce(deps, given, c),
    CardTarget,
  );
}

async function answerOnce(
  deps: Deps,
  i: Given<typeof AmendInput, typeof CardTarget>,
  c: Cmd,
): Promise<Outcome<Raised> | Stale> {
  const opened = await openRequestCommand<Raised>(deps, c, i);
  if ('done' in opened) return opened.done;
  const { request: record, version } = opened;
  const ctx = await load<Raised>(
    deps,
    undefined,
    { actorId: i.actorId, childId: record.childId },
    { requestId: record.id, reason: record.reason },
  );
  if ('done' in ctx) return ctx.done;
  const { staff, child, childVersion, profile, history } = ctx;
  const audit = {
    actor: { id: staff.id, role: staff.role },
    action: 'request.amend',
    target: { kind: 'request', id: record.id },
  };
  if (record.requesterId !== staff.id)
    return refuse(deps, c, audit, {
      code: 'FORBIDDEN',
      message: 'only the requester answers a request for more information',
    });
  if (record.status !== 'more-info')
    return refuse(deps, c, audit, {
      code: 'WRONG_STATE',
      message: `requestId: the request is ${record.status}, not waiting for more information`,
      field: 'requestId',
    });
  const stale = cardOutOfDate(i.expectedVersion, version);
  if (stale) return { ok: false, error: stale };
  if (i.form) return { ok: false, error: i.form };
  const verdict = await verdictFor(
    deps,
    profile,
    child,
    requestAction(ctx, { ...record, rationale: record.rationale ?? i.answer }),
    history,
  );
  if (verdict.outcome === 'refuse')
    return refuse(deps, c, { ...audit, ...decisionAudit(verdict) }, policyRefusal(profile, verdict));
  const updated: Request = {
    ...record,
    answers: [...(record.answers ?? []), { at: nowIso(deps), by: staff.id, text: i.answer }],
    status: verdict.outcome === 'needs-escalation' ? 'escalated' : 'pending',
    authority: verdict.authority ?? record.authority,
    verdict: verdictSummary(verdict),
    updatedAt: nowIso(deps),
  };
  const value: Raised = { request: updated, verdict: verdictSummary(verdict) };
  const r = await commit(
    deps,
    c,
    [{ kind: 'request', record: updated, ifVersion: version }, guardChild(child, childVersion)],
    [{ ...audit, ...decisionAudit(verdict, { status: updated.status }) }],
    value,
  );
  if (staleChild(r)) return STALE;
  return 'conflict' in r ? fail('CONFLICT', 'the request changed meanwhile: look again') : r;
}

export type { Versioned };
