import {
  ACTION,
  authorityInSentence,
  citations,
  dateGb,
  officerWords,
  humanise,
  label,
  phrase,
  PLATFORM,
  REASON,
  ROLE,
  VIEWER,
} from '../vocabulary';
import { windowWords } from './days';
import { fingerprint } from './authority';
import {
  REPORTS_WORDS,
  retentionLines,
  type Condition,
  type Holder,
  type Profile,
  type Rule,
} from './profile';
import type { EventName } from './situation';

/**
 * A profile in words, as a policy panel would read it: who may act as each authority (by the names the profile
 * declares, and how a person comes to hold each), how verdicts combine, each clause with the rules that rest on
 * it (every condition in words), and what Overt does not enforce. No code, field name or rule id is shown; the
 * clause ids are the policy's own.
 */

/** "a" or "an" before a word: "an administrator", "a team manager", "an information-governance lead". */
export const aOrAn = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** A list in words: "a, b or c". */
export const orList = (xs: readonly string[], join = 'or') =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} ${join} ${xs.at(-1)}`;

/** A role as a person who holds it: "a team manager", "information governance". */
export function roleHolder(role: string): string {
  return role === 'information-governance' ? 'information governance' : aOrAn(phrase(role, ROLE));
}

/** An authority by the name the profile declares ("the Assistant Director"), else the standard words. */
export function authorityWords(p: Profile | undefined, code: string): string {
  const named = p?.authorities[code]?.name;
  return named ? officerWords(named) : authorityInSentence(code);
}
const authorities = (p: Profile | undefined, codes: readonly string[]) =>
  orList(codes.map((a) => authorityWords(p, a)));

/** One way of holding an authority, in words. */
export function holderWords(h: Holder): string {
  const team = h.ofChildTeam ? " in the child's own team" : '';
  if (h.role !== undefined) return `${roleHolder(h.role)}${team}`;
  if (h.flag === 'socialMediaResponsibility') return `anyone with social-media responsibility${team}`;
  if (h.flag === 'designatedOfficer') return `a designated officer${team}`;
  if (h.flag !== undefined)
    return `anyone whose staff record is marked “${humanise(h.flag).toLowerCase()}”${team}`;
  return `a member of the “${h.group}” group${team}`;
}

/** Who holds an authority, in words: "a team manager in the child's own team, or information governance". */
export function holdersInWords(p: Profile, code: string): string {
  const d = p.authorities[code];
  if (!d) return 'nobody: the profile does not declare it';
  if (d.outside) return `taken outside Overt: ${d.outside}`;
  const ways = [...d.roles.map((role) => roleHolder(role)), ...d.holders.map(holderWords)];
  return ways.length ? orList(ways) : 'nobody (no role, flag or group is given)';
}

/** Each authority the profile declares: its name, and who holds it. */
export function authorityLines(p: Profile): { name: string; holders: string }[] {
  return Object.keys(p.authorities).map((code) => {
    const name = authorityWords(p, code);
    return { name: name.charAt(0).toUpperCase() + name.slice(1), holders: holdersInWords(p, code) };
  });
}

/** How the verdicts of the rules that fire are combined, in words. */
export function combineWords(p: Profile): string[] {
  return [
    'Every rule whose conditions all hold fires. A refusal decides over everything; failing that an escalation (to the authority it names); failing that an allow.',
    'Obligations go with an allow or an escalation, never with a refusal.',
    `When no rule allows, escalates or refuses, the policy refuses: “${officerWords(p.default.explain)}” (${citations(p.default.cites, p)}).`,
    'A situation dated before the version’s effective date is not judged by it.',
  ];
}

const EVENT: Record<EventName, string> = {
  'consent-recorded': 'consent or notice recorded',
  'consent-withdrawn': 'consent withdrawn',
  'consent-exception-agreed': 'consent exception agreed',
  'reminder-given': 'reminder given',
  'assessment-started': 'assessment started',
  'check-requested': 'check requested',
  'check-approved': 'check approved',
  'check-completed': 'check done',
  'objection-raised': 'objection raised',
  'objection-resolved': 'objection resolved',
  'ripa-authorised': 'RIPA authorisation',
};
const CONSENT = { absent: 'not on record', withdrawn: 'withdrawn', recorded: 'on record' } as const;
const OBJECTION = { open: 'open', stopped: 'resolved with checks stopped' } as const;
const THIRD = { none: 'not seen', 'seen-not-kept': 'seen but not kept', kept: 'kept' } as const;
const quoted = (xs: readonly string[], table?: Record<string, string>) =>
  orList(xs.map((x) => `“${label(x, table)}”`));
const ORDINAL = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
];
const ordinal = (n: number) => ORDINAL[n - 1] ?? `${n}th`;
const months = (n: number) => windowWords({ months: n });
/** A window after "in the last" or "in any": "3 weeks", "week". */
const span = (w: Parameters<typeof windowWords>[0]) => windowWords(w).replace(/^an? /, '');

/** The window a count of prior checks runs over (`within`, or the older `withinMonths`) and, after it, since
 * when it counts (" since the latest assessment started"): shared by `priorChecks` and `noPriorChecks`. */
function countedOver(c: NonNullable<Condition['noPriorChecks']>): {
  w: Parameters<typeof windowWords>[0] | undefined;
  after: string;
} {
  const w = c.within ?? (c.withinMonths ? { months: c.withinMonths } : undefined);
  const after =
    c.since === 'assessment-started'
      ? ' since the latest assessment started'
      : c.since
        ? ' since consent was last recorded'
        : '';
  return { w, after };
}

/** A rule's condition in words, every kind of condition; the profile gives authorities and reasons their names. */
export function describeCondition(c: Condition, p?: Profile): string {
  const reasons = { ...REASON, ...(p?.reasons ?? {}) };
  const parts: string[] = [];
  if (c.always) parts.push('always');
  if (c.objection) parts.push(`the child's objection is ${orList(c.objection.map((o) => OBJECTION[o]))}`);
  if (c.consent) parts.push(`consent or notice is ${orList(c.consent.map((x) => CONSENT[x]))}`);
  if (c.consentMissesPlatform) parts.push('a platform asked for is outside the consent on record');
  if (c.consentExceptionAgreed !== undefined)
    parts.push(`an exception to consent is ${c.consentExceptionAgreed ? '' : 'not '}agreed`);
  if (c.reasonIn) parts.push(`the reason is ${quoted(c.reasonIn, reasons)}`);
  if (c.reasonNotIn) parts.push(`the reason is not ${quoted(c.reasonNotIn, reasons)}`);
  if (c.rationale) parts.push(c.rationale === 'absent' ? 'no rationale is given' : 'a rationale is given');
  if (c.viewerIn) parts.push(`viewing with ${orList(c.viewerIn.map((v) => phrase(v, VIEWER)))}`);
  if (c.viewerNotIn)
    parts.push(`viewing with anything but ${orList(c.viewerNotIn.map((v) => phrase(v, VIEWER)))}`);
  if (c.platformsAny)
    parts.push(`a platform asked for is ${orList(c.platformsAny.map((x) => label(x, PLATFORM)))}`);
  if (c.platformsUnlisted) parts.push('a platform asked for has no privacy notes');
  if (c.priorChecks) {
    const { atLeast } = c.priorChecks;
    const { w, after } = countedOver(c.priorChecks);
    const times = atLeast === 1 ? 'already viewed' : `already viewed ${atLeast} times or more`;
    const counted = '(checks done, or approved and not yet done, by anyone)';
    parts.push(
      w
        ? `the child was ${times} in the last ${span(w)}${after} ${counted}, so this would be the ${ordinal(atLeast + 1)} viewing in any ${span(w)}`
        : `the child was ${times}${after} ${counted}`,
    );
  }
  if (c.noPriorChecks) {
    const { w, after } = countedOver(c.noPriorChecks);
    parts.push(
      `the child was not yet viewed${w ? ` in the last ${span(w)}` : ''}${after} (checks done, or approved and not yet done, by anyone)`,
    );
  }
  if (c.ripaInForce !== undefined)
    parts.push(`a RIPA authorisation is ${c.ripaInForce ? '' : 'not '}in force`);
  if (c.reminderDueMonths)
    parts.push(`the last notice or reminder is ${months(c.reminderDueMonths)} old or more`);
  if (c.approvedCheckOutstanding !== undefined)
    parts.push(`an approved check is ${c.approvedCheckOutstanding ? '' : 'not '}waiting to be recorded`);
  if (c.thirdPartyData)
    parts.push(`other people's information was ${orList(c.thirdPartyData.map((x) => THIRD[x]))}`);
  if (c.thirdPartyAuthorised !== undefined)
    parts.push(`keeping it is ${c.thirdPartyAuthorised ? '' : 'not '}authorised with a rationale`);
  if (c.thirdPartyAuthoriserRoleNotIn)
    parts.push(
      `whoever authorised keeping it is not ${orList(c.thirdPartyAuthoriserRoleNotIn.map(roleHolder))} (or their role is not on record)`,
    );
  if (c.attestNoFriendFollow !== undefined)
    parts.push(`“I did not friend or follow” is ${c.attestNoFriendFollow ? '' : 'not '}ticked`);
  if (c.attestOpenSourceOnly !== undefined)
    parts.push(`“open-source information only” is ${c.attestOpenSourceOnly ? '' : 'not '}ticked`);
  if (c.byRoleIn) parts.push(`by ${orList(c.byRoleIn.map(roleHolder))}`);
  if (c.byRoleNotIn) parts.push(`by anyone but ${orList(c.byRoleNotIn.map(roleHolder))}`);
  if (c.bySocialMediaResponsibility !== undefined)
    parts.push(
      `by someone ${c.bySocialMediaResponsibility ? 'with' : 'without'} social-media responsibility`,
    );
  if (c.byDesignatedOfficer !== undefined)
    parts.push(`by ${c.byDesignatedOfficer ? 'a' : 'someone not a'} designated officer`);
  if (c.selfApproval !== undefined)
    parts.push(c.selfApproval ? 'the approver raised the request' : 'the approver did not raise the request');
  if (c.authorityMismatch) parts.push('the approver decides as an authority the verdict does not ask for');
  if (c.approverRoleMismatch) parts.push('the approver does not hold the authority they decide as');
  if (c.reasons)
    parts.push(c.reasons === 'absent' ? 'the approver gives no reasons' : 'the approver gives reasons');
  if (c.byHolds) parts.push(`by ${authorities(p, c.byHolds)}`);
  if (c.byHoldsNone) parts.push(`by anyone other than ${authorities(p, c.byHoldsNone)}`);
  if (c.byInChildTeam !== undefined)
    parts.push(`by someone ${c.byInChildTeam ? 'in' : 'outside'} the child's own team`);
  if (c.childAge) {
    const { atLeast, under } = c.childAge;
    parts.push(
      `the child is ${[atLeast !== undefined ? `${atLeast} or over` : '', under !== undefined ? `under ${under}` : ''].filter(Boolean).join(' and ')} (from the date of birth on record)`,
    );
  }
  if (c.childAgeKnown !== undefined)
    parts.push(`the child's date of birth is ${c.childAgeKnown ? '' : 'not '}on record`);
  if (c.recordedBy) {
    const { event, holds: yes, holdsNone: none } = c.recordedBy;
    parts.push(
      yes
        ? `the latest ${EVENT[event]} was recorded by ${authorities(p, yes)}`
        : `the latest ${EVENT[event]} was recorded by someone other than ${authorities(p, none ?? [])}`,
    );
  }
  if (c.overdue) {
    const from = c.overdue.from === 'viewing' ? 'the viewing' : `the latest ${EVENT[c.overdue.from]}`;
    const w = windowWords(c.overdue.within);
    parts.push(`more than ${w} ${w.startsWith('a ') ? 'has' : 'have'} passed since ${from}`);
  }
  return parts.join('; ');
}

