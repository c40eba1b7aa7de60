import { deepFreeze } from '../util/deep-freeze';
import { countPriorChecks, deriveFacts, type Facts } from './facts';
import { holds, fingerprint } from './authority';
import { addMonthsToDay as addMonths, addWindow, ageOn, ukDate } from './days';
import type { Condition, Profile, Rule } from './profile';
import { ACTION_TYPES, type Action, type ActionType, type Authority, type Situation } from './situation';
import type { FiredRule, Outcome, Verdict, VerdictObligation } from './verdict';
import { authorityInSentence, clauseWords, obligationsSentence, officerWords, PLATFORM } from '../vocabulary';

/**
 * evaluate(profile, situation) → verdict. Pure: no I/O, no clock (the moment is `situation.now`).
 * Refuse beats escalation beats allow; every rule that fired is listed, not only the first.
 */
export function evaluate(profile: Profile, situation: Situation): Readonly<Verdict> {
  const facts = deriveFacts(situation, profile.timeZone);
  const action = situation.action;
  // A version judges only what happens once it is in force: before its effective date it fails closed.
  if (facts.nowDay < profile.effectiveDate) return notInForce(profile, action, facts.nowDay);
  const { direct, deferred } = compile(profile)[action.type];
  const fired: Rule[] = [];
  for (const r of direct) if (r.test(action, facts, undefined)) fired.push(r.rule);
  const authorities = requiredAuthorities(fired);
  const before = fired.length;
  // Naming the wrong authority matters only where the request could be allowed; an escalation stands as it is.
  const required = fired.some((r) => r.effect === 'escalate') ? undefined : authorities;
  for (const r of deferred) if (r.test(action, facts, required)) fired.push(r.rule);
  if (fired.length > before) fired.sort((a, b) => profile.rules.indexOf(a) - profile.rules.indexOf(b));
  return memoised(profile, action, fired, authorities);
}

/**
 * A verdict depends only on the profile, the rules that fired, the action type and (for platform notes) the
 * platforms; so it is built once per combination and shared, frozen.
 */
const verdicts = new WeakMap<Profile, Map<string, Verdict>>();
function memoised(profile: Profile, action: Action, fired: Rule[], authorities: Authority[]): Verdict {
  let byKey = verdicts.get(profile);
  if (!byKey) verdicts.set(profile, (byKey = new Map()));
  let key = action.type;
  for (const r of fired) key += '|' + r.id;
  if ('platforms' in action && fired.some((r) => r.obligation?.withPlatformNotes))
    key += '#' + action.platforms.join(',');
  let v = byKey.get(key);
  if (!v) {
    v = deepFreeze(combine(profile, action, fired, authorities));
    if (byKey.size >= 10_000) byKey.clear();
    byKey.set(key, v);
  }
  return v;
}

/** The authorities of the escalate rules that fired, or else of the allow rules; the usual one first. */
function requiredAuthorities(fired: Rule[]): Authority[] {
  const escalation: Authority[] = [];
  const allow: Authority[] = [];
  for (const r of fired) {
    const into = r.effect === 'escalate' ? escalation : r.effect === 'allow' ? allow : undefined;
    if (into && r.authority) for (const a of r.authority) if (!into.includes(a)) into.push(a);
  }
  return escalation.length ? escalation : allow;
}

type Test = (a: Action, f: Facts, required: Authority[] | undefined) => boolean;

