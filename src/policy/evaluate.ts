import { countPriorChecks, deriveFacts, type Facts } from './facts';
import { addMonthsToDay as addMonths, ukDate } from './days';
import type { Condition, Profile, Rule } from './profile';
import type { Action, Authority, Situation } from './situation';
import type { FiredRule, Outcome, Verdict, VerdictObligation } from './verdict';

/**
 * evaluate(profile, situation) → verdict. Pure: no I/O, no clock (the moment is `situation.now`).
 * Refuse beats escalation beats allow; every rule that fired is listed, not only the first.
 */
export function evaluate(profile: Profile, situation: Situation): Verdict {
  const facts = deriveFacts(situation, profile.timeZone);
  const action = situation.action;
  const fired: Rule[] = [];
  const deferred: Rule[] = [];
  for (const rule of profile.rules) {
    if (!rule.actions.includes(action.type)) continue;
    if (rule.when.authorityMismatch || rule.when.approverRoleMismatch) deferred.push(rule);
    else if (holds(rule.when, action, facts, profile, undefined)) fired.push(rule);
  }
  const authorities = requiredAuthorities(fired);
  for (const rule of deferred) if (holds(rule.when, action, facts, profile, authorities)) fired.push(rule);
  return combine(profile, action, fired, authorities);
}

function requiredAuthorities(fired: Rule[]): Authority[] {
  const pick = (effect: 'allow' | 'escalate') => [
    ...new Set(fired.filter((r) => r.effect === effect).flatMap((r) => r.authority ?? [])),
  ];
  const escalation = pick('escalate');
  return escalation.length ? escalation : pick('allow');
}

const has = (list: readonly string[], value: string | undefined) =>
  value !== undefined && list.includes(value);

function holds(c: Condition, a: Action, f: Facts, p: Profile, required: Authority[] | undefined): boolean {
  if (c.objection && !(f.objection !== 'none' && c.objection.includes(f.objection))) return false;
  if (c.consent && !c.consent.includes(f.consent)) return false;
  if (c.consentMissesPlatform) {
    if (f.consent !== 'recorded' || !f.consentPlatforms || !('platforms' in a)) return false;
    if (a.platforms.every((x) => f.consentPlatforms!.includes(x))) return false;
  }
  if (c.consentExceptionAgreed !== undefined && c.consentExceptionAgreed !== f.consentExceptionAgreed)
    return false;
  const reason = 'reason' in a ? a.reason : undefined;
  if (c.reasonIn && !has(c.reasonIn, reason)) return false;
  if (c.reasonNotIn && (reason === undefined || c.reasonNotIn.includes(reason))) return false;
  if (c.rationale) {
    const present = 'rationale' in a && a.rationale !== undefined;
    if ((c.rationale === 'present') !== present) return false;
  }
  const viewer = 'viewer' in a ? a.viewer : undefined;
  if (c.viewerIn && !has(c.viewerIn, viewer)) return false;
  if (c.viewerNotIn && (viewer === undefined || c.viewerNotIn.includes(viewer))) return false;
  if (c.platformsAny && !('platforms' in a && a.platforms.some((x) => c.platformsAny!.includes(x))))
    return false;
  if (c.platformsUnlisted) {
    if (!('platforms' in a)) return false;
    const notes = p.platformNotes?.platforms ?? [];
    if (a.platforms.every((x) => notes.some((n) => n.platform === x || n.aliases.includes(x)))) return false;
  }
  if (c.priorChecks) {
    const since =
      c.priorChecks.since === 'assessment-started'
        ? f.assessmentDay
        : c.priorChecks.since
          ? f.consentDay
          : undefined;
    if (countPriorChecks(f, c.priorChecks.withinMonths, since) < c.priorChecks.atLeast) return false;
  }
  if (c.ripaInForce !== undefined && c.ripaInForce !== f.ripaInForce) return false;
  if (c.reminderDueMonths !== undefined) {
    if (f.lastNoticeDay === undefined) return false;
    if (f.nowDay < addMonths(f.lastNoticeDay, c.reminderDueMonths)) return false;
  }
  if (
    c.approvedCheckOutstanding !== undefined &&
    c.approvedCheckOutstanding !== f.outstandingApprovals.length > 0
  )
    return false;
  if (a.type === 'record-check') {
    if (c.thirdPartyData && !c.thirdPartyData.includes(a.thirdPartyData)) return false;
    if (c.thirdPartyAuthorised !== undefined) {
      const authorised = a.thirdPartyAuthorisedBy !== undefined && a.thirdPartyRationale !== undefined;
      if (c.thirdPartyAuthorised !== authorised) return false;
    }
    if (c.attestNoFriendFollow !== undefined && c.attestNoFriendFollow !== a.attestNoFriendFollow)
      return false;
    if (c.attestOpenSourceOnly !== undefined && c.attestOpenSourceOnly !== (a.attestOpenSourceOnly ?? false))
      return false;
  } else if (
    c.thirdPartyData ||
    c.thirdPartyAuthorised !== undefined ||
    c.attestNoFriendFollow !== undefined ||
    c.attestOpenSourceOnly !== undefined
  ) {
    return false;
  }
  if (c.byRoleIn && !c.byRoleIn.includes(a.by.role)) return false;
  if (c.byRoleNotIn && c.byRoleNotIn.includes(a.by.role)) return false;
  if (
    c.bySocialMediaResponsibility !== undefined &&
    c.bySocialMediaResponsibility !== !!a.by.socialMediaResponsibility
  )
    return false;
  if (c.byDesignatedOfficer !== undefined && c.byDesignatedOfficer !== !!a.by.designatedOfficer) return false;
  if (a.type === 'approve-check') {
    if (c.selfApproval !== undefined) {
      const requester = a.requester ?? f.lastRequester;
      if (c.selfApproval !== (requester !== undefined && requester === a.by.id)) return false;
    }
    if (c.reasons && (c.reasons === 'present') !== (a.reasons !== undefined)) return false;
    if (c.authorityMismatch && (!required?.length || required.includes(a.authority))) return false;
    if (c.approverRoleMismatch && (p.authorities[a.authority]?.roles ?? []).includes(a.by.role)) return false;
  } else if (c.selfApproval !== undefined || c.reasons || c.authorityMismatch || c.approverRoleMismatch) {
    return false;
  }
  return true;
}

