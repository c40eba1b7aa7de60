import type { Condition, Profile, Rule } from './profile';
import { ACTION_TYPES, type ActionType } from './situation';
import { dateGb } from '../vocabulary';

/**
 * What `overt policy check` warns of in a profile that is valid but probably not what its author meant: an
 * effective date far from today, a rule whose conditions no situation can meet, a rule that never decides
 * (a rule that always refuses, or always escalates, the same actions outranks it: refuse beats escalate beats
 * allow), and a profile, or a request for a check, that can never be allowed. Each names the rule's id.
 */

const YEARS_AHEAD = 2;
const YEARS_BEHIND = 30;

/** Why no situation can meet a rule's conditions, or undefined when one can. */
function unsatisfiable(w: Condition): string | undefined {
  const within = <T>(a: T[] | undefined, b: T[] | undefined) => !!a && !!b && a.every((x) => b.includes(x));
  if (
    w.childAge?.atLeast !== undefined &&
    w.childAge.under !== undefined &&
    w.childAge.atLeast >= w.childAge.under
  )
    return `it asks for a child at least ${w.childAge.atLeast} and under ${w.childAge.under}`;
  if (w.childAge && w.childAgeKnown === false)
    return 'it asks for the child’s age and for a child whose age is not known';
  if (within(w.reasonIn, w.reasonNotIn))
    return 'every reason it asks for (reasonIn) is also excluded (reasonNotIn)';
  if (within(w.viewerIn, w.viewerNotIn))
    return 'every viewer it asks for (viewerIn) is also excluded (viewerNotIn)';
  if (within(w.byRoleIn, w.byRoleNotIn))
    return 'every role it asks for (byRoleIn) is also excluded (byRoleNotIn)';
  if (within(w.byHolds, w.byHoldsNone))
    return 'every authority it asks the person to hold (byHolds) they must also not hold (byHoldsNone)';
  if (w.recordedBy?.holds && w.recordedBy.holdsNone)
    return 'it asks the recorder both to hold and not to hold';
  return undefined;
}

/**
 * The actions that carry what a condition reads: a reason, a viewer and platforms come with a request, an
 * approval or a record of a check; the approver's reasons and who asked only with an approval; what was kept
 * and attested only with a record. A condition that reads a field an action lacks never holds on it.
 */
const REQUEST_LIKE = ['request-check', 'approve-check', 'record-check'] as const;
const READS: Partial<Record<keyof Condition, { actions: readonly ActionType[]; what: string }>> = {
  reasonIn: { actions: REQUEST_LIKE, what: 'a reason' },
  reasonNotIn: { actions: REQUEST_LIKE, what: 'a reason' },
  viewerIn: { actions: REQUEST_LIKE, what: 'how the viewing is done' },
  viewerNotIn: { actions: REQUEST_LIKE, what: 'how the viewing is done' },
  platformsAny: { actions: REQUEST_LIKE, what: 'platforms' },
  platformsUnlisted: { actions: REQUEST_LIKE, what: 'platforms' },
  consentMissesPlatform: { actions: REQUEST_LIKE, what: 'platforms' },
  thirdPartyData: { actions: ['record-check'], what: 'what was done with other people’s information' },
  thirdPartyAuthorised: { actions: ['record-check'], what: 'what was done with other people’s information' },
  thirdPartyAuthoriserRoleNotIn: {
    actions: ['record-check'],
    what: 'who authorised keeping other people’s information',
  },
  attestNoFriendFollow: { actions: ['record-check'], what: 'what the viewer confirms' },
  attestOpenSourceOnly: { actions: ['record-check'], what: 'what the viewer confirms' },
  selfApproval: { actions: ['approve-check'], what: 'who approves' },
  reasons: { actions: ['approve-check'], what: 'the approver’s reasons' },
  authorityMismatch: { actions: ['approve-check'], what: 'the authority an approver names' },
  approverRoleMismatch: { actions: ['approve-check'], what: 'the authority an approver names' },
};