/** Each condition becomes a list of small tests, built once per rule; a rule fires when all of them hold. */
function compileCondition(c: Condition, p: Profile): Test {
  const t: Test[] = [];
  const holidays = new Set(p.bankHolidays);
  const reasonOf = (a: Action) => ('reason' in a ? a.reason : undefined);
  const viewerOf = (a: Action) => ('viewer' in a ? a.viewer : undefined);
  if (c.objection) {
    const states: string[] = c.objection;
    t.push((_a, f) => f.objection !== 'none' && states.includes(f.objection));
  }
  if (c.consent) {
    const states: string[] = c.consent;
    t.push((_a, f) => states.includes(f.consent));
  }
  if (c.consentMissesPlatform)
    t.push((a, f) => {
      const allowed = f.consentPlatforms;
      return (
        f.consent === 'recorded' &&
        !!allowed &&
        'platforms' in a &&
        a.platforms.some((x) => !allowed.includes(x))
      );
    });
  if (c.consentExceptionAgreed !== undefined) {
    const want = c.consentExceptionAgreed;
    t.push((_a, f) => f.consentExceptionAgreed === want);
  }
  if (c.reasonIn) {
    const list = c.reasonIn;
    t.push((a) => {
      const r = reasonOf(a);
      return r !== undefined && list.includes(r);
    });
  }
  if (c.reasonNotIn) {
    const list = c.reasonNotIn;
    t.push((a) => {
      const r = reasonOf(a);
      return r !== undefined && !list.includes(r);
    });
  }
  if (c.rationale) {
    const want = c.rationale === 'present';
    t.push((a) => ('rationale' in a && a.rationale !== undefined) === want);
  }
  if (c.viewerIn) {
    const list = c.viewerIn;
    t.push((a) => {
      const v = viewerOf(a);
      return v !== undefined && list.includes(v);
    });
  }
  if (c.viewerNotIn) {
    const list = c.viewerNotIn;
    t.push((a) => {
      const v = viewerOf(a);
      return v !== undefined && !list.includes(v);
    });
  }
  if (c.platformsAny) {
    const list = c.platformsAny;
    t.push((a) => 'platforms' in a && a.platforms.some((x) => list.includes(x)));
  }
  if (c.platformsUnlisted) {
    const known = (p.platformNotes?.platforms ?? []).flatMap((n) => [n.platform, ...n.aliases]);
    t.push((a) => 'platforms' in a && a.platforms.some((x) => !known.includes(x)));
  }
  if (c.priorChecks) {
    const { withinMonths, since, atLeast } = c.priorChecks;
    const within =
      c.priorChecks.within ?? (withinMonths !== undefined ? { months: withinMonths } : undefined);
    t.push((_a, f) => {
      const from = since === 'assessment-started' ? f.assessmentDay : since ? f.consentDay : undefined;
      return countPriorChecks(f, within, from, holidays) >= atLeast;
    });
  }
  if (c.noPriorChecks) {
    const { withinMonths, since } = c.noPriorChecks;
    const within =
      c.noPriorChecks.within ?? (withinMonths !== undefined ? { months: withinMonths } : undefined);
    t.push((_a, f) => {
      const from = since === 'assessment-started' ? f.assessmentDay : since ? f.consentDay : undefined;
      return countPriorChecks(f, within, from, holidays) === 0;
    });
  }
  if (c.byHolds) {
    const list = c.byHolds;
    t.push((a, f) => list.some((x) => holds(p, x, a.by, f.childTeam)));
  }
  if (c.byHoldsNone) {
    const list = c.byHoldsNone;
    t.push((a, f) => !list.some((x) => holds(p, x, a.by, f.childTeam)));
  }
  if (c.byInChildTeam !== undefined) {
    const want = c.byInChildTeam;
    t.push((a, f) => (f.childTeam !== undefined && !!a.by.teams?.includes(f.childTeam)) === want);
  }
  if (c.childAgeKnown !== undefined) {
    const want = c.childAgeKnown;
    t.push((_a, f) => (f.childBorn !== undefined) === want);
  }
  if (c.childAge) {
    const { atLeast, under } = c.childAge;
    t.push((_a, f) => {
      if (f.childBorn === undefined) return false;
      const age = ageOn(f.childBorn, f.nowDay);
      return (atLeast === undefined || age >= atLeast) && (under === undefined || age < under);
    });
  }
  if (c.recordedBy) {
    const { event, holds: yes, holdsNone: none } = c.recordedBy;
    t.push((_a, f) => {
      const e = f.latest[event];
      if (!e) return false;
      const who = e.by === undefined ? undefined : f.people.find((x) => x.id === e.by);
      if (yes) return yes.some((x) => holds(p, x, who, f.childTeam));
      return !(none ?? []).some((x) => holds(p, x, who, f.childTeam));
    });
  }
  if (c.overdue) {
    const { from, within } = c.overdue;
    t.push((_a, f) => {
      const start = from === 'viewing' ? f.viewingDay : f.latest[from]?.day;
      return start !== undefined && f.nowDay > addWindow(start, within, holidays);
    });
  }
  if (c.ripaInForce !== undefined) {
    const want = c.ripaInForce;
    t.push((_a, f) => f.ripaInForce === want);
  }
  if (c.reminderDueMonths !== undefined) {
    const months = c.reminderDueMonths;
    t.push((_a, f) => f.lastNoticeDay !== undefined && f.nowDay >= addMonths(f.lastNoticeDay, months));
  }
  if (c.approvedCheckOutstanding !== undefined) {
    const want = c.approvedCheckOutstanding;
    t.push((_a, f) => f.outstandingApprovals.length > 0 === want);
  }
  if (c.thirdPartyData) {
    const list: string[] = c.thirdPartyData;
    t.push((a) => a.type === 'record-check' && list.includes(a.thirdPartyData));
  }
  if (c.thirdPartyAuthorised !== undefined) {
    const want = c.thirdPartyAuthorised;
    t.push(
      (a) =>
        a.type === 'record-check' &&
        (a.thirdPartyAuthorisedBy !== undefined && a.thirdPartyRationale !== undefined) === want,
    );
  }
  if (c.thirdPartyAuthoriserRoleNotIn) {
    const list: string[] = c.thirdPartyAuthoriserRoleNotIn;
    t.push((a, f) => {
      if (a.type !== 'record-check' || a.thirdPartyAuthorisedBy === undefined) return false;
      const role = authoriserRole(a, f);
      return role === undefined || !list.includes(role);
    });
  }
  if (c.attestNoFriendFollow !== undefined) {
    const want = c.attestNoFriendFollow;
    t.push((a) => a.type === 'record-check' && a.attestNoFriendFollow === want);
  }
  if (c.attestOpenSourceOnly !== undefined) {
    const want = c.attestOpenSourceOnly;
    // A case file that does not say (the shared case format names only the friend/follow attestation) is
    // neither: the service always says, from the form's tick box.
    t.push((a) => a.type === 'record-check' && a.attestOpenSourceOnly === want);
  }
  if (c.byRoleIn) {
    const list: string[] = c.byRoleIn;
    t.push((a) => list.includes(a.by.role));
  }
  if (c.byRoleNotIn) {
    const list: string[] = c.byRoleNotIn;
    t.push((a) => !list.includes(a.by.role));
  }
  if (c.bySocialMediaResponsibility !== undefined) {
    const want = c.bySocialMediaResponsibility;
    t.push((a) => !!a.by.socialMediaResponsibility === want);
  }
  if (c.byDesignatedOfficer !== undefined) {
    const want = c.byDesignatedOfficer;
    t.push((a) => !!a.by.designatedOfficer === want);
  }
  if (c.selfApproval !== undefined) {
    const want = c.selfApproval;
    t.push((a, f) => {
      if (a.type !== 'approve-check') return false;
      const requester = a.requester ?? f.lastRequester;
      return (requester !== undefined && requester === a.by.id) === want;
    });
  }
  if (c.reasons) {
    const want = c.reasons === 'present';
    t.push((a) => a.type === 'approve-check' && (a.reasons !== undefined) === want);
  }
  if (c.authorityMismatch)
    t.push(
      (a, _f, required) =>
        a.type === 'approve-check' && !!required?.length && !required.includes(a.authority),
    );
  if (c.approverRoleMismatch)
    t.push((a, f) => a.type === 'approve-check' && !holds(p, a.authority, a.by, f.childTeam));
  return (a, f, required) => {
    for (const test of t) if (!test(a, f, required)) return false;
    return true;
  };
}

