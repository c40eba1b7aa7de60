import { z } from 'zod';
import type { Check, Request } from '../store/records';
import {
  childFactsCommand,
  actor,
  canActForTeam,
  guardChild,
  STALE,
  staleChild,
  type Cmd,
  type Stale,
  commit,
  getOr,
  nowIso,
  refuse,
  childRecords,
  historyFrom,
  openRequestCommand,
  profileOf,
  verdictSummary,
  type VerdictSummary,
} from './context';
import {
  BlankText,
  BOUNDS,
  CardVersion,
  cardOutOfDate,
  Id,
  Key,
  OptionalReasons,
  OptionalText,
  PlatformAccount,
  tooMany,
  When,
  type Given,
} from './input';
import { decisionAudit } from './decision-record';
import { clausesAbout, policyActor, policyRefusal, verdictFor } from './policy-facts';
import { fail, type Deps, type Failure, type Outcome } from './types';
import { teamZone } from './zone';
import { isResponsibleManager } from './queries/people';
import { citations, dateTimeGb } from '../vocabulary';
import { coverFor, reliesOnRipa } from './ripa-cover';
import { dayOf } from '../policy/days';

/** Whose check is recorded, by whom: what the recorder's standing is checked on before the form
 * (`parseGiven`). */
const CheckTarget = z.object({
  key: Key,
  actorId: Id,
  requestId: Id,
  /** Who viewed: by default the viewer the request named, else its requester — never simply the sender. */
  viewerId: Id.optional(),
  /** The version of the request the check card showed (`cardOutOfDate`). */
  expectedVersion: CardVersion,
});

export const RecordCheckInput = CheckTarget.extend({
  viewedAt: When,
  accounts: z
    .array(PlatformAccount)
    // None named is a problem said beside the form's others (recordOnce), not alone before them.
    .max(BOUNDS.platforms, tooMany(BOUNDS.platforms)),
  /** Only what is relevant: may be empty when nothing relevant was found. */
  relevantInfo: BlankText,
  thirdPartyData: z.enum(['none', 'seen-not-kept', 'kept']),
  thirdPartyAuthorisedBy: Id.optional(),
  thirdPartyRationale: OptionalReasons,
  sensitive: z.boolean(),
  safeguardingFollowUp: OptionalText,
  attestNoFriendFollow: z.boolean(),
  attestOpenSourceOnly: z.boolean(),
}).superRefine((c, ctx) => {
  if (c.thirdPartyData !== 'kept' && (c.thirdPartyAuthorisedBy || c.thirdPartyRationale))
    ctx.addIssue({
      code: 'custom',
      path: ['thirdPartyData'],
      message: 'an authorisation and rationale for third-party data make sense only when it is kept',
    });
});
export type RecordCheckInput = z.input<typeof RecordCheckInput>;

export interface Recorded {
  check: Check;
  request: Request;
  verdict: VerdictSummary;
  /** The unique reference of the RIPA authorisation the check was done under (000 §12). */
  ripaReference?: string;
}

/** Record the check that was done against its approved request: what was viewed, when, what was found. */
/** The start of the minute a moment falls in: a viewing is given to the minute, so one in the minute of
 * the approval is after it. */
const minuteOf = (iso: string) => Math.floor(Date.parse(iso) / 60_000) * 60_000;

export async function recordCheck(deps: Deps, input: RecordCheckInput): Promise<Outcome<Recorded>> {
  return childFactsCommand(
    RecordCheckInput,
    'check.record',
    input,
    (given, c) => recordOnce(deps, given, c),
    CheckTarget,
  );
}