const EFFECT = { allow: 'ALLOWS', escalate: 'ESCALATES', refuse: 'REFUSES', oblige: 'OBLIGES' } as const;
/** The actions a rule applies to, in words: "raising a request or approving". */
export const actionsInWords = (actions: readonly string[]) => orList(actions.map((a) => phrase(a, ACTION)));

/** A rule's head in words: what it does, on what, and to whom it escalates or what it obliges. */
export function ruleHead(r: Rule, p?: Profile): string {
  const to = r.authority ? ` — for ${authorities(p, r.authority)} to decide` : '';
  const ob =
    r.obligation && r.obligation.text !== r.explain ? ` — obliges: ${officerWords(r.obligation.text)}` : '';
  return `${EFFECT[r.effect]} ${actionsInWords(r.actions)}${to}${ob}`;
}

function describeRule(r: Rule, p: Profile): string[] {
  const when = describeCondition(r.when, p);
  const out = [
    `  ${ruleHead(r, p)}`,
    `      ${when === 'always' ? 'whenever it applies' : `when ${when}`}`,
    `      ${officerWords(r.explain)}`,
  ];
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
    `profile ${p.id}, version ${p.version}, in force from ${dateGb(p.effectiveDate)} (fingerprint ${fingerprint(p)})`,
    `source: ${p.source.document}${p.source.seed ? ` (${p.source.seed})` : ''}`,
  ];
  if (p.source.note) out.push(`note: ${p.source.note}`);
  out.push('', 'Who may act as each authority:');
  const auths = authorityLines(p);
  if (!auths.length) out.push('  none is declared: no rule escalates to anyone');
  for (const a of auths) out.push(`  ${a.name}: ${a.holders}`);
  out.push('', 'How verdicts combine:', ...combineWords(p).map((l) => `  ${l}`));
  if (p.bankHolidays.length)
    out.push(
      '',
      `Working days: Monday to Friday, less the bank holidays ${orList(
        p.bankHolidays.map((d) => dateGb(d)),
        'and',
      )}`,
    );
  out.push('');
  const uncited: string[] = [];
  for (const [clause, title] of Object.entries(p.clauses)) {
    const rules = p.rules.filter((r) => r.cites.includes(clause));
    const notes = p.platformNotes?.cites.includes(clause) ? p.platformNotes : undefined;
    const retention = p.retention?.cites.includes(clause) ? p.retention : undefined;
    if (!rules.length && !notes && !retention) {
      uncited.push(
        `${clause} ${officerWords(title)}${p.unenforced[clause] ? ` — ${p.unenforced[clause]}` : ' — no reason given'}`,
      );
      continue;
    }
    out.push(`${clause} — ${officerWords(title)}`);
    for (const r of rules) out.push(...describeRule(r, p));
    if (notes) {
      out.push(`  PLATFORM NOTES last checked ${dateGb(notes.lastChecked)}:`);
      for (const n of notes.platforms)
        out.push(
          `      ${label(n.platform, PLATFORM)}${n.aliases.length ? ` (${n.aliases.join(', ')})` : ''}${n.viewerVisible ? ' [viewer can be seen]' : ''}: ${n.note}`,
        );
    }
    if (retention) out.push(...describeRetention(retention));
    out.push('');
  }
  const local = p.rules.filter((r) => r.local);
  const localRetention = p.retention && !p.retention.cites.length ? p.retention : undefined;
  if (local.length || localRetention) {
    out.push('Local decisions (no clause carries them):');
    for (const r of local) out.push(...describeRule(r, p));
    if (localRetention) out.push(...describeRetention(localRetention));
    out.push('');
  }
  if (uncited.length)
    out.push(
      'What Overt does not enforce (clauses that carry no rule, each with why):',
      ...uncited.map((c) => `  ${c}`),
    );
  // Every line in the words people read: a profile's own words name the RIPA officer by its one name.
  return officerWords(out.join('\n'));
}