/**
 * The role of whoever authorised keeping third-party data: as given (the service always gives it); for a case
 * file that names only an id, the recorder's own role when it is them, or a team manager's when it is whoever
 * approved the check being recorded (the manager who authorised this viewing); otherwise not known.
 */
function authoriserRole(a: Extract<Action, { type: 'record-check' }>, f: Facts): string | undefined {
  const who = a.thirdPartyAuthorisedBy;
  if (who === undefined) return undefined;
  if (typeof who !== 'string') return who.role;
  if (who === a.by.id) return a.by.role;
  return f.outstandingApprovals[0]?.by === who ? 'team-manager' : undefined;
}

interface CompiledRule {
  rule: Rule;
  test: Test;
}
/** A profile's rules by action type: those decided from the facts, and those that need the authorities first. */
type Compiled = Record<ActionType, { direct: CompiledRule[]; deferred: CompiledRule[] }>;
const compiled = new WeakMap<Profile, Compiled>();

function compile(p: Profile): Compiled {
  let c = compiled.get(p);
  if (!c) {
    c = Object.fromEntries(ACTION_TYPES.map((t) => [t, { direct: [], deferred: [] }])) as unknown as Compiled;
    for (const rule of p.rules) {
      const entry = { rule, test: compileCondition(rule.when, p) };
      const late = rule.when.authorityMismatch || rule.when.approverRoleMismatch;
      for (const t of rule.actions) c[t][late ? 'deferred' : 'direct'].push(entry);
    }
    compiled.set(p, c);
  }
  return c;
}

const HEADLINE: Record<Outcome, string> = {
  allow: 'Allowed',
  'needs-escalation': 'Needs escalation',
  refuse: 'Refused',
};

/** The clauses a reason rests on, in words ("section 11", a heading by its title): the explanation names
 * the policy already, and people never read a clause's id ("000 §11"). */
const clausesSaid = (profile: Profile, ids: readonly string[]) =>
  [...new Set(ids.map((id) => clauseWords(id, profile.clauses[id])))].join(', ');

