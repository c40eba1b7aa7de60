import { holds, requestDeciders } from '../policy/authority';
import { evaluate } from '../policy/evaluate';
import type { Condition, Profile } from '../policy/profile';
import {
  Action,
  type ActionInput,
  type Authority,
  type HistoryEvent,
  type Situation,
} from '../policy/situation';
import type { Verdict } from '../policy/verdict';
import type { Child, Request, Staff } from '../store/records';
import { childHistory, verdictSummary } from './context';
import type { VerdictGiven } from './decision-record';
import { checkAdopted } from './profile-adoption';
import type { Deps } from './types';

const asking = new WeakMap<object, boolean>();
/** Whether any of the profile's rules has a `recordedBy` condition (at any depth). */
function asksWhoRecorded(profile: object): boolean {
  let asks = asking.get(profile);
  if (asks === undefined) asking.set(profile, (asks = JSON.stringify(profile).includes('"recordedBy"')));
  return asks;
}

/** Asks the policy about an action on a child: the facts come from the store, the moment from the clock. */
export async function verdictFor(
  deps: Deps,
  profile: Profile,
  child: Child,
  action: ActionInput,
  given?: HistoryEvent[],
): Promise<VerdictGiven> {
  // An instance that lacks a version of this profile the data folder has adopted does not judge by it.
  await checkAdopted(deps, profile.id);
  const history = given ?? (await childHistory(deps, child));
  // Who is who among the people the record names (a profile may ask who recorded an event): read here, once,
  // and kept with the verdict so a replay needs nothing from the live store.
  // Only a profile that asks who recorded an event needs them (each is a store read, on SharePoint a request).
  const named = asksWhoRecorded(profile)
    ? [...new Set(history.flatMap((e) => (e.by ? [e.by] : [])))].sort()
    : [];
  const people = (await Promise.all(named.map((id) => deps.store.get('staff', id))))
    .filter((s) => s !== undefined)
    .map((s) => policyActor(s.record));
  // The history is made here from records the store has validated (historyFrom), and the moment from the
  // clock: only the action, which carries what a person typed, is parsed (and normalised) again.
  const situation: Situation = {
    now: deps.clock().toISOString(),
    given: history,
    action: Action.parse(action),
    child: { team: child.teamId, ...(child.dateOfBirth ? { dateOfBirth: child.dateOfBirth } : {}) },
    ...(people.length ? { people } : {}),
  };
  // The situation goes with the verdict (verdicts are shared, frozen): a decision's audit event records it.
  return { ...evaluate(profile, situation), situation };
}

/** The policy's view of a member of staff. */
/** The rationale the policy reads for a request: the one it was raised with, else the requester's last answer
 * to a request for more information (the answer is kept beside the rationale, never over it). */
export function givenRationale(r: {
  rationale?: string | undefined;
  answers?: { text: string }[] | undefined;
}) {
  return r.rationale ?? r.answers?.at(-1)?.text;
}

export function policyActor(s: Staff, role: Staff['role'] = s.role) {
  return {
    id: s.id,
    role,
    ...(s.socialMediaResponsibility !== undefined
      ? { socialMediaResponsibility: s.socialMediaResponsibility }
      : {}),
    ...(s.designatedOfficer !== undefined ? { designatedOfficer: s.designatedOfficer } : {}),
    ...(s.flags?.length ? { flags: [...s.flags] } : {}),
    ...(s.groups?.length ? { groups: [...s.groups] } : {}),
    teams: [...s.teamIds],
  };
}

/** The authorities a request's verdict names as able to decide it (none for a refusal). */
function namedBy(verdict: unknown): string[] {
  if (!verdict || typeof verdict !== 'object') return [];
  const v = verdict as { outcome?: unknown; authorities?: unknown };
  if (v.outcome === 'refuse' || !Array.isArray(v.authorities)) return [];
  return v.authorities.filter((a): a is string => typeof a === 'string');
}

/** Who may decide a request, as authorities (requestDeciders): the one rule the queue, the card's Open and the
 * decision all use. */
export function decidingAuthorities(
  profile: Profile,
  r: Pick<Request, 'authority' | 'verdict'>,
): Authority[] {
  return requestDeciders(profile, r.authority as Authority, namedBy(r.verdict));
}

