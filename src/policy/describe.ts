import { ukDate } from './days';
import { REPORTS_WORDS, retentionLines, type Condition, type Profile, type Rule } from './profile';

/** A profile in words, for an information-governance lead: each clause with the rules that rest on it. */

const same = (code: string) => code;

/** "a" or "an" before a word: "an administrator", "a team manager", "an information-governance lead". */
export const aOrAn = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** A rule's condition in words; `words` gives each code (reason, viewing method, role…) its label. */
export function describeCondition(c: Condition, words: (code: string) => string = same): string {
  const list = (xs: readonly string[]) => xs.map(words).join(', ');
  const parts: string[] = [];
  if (c.always) parts.push('always');
  if (c.objection) parts.push(`the child's objection is ${c.objection.map(words).join(' or ')}`);
  if (c.consent) parts.push(`consent/notice is ${c.consent.map(words).join(' or ')}`);
  if (c.consentMissesPlatform) parts.push('a platform is outside the recorded consent');
  if (c.consentExceptionAgreed !== undefined)
    parts.push(`a consent exception is ${c.consentExceptionAgreed ? '' : 'not '}agreed`);
  if (c.reasonIn) parts.push(`the reason is one of ${list(c.reasonIn)}`);
  if (c.reasonNotIn) parts.push(`the reason is none of ${list(c.reasonNotIn)}`);
  if (c.rationale) parts.push(`the rationale is ${c.rationale}`);
  if (c.viewerIn) parts.push(`viewing with ${list(c.viewerIn)}`);
  if (c.viewerNotIn) parts.push(`viewing with anything but ${list(c.viewerNotIn)}`);
  if (c.platformsAny) parts.push(`a platform is one of ${list(c.platformsAny)}`);
  if (c.platformsUnlisted) parts.push('a platform has no privacy notes');
  if (c.priorChecks) {
    const p = c.priorChecks;
    const window = [
      p.withinMonths ? `in the last ${p.withinMonths} months` : '',
      p.since ? `since the latest ${words(p.since)}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    parts.push(`${p.atLeast}+ checks by anyone (done, or approved and not yet done) ${window}`.trim());
  }
  if (c.ripaInForce !== undefined)
    parts.push(`a RIPA authorisation is ${c.ripaInForce ? '' : 'not '}in force`);
  if (c.reminderDueMonths) parts.push(`the last notice or reminder is ${c.reminderDueMonths}+ months old`);
  if (c.approvedCheckOutstanding !== undefined)
    parts.push(`an approved check is ${c.approvedCheckOutstanding ? '' : 'not '}waiting`);
  if (c.thirdPartyData) parts.push(`third-party data is ${c.thirdPartyData.map(words).join(' or ')}`);
  if (c.thirdPartyAuthorised !== undefined)
    parts.push(`its processing is ${c.thirdPartyAuthorised ? '' : 'not '}authorised with a rationale`);
  if (c.thirdPartyAuthoriserRoleNotIn)
    parts.push(
      `whoever authorised keeping it is not ${c.thirdPartyAuthoriserRoleNotIn.map((r) => aOrAn(words(r))).join(' or ')} (or their role is not on record)`,
    );
  if (c.attestNoFriendFollow !== undefined)
    parts.push(`no-friend/follow is ${c.attestNoFriendFollow ? '' : 'not '}attested`);
  if (c.attestOpenSourceOnly !== undefined)
    parts.push(`open-source-only is ${c.attestOpenSourceOnly ? '' : 'not '}attested`);
  if (c.byRoleIn) parts.push(`by ${c.byRoleIn.map((r) => aOrAn(words(r))).join(' or ')}`);
  if (c.byRoleNotIn) parts.push(`by anyone but ${c.byRoleNotIn.map((r) => aOrAn(words(r))).join(' or ')}`);
  if (c.bySocialMediaResponsibility !== undefined)
    parts.push(
      `by someone ${c.bySocialMediaResponsibility ? 'with' : 'without'} social-media responsibility`,
    );
  if (c.byDesignatedOfficer !== undefined)
    parts.push(`by ${c.byDesignatedOfficer ? 'a' : 'someone not a'} designated officer`);
  if (c.selfApproval !== undefined)
    parts.push(c.selfApproval ? 'the approver raised the request' : 'the approver did not raise the request');
  if (c.authorityMismatch) parts.push('the authority named is not the one required');
  if (c.approverRoleMismatch) parts.push("the approver's role cannot act as that authority");
  if (c.reasons) parts.push(`the approver's reasons are ${c.reasons}`);
  return parts.join('; ');
}

const EFFECT = { allow: 'ALLOW', escalate: 'ESCALATE', refuse: 'REFUSE', oblige: 'OBLIGE' } as const;

function describeRule(r: Rule): string[] {
  const head = `  ${EFFECT[r.effect]} ${r.id} — on ${r.actions.join(', ')}${r.authority ? ` — authority: ${r.authority.join(' or ')}` : ''}${r.obligation ? ` — obligation: ${r.obligation.id}` : ''}`;
  const out = [head, `      when ${describeCondition(r.when)}`, `      ${r.explain}`];
  if (r.reports) out.push(`      counted in reports as ${REPORTS_WORDS[r.reports]}`);
  if (r.local) out.push(`      local decision (no clause carries it): ${r.local}`);
  return out;
}

/** The retention schedule: each kind of record, how long it is kept and from what. */
function describeRetention(r: NonNullable<Profile['retention']>): string[] {
  return [
    '  RETENTION — how long records are kept; then their personal content is erased (the audit trail stays):',
    ...retentionLines(r.schedule).map((l) => `      ${l}`),
    `      basis: ${r.basis}`,
  ];
}

export function describeProfile(p: Profile): string {
  const out = [
    `${p.name} — ${p.organisation}`,
    `profile ${p.id} v${p.version}, effective ${ukDate(p.effectiveDate)}`,
    `source: ${p.source.document}${p.source.seed ? ` (${p.source.seed})` : ''}`,
  ];
  if (p.source.note) out.push(`note: ${p.source.note}`);
  out.push(`fails closed: ${p.default.explain} (${p.default.cites.join(', ')})`, '');
  const uncited: string[] = [];
  for (const [clause, title] of Object.entries(p.clauses)) {
    const rules = p.rules.filter((r) => r.cites.includes(clause));
    const notes = p.platformNotes?.cites.includes(clause) ? p.platformNotes : undefined;
    const retention = p.retention?.cites.includes(clause) ? p.retention : undefined;
    if (!rules.length && !notes && !retention) {
      uncited.push(`${clause} ${title}${p.unenforced[clause] ? ` — ${p.unenforced[clause]}` : ''}`);
      continue;
    }
    out.push(`${clause} — ${title}`);
    for (const r of rules) out.push(...describeRule(r));
    if (notes) {
      out.push(`  PLATFORM NOTES last checked ${ukDate(notes.lastChecked)}:`);
      for (const n of notes.platforms)
        out.push(
          `      ${n.platform}${n.aliases.length ? ` (${n.aliases.join(', ')})` : ''}${n.viewerVisible ? ' [viewer can be seen]' : ''}: ${n.note}`,
        );
    }
    if (retention) out.push(...describeRetention(retention));
    out.push('');
  }
  const local = p.rules.filter((r) => r.local);
  const localRetention = p.retention && !p.retention.cites.length ? p.retention : undefined;
  if (local.length || localRetention) {
    out.push('Local decisions (no clause carries them):');
    for (const r of local) out.push(...describeRule(r));
    if (localRetention) out.push(...describeRetention(localRetention));
    out.push('');
  }
  if (uncited.length) out.push('Clauses that carry no rule:', ...uncited.map((c) => `  ${c}`));
  return out.join('\n');
}
