/**
 * What a RIPA directed-surveillance authorisation covers (000 §12), the one rule every step reads: the
 * policy's history (`historyFrom`), an approval under it (`decideRequest`) and a check recorded under it
 * (`recordCheck`), so the bot, the tab and the API obey the same.
 *
 * An authorisation covers only what it was granted for: the request it was granted on, and further requests
 * about the same child for the same purpose (the request's reason) — never another purpose. It covers a day
 * only once it has taken effect (a magistrate's approval recorded where the profile needs one), up to its end
 * or the day before its cancellation, and only while its review is not overdue: an overdue review blocks every
 * new check under it until the authorising officer records the review.
 */
import { dayOf, type Day } from '../policy/days';
import type { Profile } from '../policy/profile';
import type { Request, Ripa } from '../store/records';
import { dateGb, phrase } from '../vocabulary';

/** The request a step is about: its id (when it exists) and its purpose. */
export interface RipaScope {
  requestId?: string;
  reason: string;
}

/** The purpose an authorisation was granted for: the reason of the request it was granted on. */
export function purposeOf(r: Ripa, requests: readonly { record: Request }[]): string | undefined {
  return r.requestId ? requests.find((q) => q.record.id === r.requestId)?.record.reason : undefined;
}

/** Whether an authorisation was granted for this request, or for this purpose (same child: the caller reads
 * one child's records). */
export function grantedFor(r: Ripa, scope: RipaScope, requests: readonly { record: Request }[]): boolean {
  return (!!scope.requestId && r.requestId === scope.requestId) || purposeOf(r, requests) === scope.reason;
}

/** Awaiting a magistrate's approval: recorded without the date where the profile needs it. */
export const awaitingMagistrate = (r: Ripa): boolean => r.awaitingMagistrate === true;

/** The authorisation's name for people: its unique reference. */
export const ripaName = (r: Ripa) => `RIPA authorisation ${r.reference ?? 'without a reference'}`;

/**
 * Why an authorisation does not cover a check on `day` (the team's calendar), in words naming it; undefined
 * when it does. `review` false leaves the review out (the policy's view of what is in force).
 */
export function notCovering(r: Ripa, day: Day, timeZone: string, review = true): string | undefined {
  const name = ripaName(r);
  if (awaitingMagistrate(r))
    return `${name} is awaiting the magistrate’s approval: no check may proceed under it until the authorising officer records the date a magistrate approved it`;
  const d = (iso: string) => dayOf(iso, timeZone);
  if (r.cancelledAt && day >= d(r.cancelledAt))
    return `${name} was cancelled on ${dateGb(d(r.cancelledAt))}: no check may proceed under it from that day`;
  if (day < d(r.from))
    return `${name} takes effect on ${dateGb(d(r.from))}: no check may proceed under it before`;
  if (day > d(r.until)) return `${name} ended on ${dateGb(d(r.until))}: no check may proceed under it after`;
  if (review && day > d(r.reviewAt))
    return `${name} was due for review on ${dateGb(d(r.reviewAt))}: no check may proceed under it until the authorising officer records the review`;
  return undefined;
}

/**
 * The authorisation that covers a request's check on `day`, or — none covering — why the one granted for it
 * does not (the most recent), or nothing when none was ever granted for it.
 */
export function coverFor(
  ripas: readonly { record: Ripa }[],
  requests: readonly { record: Request }[],
  scope: RipaScope,
  day: Day,
  timeZone: string,
): { ripa: Ripa } | { ripa: Ripa; problem: string } | undefined {
  const mine = ripas
    .map((x) => x.record)
    .filter((r) => grantedFor(r, scope, requests))
    .sort((a, b) => (a.requestId === scope.requestId ? -1 : 0) - (b.requestId === scope.requestId ? -1 : 0));
  const covering = mine.find((r) => !notCovering(r, day, timeZone));
  if (covering) return { ripa: covering };
  // The one granted on this request first, else the latest granted for the purpose.
  const latest =
    mine.find((r) => r.requestId === scope.requestId) ??
    [...mine].sort((a, b) => (b.grantedAt ?? b.from).localeCompare(a.grantedAt ?? a.from))[0];
  return latest ? { ripa: latest, problem: notCovering(latest, day, timeZone)! } : undefined;
}

/** Whether a verdict lets a check proceed under a RIPA authorisation: a rule that decided it asks for one in
 * force. */
export function reliesOnRipa(profile: Profile, determining: readonly string[] | undefined): boolean {
  return (determining ?? []).some((id) => profile.rules.find((r) => r.id === id)?.when.ripaInForce === true);
}

/**
 * What people are told when a request for this child is not covered because the authorisation in force is for
 * another purpose (issue 13 walk, finding 1): for each in force (taken effect, not ended, not cancelled) granted
 * for another purpose than `scope`'s, one sentence naming it, its purpose and its end, and that it covers only
 * that purpose, so this request needs one of its own. `reasonWords` names a reason as the team's profile does.
 */
export function otherPurposeInForce(
  ripas: readonly { record: Ripa }[],
  requests: readonly { record: Request }[],
  scope: RipaScope,
  day: Day,
  timeZone: string,
  reasonWords: (reason: string) => string = (r) => phrase(r),
): string[] {
  return ripas
    .map((x) => x.record)
    .filter((r) => !grantedFor(r, scope, requests) && !notCovering(r, day, timeZone, false))
    .sort((a, b) => a.until.localeCompare(b.until))
    .map((r) => {
      const purpose = purposeOf(r, requests);
      const forWhat = purpose ? `for ${reasonWords(purpose)}` : 'for another purpose';
      return `${ripaName(r)} is in force for this child until ${dateGb(dayOf(r.until, timeZone))}, ${forWhat}; it covers only that purpose, so this request, for ${reasonWords(scope.reason)}, needs an authorisation of its own.`;
    });
}