/**
 * The version of its profile a request is decided under: the team's version now (`current`) while it still
 * names the authority the request waits for; once a new version renames or removes that authority, the
 * version the request was raised under (else the newest loaded that names it), so whoever held the authority
 * under it still finds the request waiting, opens it and decides it — under that version, citing its clauses.
 * No request is left with nobody to decide it.
 */
export function decidingProfile(
  deps: Pick<Deps, 'profileVersions'>,
  r: Pick<Request, 'authority' | 'profileId' | 'profileVersion'>,
  current: Profile,
): Profile;
export function decidingProfile(
  deps: Pick<Deps, 'profileVersions'>,
  r: Pick<Request, 'authority' | 'profileId' | 'profileVersion'>,
  current: Profile | undefined,
): Profile | undefined;
export function decidingProfile(
  deps: Pick<Deps, 'profileVersions'>,
  r: Pick<Request, 'authority' | 'profileId' | 'profileVersion'>,
  current: Profile | undefined,
): Profile | undefined {
  if (!current || current.authorities[r.authority as Authority]) return current;
  const names = (p: Profile) => p.authorities[r.authority as Authority] !== undefined;
  const versions = deps.profileVersions(r.profileId);
  return (
    versions.find((p) => p.version === r.profileVersion && names(p)) ??
    [...versions].reverse().find(names) ??
    current
  );
}

/** Whether a member of staff may act as an authority for a child of a team, as the team's profile says. */
export function staffHolds(profile: Profile, authority: string, s: Staff, teamId: string): boolean {
  return holds(profile, authority, policyActor(s), teamId);
}

/** The input field a refusal is about, from the conditions of the rules that decided it. */
export function fieldOf(profile: Profile, v: Verdict): string | undefined {
  const keys = new Set(
    profile.rules
      .filter((r) => v.determining.includes(r.id))
      .flatMap((r) => Object.keys(r.when) as (keyof Condition)[]),
  );
  const map: [keyof Condition, string][] = [
    ['viewerIn', 'viewer'],
    ['viewerNotIn', 'viewer'],
    ['platformsAny', 'platforms'],
    ['consentMissesPlatform', 'platforms'],
    ['reasonNotIn', 'reason'],
    ['rationale', 'rationale'],
    ['reasons', 'reasons'],
    ['thirdPartyAuthorised', 'thirdPartyAuthorisedBy'],
    ['thirdPartyData', 'thirdPartyData'],
    ['attestNoFriendFollow', 'attestNoFriendFollow'],
    ['attestOpenSourceOnly', 'attestOpenSourceOnly'],
    ['authorityMismatch', 'authority'],
  ];
  return map.find(([k]) => keys.has(k))?.[1];
}

/** The clauses a profile's rules about one condition rest on (e.g. consent, objection), for audit events of
 * actions the case format has no verdict for. */
export function clausesAbout(profile: Profile, condition: keyof Condition): string[] {
  return [...new Set(profile.rules.filter((r) => r.when[condition] !== undefined).flatMap((r) => r.cites))];
}

/** The clauses a profile asks for the reasons of a decision by: those of its rules that refuse a decision
 * for want of reasons alone (Nottinghamshire: 000 §10). Empty where the profile states no such clause. */
export function decisionReasonsClauses(profile: Profile): string[] {
  const alone = profile.rules.filter(
    (r) => r.effect === 'refuse' && r.when.reasons === 'absent' && Object.keys(r.when).length === 1,
  );
  return [...new Set(alone.flatMap((r) => r.cites))];
}

/** The reminder interval in months a profile sets (000 §7), if it sets one. */
export function reminderMonths(profile: Profile): number | undefined {
  return profile.rules.find((r) => r.when.reminderDueMonths !== undefined)?.when.reminderDueMonths;
}

/** A policy refusal as a failure: the field it is about first, the verdict's explanation and clauses. */
export function policyRefusal(profile: Profile, v: Verdict) {
  const field = fieldOf(profile, v);
  return {
    code: 'POLICY_REFUSED' as const,
    message: `${field ? `${field}: ` : ''}${v.explanation}`,
    ...(field ? { field } : {}),
    verdict: verdictSummary(v),
  };
}