function combine(profile: Profile, action: Action, rules: Rule[], authorities: Authority[]): Verdict {
  const fired: FiredRule[] = rules.map((r) => ({
    rule: r.id,
    effect: r.effect,
    cites: r.cites,
    // A profile's own words, with the RIPA officer by the one name people read (vocabulary officerWords).
    explain: officerWords(r.explain),
    ...(r.authority ? { authority: r.authority } : {}),
    ...(r.local ? { local: r.local } : {}),
    ...(r.reports ? { reports: r.reports } : {}),
  }));
  const effect = rules.some((r) => r.effect === 'refuse')
    ? 'refuse'
    : rules.some((r) => r.effect === 'escalate')
      ? 'escalate'
      : rules.some((r) => r.effect === 'allow')
        ? 'allow'
        : undefined;
  const outcome: Outcome = effect === 'escalate' ? 'needs-escalation' : (effect ?? 'refuse');
  const determiningRules = effect ? rules.filter((r) => r.effect === effect) : [];
  const determining = effect ? determiningRules.map((r) => r.id) : ['default'];
  const obligations: VerdictObligation[] =
    outcome === 'refuse'
      ? []
      : rules
          .filter((r) => r.effect === 'oblige' && r.obligation)
          .map((r) => ({ id: r.obligation!.id, text: obligationText(profile, r, action), cites: r.cites }));
  // What the verdict rests on: the deciding rules' clauses, then those of the obligations that go with it —
  // never a rule the deciding one overrode (an escalation does not cite the allow it overrode).
  const cites = unique([
    ...(effect ? determiningRules.flatMap((r) => r.cites) : profile.default.cites),
    ...obligations.flatMap((o) => o.cites),
  ]);
  const auths = outcome === 'refuse' ? [] : authorities;
  const reasons = effect
    ? determiningRules.map(
        (r) =>
          `${r.explain} (${r.local ? 'a local decision, not a clause of the policy' : clausesSaid(profile, r.cites)})`,
      )
    : [`${profile.default.explain} (${clausesSaid(profile, profile.default.cites)})`];
  let explanation = `${HEADLINE[outcome]} under ${profile.name} v${profile.version}. ${reasons.join(' ')}`;
  if (auths.length) explanation += ` Authority: ${auths.map((a) => authorityName(a, profile)).join(' or ')}.`;
  if (obligations.length) explanation += ` ${obligationsSentence(obligations)}`;
  const reports = unique(determiningRules.flatMap((r) => (r.reports ? [r.reports] : [])));
  return {
    outcome,
    ...(auths[0] ? { authority: auths[0] } : {}),
    reports,
    authorities: auths,
    cites,
    obligations,
    determining,
    fired,
    explanation: officerWords(explanation),
    profile: profileRef(profile),
    action: action.type,
  };
}

const profileRef = (p: Profile) => ({ id: p.id, version: p.version, fingerprint: fingerprint(p) });

/** The verdict on a moment before the version takes effect: refused, citing the profile's default clauses. */
function notInForce(profile: Profile, action: Action, nowDay: string): Readonly<Verdict> {
  return deepFreeze({
    outcome: 'refuse',
    reports: [],
    authorities: [],
    cites: [...profile.default.cites],
    obligations: [],
    determining: ['not-in-force'],
    fired: [],
    explanation: `Refused: ${profile.name} v${profile.version} takes effect on ${ukDate(profile.effectiveDate)}, and no version of it was in force on ${ukDate(nowDay)}.`,
    profile: profileRef(profile),
    action: action.type,
  } satisfies Verdict);
}

function obligationText(profile: Profile, rule: Rule, action: Action): string {
  const o = rule.obligation!;
  if (!o.withPlatformNotes || !profile.platformNotes || !('platforms' in action)) return officerWords(o.text);
  const wanted = rule.when.platformsAny ?? action.platforms;
  const notes = profile.platformNotes.platforms.filter(
    (n) =>
      action.platforms.some((p) => p === n.platform || n.aliases.includes(p)) &&
      (wanted.includes(n.platform) || n.aliases.some((x) => wanted.includes(x))),
  );
  const checked = ukDate(profile.platformNotes.lastChecked);
  const lines = notes.map((n) => `${PLATFORM[n.platform] ?? cap(n.platform)}: ${n.note}`);
  return `${officerWords(o.text)} [Platform notes last checked ${checked}.] ${lines.join(' ')}`.trim();
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const unique = <T>(xs: T[]) => [...new Set(xs)];

/** An authority as people read it inside a sentence: the profile's own name for it, else the standard words
 * (src/vocabulary), else its id in words. */
export const authorityName = (a: Authority, p?: Profile) => authorityInSentence(a, p?.authorities[a]?.name);