/** Why a rule's conditions can hold on none of its actions (each reads something those actions lack). */
function unreachable(r: Rule): string | undefined {
  let left: readonly ActionType[] = r.actions;
  const lacking: string[] = [];
  for (const key of Object.keys(r.when) as (keyof Condition)[]) {
    const reads =
      key === 'rationale' && r.when.rationale === 'present'
        ? { actions: ['request-check', 'approve-check'] as const, what: 'a rationale' }
        : key === 'overdue' && r.when.overdue?.from === 'viewing'
          ? { actions: ['record-check'] as const, what: 'when the viewing took place' }
          : READS[key];
    if (!reads) continue;
    const missing = left.filter((a) => !reads.actions.includes(a));
    if (missing.length)
      lacking.push(
        `${key} reads ${reads.what}, which ${missing.join(' and ')} ${missing.length > 1 ? 'do' : 'does'} not carry`,
      );
    left = left.filter((a) => reads.actions.includes(a));
  }
  return left.length ? undefined : `${lacking.join('; ')}`;
}

/** Whether a rule fires on every situation of its actions. */
const always = (r: Rule) => Object.keys(r.when).length === 1 && r.when.always === true;
const RANK: Record<string, number> = { refuse: 3, escalate: 2, allow: 1, oblige: 0 };

export function profileWarnings(p: Profile, today: string): string[] {
  const out: string[] = [];
  const year = Number(today.slice(0, 4));
  const ahead = `${year + YEARS_AHEAD}${today.slice(4)}`;
  const behind = `${year - YEARS_BEHIND}${today.slice(4)}`;
  if (p.effectiveDate > ahead)
    out.push(
      `effectiveDate: ${dateGb(p.effectiveDate)} is more than ${YEARS_AHEAD} years away; until then every situation is refused (is the year right?)`,
    );
  if (p.effectiveDate < behind)
    out.push(
      `effectiveDate: ${dateGb(p.effectiveDate)} is more than ${YEARS_BEHIND} years ago (is the year right?)`,
    );
  for (const r of p.rules) {
    const why = unsatisfiable(r.when) ?? unreachable(r);
    if (why) out.push(`rule ${r.id}: can never fire: ${why}`);
    if (r.effect === 'oblige' || r.effect === 'refuse') continue;
    // Outranked on every one of its actions by a rule that always fires with a stronger effect.
    const over = r.actions.map((a) =>
      p.rules.find((s) => s !== r && always(s) && s.actions.includes(a) && RANK[s.effect]! > RANK[r.effect]!),
    );
    if (over.every(Boolean))
      out.push(
        `rule ${r.id}: never decides: ${[...new Set(over.map((s) => `rule ${s!.id} always ${s!.effect === 'refuse' ? 'refuses' : 'escalates'}`))].join(' and ')} ${r.actions.join(', ')}, and ${r.effect === 'allow' ? 'an allow' : 'an escalation'} never outranks it`,
      );
  }
  // Declared but used by nothing: an authority no rule names (to decide, or as who acts or recorded), a clause
  // nothing cites and the profile gives no reason for.
  const named = new Set(
    p.rules.flatMap((r) => [
      ...(r.authority ?? []),
      ...(r.when.byHolds ?? []),
      ...(r.when.byHoldsNone ?? []),
      ...(r.when.recordedBy?.holds ?? []),
      ...(r.when.recordedBy?.holdsNone ?? []),
    ]),
  );
  for (const [code, a] of Object.entries(p.authorities))
    if (!named.has(code))
      out.push(
        `authorities.${code}: no rule uses ${a.name ?? code} (none escalates to it or asks who holds it): remove it, or name it in a rule`,
      );
  const cited = new Set([
    ...p.rules.flatMap((r) => r.cites),
    ...p.default.cites,
    ...(p.platformNotes?.cites ?? []),
    ...(p.retention?.cites ?? []),
    ...Object.keys(p.unenforced),
  ]);
  for (const clause of Object.keys(p.clauses))
    if (!cited.has(clause))
      out.push(
        `clauses.${clause}: nothing cites it and "unenforced" gives no reason: cite it from a rule, or say in "unenforced" why no rule enforces it`,
      );
  const opens = (a: string) =>
    p.rules.some((r) => (r.effect === 'allow' || r.effect === 'escalate') && r.actions.includes(a as never));
  if (!ACTION_TYPES.some(opens))
    out.push('rules: no rule allows or escalates anything, so every situation is refused (the default)');
  else if (!opens('request-check'))
    out.push('rules: no rule allows or escalates a request for a check, so every request is refused');
  return out;
}