const HEADLINE: Record<Outcome, string> = {
  allow: 'Allowed',
  'needs-escalation': 'Needs escalation',
  refuse: 'Refused',
};

function combine(profile: Profile, action: Action, rules: Rule[], authorities: Authority[]): Verdict {
  const fired: FiredRule[] = rules.map((r) => ({
    rule: r.id,
    effect: r.effect,
    cites: r.cites,
    explain: r.explain,
    ...(r.authority ? { authority: r.authority } : {}),
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
  const cites = unique([
    ...(effect ? determiningRules.flatMap((r) => r.cites) : profile.default.cites),
    ...rules.flatMap((r) => r.cites),
  ]);
  const obligations: VerdictObligation[] =
    outcome === 'refuse'
      ? []
      : rules
          .filter((r) => r.effect === 'oblige' && r.obligation)
          .map((r) => ({ id: r.obligation!.id, text: obligationText(profile, r, action), cites: r.cites }));
  const auths = outcome === 'refuse' ? [] : authorities;
  const reasons = effect
    ? determiningRules.map((r) => `${r.explain} (${r.cites.join(', ')})`)
    : [`${profile.default.explain} (${profile.default.cites.join(', ')})`];
  let explanation = `${HEADLINE[outcome]} under ${profile.name} v${profile.version}. ${reasons.join(' ')}`;
  if (auths.length) explanation += ` Authority: ${auths.map(authorityName).join(' or ')}.`;
  if (obligations.length)
    explanation += ` Before and during the check: ${obligations.map((o) => o.id).join(', ')}.`;
  return {
    outcome,
    ...(auths[0] ? { authority: auths[0] } : {}),
    authorities: auths,
    cites,
    obligations,
    determining,
    fired,
    explanation,
    profile: { id: profile.id, version: profile.version },
    action: action.type,
  };
}

function obligationText(profile: Profile, rule: Rule, action: Action): string {
  const o = rule.obligation!;
  if (!o.withPlatformNotes || !profile.platformNotes || !('platforms' in action)) return o.text;
  const wanted = rule.when.platformsAny ?? action.platforms;
  const notes = profile.platformNotes.platforms.filter(
    (n) =>
      action.platforms.some((p) => p === n.platform || n.aliases.includes(p)) &&
      (wanted.includes(n.platform) || n.aliases.some((x) => wanted.includes(x))),
  );
  const checked = ukDate(profile.platformNotes.lastChecked);
  const lines = notes.map((n) => `${cap(n.platform)}: ${n.note}`);
  return `${o.text} [Platform notes last checked ${checked}.] ${lines.join(' ')}`.trim();
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const unique = <T>(xs: T[]) => [...new Set(xs)];

const AUTHORITY_NAMES: Record<Authority, string> = {
  'team-manager': 'the team manager',
  'strategy-discussion': 'a strategy discussion',
  'exploitation-response-meeting': 'a child exploitation response meeting',
  'cla-service-manager': 'the CLA service manager',
  'authorised-officer': 'an authorised officer (RIPA), after legal advice',
  manager: 'a manager',
  trustees: 'the trustees',
  'information-governance': 'information governance',
  court: 'a court',
};
export const authorityName = (a: Authority) => AUTHORITY_NAMES[a];
