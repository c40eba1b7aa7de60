import type { Profile } from './profile';
import type { Actor, Action } from './situation';

/**
 * The values a situation may name, as the policy knows them: a value the profile does not know (a typo in a
 * reason, a viewer, a flag or a group) would otherwise be read as "none of the rule's values" and decide the
 * request by another rule — a missing-from-home concern sent to the wrong authority. So a case (and
 * `overt policy eval`) names only values the profile declares, or the case format's own names.
 */

/** The reasons of the public case format (shared/policy-cases/FORMAT.md). */
export const CASE_FORMAT_REASONS = [
  'repeated-missing-episodes',
  'risk-of-cce',
  'risk-of-cse',
  'gang-involvement',
  'serious-self-harm-risk',
  'breach-of-conditions',
  'weapon-offence',
  'safeguarding-assessment',
  's47-enquiry',
  'missing-or-exploitation',
  'uasc-age-assessment',
  'mase-intelligence',
  'assessment-corroboration',
  'other',
] as const;
/** The viewers of the public case format. */
export const CASE_FORMAT_VIEWERS = [
  'own-personal-account',
  'social-media-responsible-manager',
  'organisation-account',
  'fake-account',
] as const;

/** What a profile knows of each open vocabulary. */
export function knownValues(p: Profile): {
  reasons: string[];
  viewers: string[];
  flags: string[];
  groups: string[];
} {
  const when = p.rules.map((r) => r.when);
  const named = (xs: (string[] | undefined)[]) => xs.flatMap((x) => x ?? []);
  const holders = Object.values(p.authorities).flatMap((a) => a.holders);
  return {
    // A profile that declares its reasons recognises exactly those (the service refuses any other); one that
    // declares none knows the case format's and those its rules name.
    reasons: p.reasons
      ? Object.keys(p.reasons)
      : [...new Set([...CASE_FORMAT_REASONS, ...named(when.flatMap((w) => [w.reasonIn, w.reasonNotIn]))])],
    viewers: [
      ...new Set([...CASE_FORMAT_VIEWERS, ...named(when.flatMap((w) => [w.viewerIn, w.viewerNotIn]))]),
    ],
    flags: [...new Set(holders.flatMap((h) => (h.flag ? [h.flag] : [])))],
    groups: [...new Set(holders.flatMap((h) => (h.group ? [h.group] : [])))],
  };
}

/**
 * Each value in a situation that the profile does not know, as a message naming where it is, what it is and
 * the valid ones ("action.reason: "missing-from-hom" is not a reason of ashbridge-cs (its reasons: …)").
 */
export function undeclaredValues(s: { action: Action; people?: Actor[] | undefined }, p: Profile): string[] {
  const known = knownValues(p);
  const out: string[] = [];
  const one = (value: string | undefined, where: string, what: string, list: string[], plural: string) => {
    if (value !== undefined && !list.includes(value))
      out.push(
        `${where}: "${value}" is not ${what} of ${p.id} (its ${plural}: ${list.length ? list.join(', ') : 'none'})`,
      );
  };
  const a = s.action;
  if ('reason' in a) one(a.reason, 'action.reason', 'a reason', known.reasons, 'reasons');
  if ('viewer' in a) one(a.viewer, 'action.viewer', 'a viewer', known.viewers, 'viewers');
  const actor = (x: Actor, where: string) => {
    (x.flags ?? []).forEach((f, i) => one(f, `${where}.flags[${i}]`, 'a flag', known.flags, 'flags'));
    (x.groups ?? []).forEach((g, i) => one(g, `${where}.groups[${i}]`, 'a group', known.groups, 'groups'));
  };
  actor(a.by, 'action.by');
  (s.people ?? []).forEach((x, i) => actor(x, `people[${i}]`));
  return out;
}