async function recordOnce(
  deps: Deps,
  i: Given<typeof RecordCheckInput, typeof CheckTarget>,
  c: Cmd,
): Promise<Outcome<Recorded> | Stale> {
  const opened = await openRequestCommand<Recorded>(deps, c, i);
  if ('done' in opened) return opened.done;
  const { request, version } = opened;
  const staff = opened.staff;
  const audit = {
    actor: { id: staff.id, role: staff.role },
    action: 'check.record',
    target: { kind: 'request', id: request.id },
  };
  // Who the check is for is the request's, never whoever sent the command (issue 12, fault 1): the viewer
  // the request named, else its requester — or a viewer the policy's viewing method allows (000 §13: the
  // team manager with social media responsibility checking on the case manager's behalf).
  // On that route, a manager recording without naming a viewer is taken as the one who viewed.
  const onBehalf = request.viewer === 'social-media-responsible-manager';
  const viewerId =
    i.viewerId ??
    request.viewerId ??
    (onBehalf && staff.id !== request.requesterId ? staff.id : request.requesterId);
  // Everything else this needs, read together — the child's version before its records (`guardChild`).
  const [viewer, child, team, records, authoriser, settings] = await Promise.all([
    actor(deps, viewerId),
    getOr(deps, 'child', request.childId, 'requestId', true),
    deps.store.get('team', request.teamId),
    childRecords(deps, request.childId),
    !i.form && i.thirdPartyAuthorisedBy ? deps.store.get('staff', i.thirdPartyAuthorisedBy) : undefined,
    deps.store.query('setting'),
  ]);
  const notTheirs = () =>
    refuse(deps, c, audit, {
      code: 'FORBIDDEN',
      message: !canActForTeam(staff, request.teamId)
        ? 'requestId: this check belongs to another team'
        : 'requestId: this check is for the person who asked for it to record; nothing was recorded',
      field: 'requestId',
    });
  // The check is recorded by the person it is for: the requester, or the viewer themselves — asked before
  // anything about the viewer they named (someone it is not for learns nothing of who is staff).
  if (staff.id !== request.requesterId && staff.id !== viewerId) return notTheirs();
  if (!viewer.ok)
    return fail(
      'INVALID_INPUT',
      `viewerId: "${viewerId}" is not a member of staff known to Overt`,
      'viewerId',
    );
  const v = viewer.value;
  // On the behalf route, the policy judges whoever is named as the viewer (000 §13, cited when refused).
  const mayView = v.id === (request.viewerId ?? request.requesterId) || onBehalf;
  if (!mayView || !v.teamIds.includes(request.teamId)) return notTheirs();
  // A request stopped with the RIPA authorisation it was approved under (ripa.ts cancelRipa) still takes the
  // record of a viewing done while the authorisation covered it; any later viewing is refused below, by the
  // authorisation (ripa-cover.ts), citing the clause.
  if (request.status !== 'approved' && request.status !== 'stopped')
    return refuse(deps, c, audit, {
      code: 'WRONG_STATE',
      message: `requestId: the request is ${request.status}; only an approved check can be recorded`,
      field: 'requestId',
    });
  // Stopping a request changes nothing the form showed (its accounts, its approval): a form opened before is
  // answered on what it sent, the viewing date judged by the authorisation, never "out of date" with what was
  // typed lost.
  const stale = request.status === 'stopped' ? undefined : cardOutOfDate(i.expectedVersion, version);
  if (stale) return { ok: false, error: stale };
  // Only now, with the recorder's standing established, is what they filled in looked at.
  if (i.form) return { ok: false, error: i.form };
  if (onBehalf && viewerId === request.requesterId && !isResponsibleManager(staff, request.teamId))
    return fail(
      'INVALID_INPUT',
      'viewerId: name who viewed: this check was to be done by the team manager with social media responsibility',
      'viewerId',
    );
  // Every problem with what was typed, each by its field, said together (a form marks them all at once).
  const problems: { field: string; message: string }[] = [];
  const authorised = new Set(request.platforms.map((p) => `${p.platform}\u0000${p.account.toLowerCase()}`));
  const outside = i.accounts.find((a) => !authorised.has(`${a.platform}\u0000${a.account.toLowerCase()}`));
  if (!i.accounts.length)
    problems.push({ field: 'accounts', message: 'accounts: name the accounts accessed' });
  else if (outside)
    problems.push({
      field: 'accounts',
      message: `accounts: ${outside.platform} "${outside.account}" was not authorised for this check; record only the accounts approved`,
    });
  const now = deps.clock().getTime();
  const viewed = Date.parse(i.viewedAt);
  // A viewing falls inside what the approval allows: after the approval's moment (not merely its day — a
  // 10:00 viewing before a 12:00 approval was not authorised) and before the approval lapses.
  const notAllowed =
    request.decidedAt && viewed < minuteOf(request.decidedAt)
      ? `the check was approved on ${dateTimeGb(request.decidedAt, await teamZone(deps, request.teamId))}; a viewing before that was not authorised`
      : request.expiresAt && viewed > Date.parse(request.expiresAt)
        ? `the approval allowed a viewing until ${dateTimeGb(request.expiresAt, await teamZone(deps, request.teamId))}; a viewing after that was not authorised`
        : undefined;
  if (viewed > now)
    problems.push({ field: 'viewedAt', message: 'viewedAt: a check cannot be recorded before it happens' });
  else if (notAllowed) problems.push({ field: 'viewedAt', message: `viewedAt: ${notAllowed}` });
  if (i.thirdPartyAuthorisedBy && !authoriser)
    problems.push({
      field: 'thirdPartyAuthorisedBy',
      message: `thirdPartyAuthorisedBy: "${i.thirdPartyAuthorisedBy}" is not a member of staff known to Overt`,
    });
  const inputFailure = (verdict?: unknown): Failure => ({
    code: 'INVALID_INPUT',
    message: problems[0]!.message,
    field: problems[0]!.field,
    ...(problems.length > 1 ? { problems } : {}),
    // What the policy would also refuse, so the form marks it in the same reply (nothing was decided).
    ...(verdict ? { verdict } : {}),
  });
  if (!child.ok) return child;
  const teamAndProfile = profileOf(deps, request.teamId, team, settings);
  if (!teamAndProfile.ok) return teamAndProfile;
  const verdict = await verdictFor(
    deps,
    teamAndProfile.value.profile,
    child.value.record,
    {
      type: 'record-check',
      by: policyActor(viewer.value),
      viewer: request.viewer,
      // (None named: the request's, so the policy's other problems are still said beside that one.)
      platforms: [...new Set((i.accounts.length ? i.accounts : request.platforms).map((a) => a.platform))],
      reason: request.reason,
      thirdPartyData: i.thirdPartyData,
      // The authoriser with the role the staff record gives them: the policy checks it (000 §17).
      ...(authoriser
        ? { thirdPartyAuthorisedBy: { id: authoriser.record.id, role: authoriser.record.role } }
        : {}),
      ...(i.thirdPartyRationale ? { thirdPartyRationale: i.thirdPartyRationale } : {}),
      attestNoFriendFollow: i.attestNoFriendFollow,
      attestOpenSourceOnly: i.attestOpenSourceOnly,
      viewedAt: i.viewedAt,
    },
    historyFrom(child.value.record, records, { requestId: request.id, reason: request.reason }),
  );
  if (problems.length) {
    // Nothing is decided on input with problems: the policy's refusal, if any, is said beside them. A viewing
    // outside the approval is a refusal on the audit trail; the other problems are the form's only.
    const failure = inputFailure(verdict.outcome !== 'allow' ? verdictSummary(verdict) : undefined);
    if (notAllowed && viewed <= now) return refuse(deps, c, audit, failure);
    return { ok: false, error: failure };
  }
  if (verdict.outcome !== 'allow')
    return refuse(
      deps,
      c,
      { ...audit, ...decisionAudit(verdict, { determining: [...verdict.determining] }) },
      policyRefusal(teamAndProfile.value.profile, verdict),
    );
  // A check approved under a RIPA authorisation is done under it: the viewing falls on a day it covers — taken
  // effect, not cancelled, not ended, its review not overdue (ripa-cover.ts).
  const profile = teamAndProfile.value.profile;
  const underRipa =
    reliesOnRipa(profile, (request.verdict as { determining?: string[] } | undefined)?.determining) ||
    records.ripas.some((r) => r.record.requestId === request.id);
  const cover = underRipa
    ? coverFor(
        records.ripas,
        records.requests,
        { requestId: request.id, reason: request.reason },
        dayOf(i.viewedAt, profile.timeZone),
        profile.timeZone,
      )
    : undefined;
  if (underRipa && (!cover || 'problem' in cover)) {
    const cites = clausesAbout(profile, 'ripaInForce');
    const why = cover?.problem ?? 'no RIPA authorisation covers this check';
    return refuse(
      deps,
      c,
      { ...audit, cites },
      {
        code: 'WRONG_STATE',
        message:
          request.status === 'stopped'
            ? `viewedAt: this request was stopped: ${why}; nothing was recorded. A viewing done before then can still be recorded; if a check is still needed, raise a new request (${citations(cites, profile)})`
            : `viewedAt: ${why}; nothing was recorded`,
        field: 'viewedAt',
      },
    );
  }
  // Keeping third-party data is authorised by a manager over the team, never by the viewer themselves: after the
  // policy, so that where the policy names who authorises (000 §17) its clause is what the refusal cites.
  const a = authoriser?.record;
  if (
    a &&
    (a.id === v.id ||
      a.id === staff.id ||
      !(
        (a.role === 'team-manager' && a.teamIds.includes(request.teamId)) ||
        a.role === 'service-manager' ||
        a.role === 'information-governance'
      ))
  )
    return refuse(deps, c, audit, {
      code: 'FORBIDDEN',
      message:
        'thirdPartyAuthorisedBy: keeping third-party data is authorised by a manager of the team, service manager or information governance, not by the viewer',
      field: 'thirdPartyAuthorisedBy',
    });
  const at = nowIso(deps);
  const check: Check = {
    id: deps.ids(),
    requestId: request.id,
    childId: request.childId,
    teamId: request.teamId,
    viewerId: viewer.value.id,
    viewedAt: i.viewedAt,
    accounts: i.accounts,
    relevantInfo: i.relevantInfo,
    thirdPartyData: i.thirdPartyData,
    ...(i.thirdPartyAuthorisedBy ? { thirdPartyAuthorisedBy: i.thirdPartyAuthorisedBy } : {}),
    ...(i.thirdPartyRationale ? { thirdPartyRationale: i.thirdPartyRationale } : {}),
    sensitive: i.sensitive,
    ...(i.safeguardingFollowUp ? { safeguardingFollowUp: i.safeguardingFollowUp } : {}),
    attestNoFriendFollow: i.attestNoFriendFollow,
    attestOpenSourceOnly: i.attestOpenSourceOnly,
    recordedAt: at,
    recordedBy: staff.id,
  };
  const updated: Request = { ...request, status: 'completed', updatedAt: at };
  const value: Recorded = {
    check,
    request: updated,
    verdict: verdictSummary(verdict),
    ...(cover && !('problem' in cover) ? { ripaReference: cover.ripa.reference ?? '' } : {}),
  };
  const r = await commit(
    deps,
    c,
    [
      { kind: 'check', record: check, ifVersion: null },
      { kind: 'request', record: updated, ifVersion: version },
      guardChild(child.value.record, child.value.version),
    ],
    [
      {
        ...audit,
        target: { kind: 'check', id: check.id },
        ...decisionAudit(verdict, {
          requestId: request.id,
          thirdPartyData: i.thirdPartyData,
          sensitive: i.sensitive,
          safeguardingFollowUp: !!i.safeguardingFollowUp,
          ...(value.ripaReference ? { ripaReference: value.ripaReference } : {}),
        }),
      },
    ],
    value,
  );
  if (staleChild(r)) return STALE;
  return 'conflict' in r ? fail('CONFLICT', 'the request changed meanwhile: look again') : r;
}
