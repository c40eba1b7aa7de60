import type { CaseResult } from './cases';
import { retentionLines, type Profile } from './profile';
import { seedOf, SEED_CLAUSES } from './seed-clauses';

/**
 * What a profile does with every clause of its policy, for an information-governance lead: the rules that
 * enforce the clause and the passing cases that exercise them, or the profile's stated reason that no rule
 * does. A clause with neither is a gap: `overt policy coverage` exits 1.
 */

export interface RuleCoverage {
  id: string;
  effect: string;
  /** The passing cases in which the rule fired, by name. */
  cases: string[];
}

export interface ClauseCoverage {
  clause: string;
  title: string | undefined;
  rules: RuleCoverage[];
  /** Why no rule enforces the clause (the profile's `unenforced`). */
  reason: string | undefined;
  /** The retention schedule, in words, when the profile's retention cites this clause. */
  retention?: string[];
  /**
   * `enforced`: a rule that can stop or escalate an action cites it and a passing case exercises that rule;
   * `obliged`: the only rules exercised are obligations (shown to staff, not blocked); `accounted`: a stated
   * reason, or the clause carries the retention schedule (applied by `overt retention run`).
   */
  status: 'enforced' | 'obliged' | 'accounted' | 'gap';
  /** For a gap, what is missing. */
  problem?: string;
}

export interface ProfileCoverage {
  profile: { id: string; name: string; version: string };
  /** Where the clause list comes from: the seed's full list, or the profile's own declaration. */
  clausesFrom: string;
  clauses: ClauseCoverage[];
  /** Rules no clause carries, said to be local decisions, with the cases that exercise them. */
  local: (RuleCoverage & { why: string })[];
  /** The retention schedule in words, when no clause carries it (a local decision). */
  localRetention?: string[];
  /** Clauses not accounted for (no exercised rule, no reason, no retention). */
  gaps: number;
  /** Rules no passing case exercises (a rule with 0 cases is not exercised, whatever else its clause has). */
  unexercisedRules: string[];
  /** Clauses that carry rules of which no passing case exercises any. */
  unexercisedClauses: string[];
}

/** The clauses a profile must account for: every clause of its seed, or for a custom policy, those it declares. */
export function clausesToAccount(p: Profile): { clauses: readonly string[]; from: string } {
  const seed = seedOf(p.source);
  return seed
    ? { clauses: SEED_CLAUSES[seed]!, from: `every clause of seed ${seed}` }
    : { clauses: Object.keys(p.clauses), from: 'the clauses the profile declares' };
}

export function profileCoverage(p: Profile, results: readonly CaseResult[]): ProfileCoverage {
  const firedIn = new Map<string, string[]>();
  for (const r of results) {
    if (!r.passed || !r.verdict || r.verdict.profile.id !== p.id) continue;
    for (const f of r.verdict.fired) {
      const list = firedIn.get(f.rule) ?? [];
      if (!firedIn.has(f.rule)) firedIn.set(f.rule, list);
      list.push(r.name);
    }
  }
  const ruleCoverage = (r: Profile['rules'][number]): RuleCoverage => ({
    id: r.id,
    effect: r.effect,
    cases: firedIn.get(r.id) ?? [],
  });
  const { clauses, from } = clausesToAccount(p);
  const out: ClauseCoverage[] = clauses.map((clause) => {
    const rules = p.rules.filter((r) => r.cites.includes(clause)).map(ruleCoverage);
    const reason = p.unenforced[clause];
    const title = p.clauses[clause];
    const retention = p.retention?.cites.includes(clause) ? retentionLines(p.retention.schedule) : undefined;
    const base = { clause, title, rules, reason, ...(retention ? { retention } : {}) };
    const exercised = rules.filter((r) => r.cases.length);
    if (exercised.some((r) => r.effect !== 'oblige')) return { ...base, status: 'enforced' };
    if (exercised.length) return { ...base, status: 'obliged' };
    if (reason || retention) return { ...base, status: 'accounted' };
    const problem = !title
      ? 'the profile does not declare this clause'
      : rules.length
        ? `no passing case exercises ${rules.map((r) => r.id).join(', ')}`
        : 'no rule enforces it and the profile gives no reason';
    return { ...base, status: 'gap', problem };
  });
  const local = p.rules.filter((r) => r.local).map((r) => ({ ...ruleCoverage(r), why: r.local! }));
  return {
    profile: { id: p.id, name: p.name, version: p.version },
    clausesFrom: from,
    clauses: out,
    local,
    ...(p.retention && !p.retention.cites.length
      ? { localRetention: retentionLines(p.retention.schedule) }
      : {}),
    gaps: out.filter((c) => c.status === 'gap').length,
    unexercisedRules: p.rules.filter((r) => !firedIn.has(r.id)).map((r) => r.id),
    unexercisedClauses: out
      .filter((c) => c.rules.length && !c.rules.some((r) => r.cases.length))
      .map((c) => c.clause),
  };
}

/** What the cases never exercise, as lines for the end of `overt policy test --coverage`. */
export function unexercisedText(c: ProfileCoverage): string[] {
  const head = `Coverage of ${c.profile.name} (${c.profile.id} v${c.profile.version}) by these cases:`;
  if (!c.unexercisedRules.length && !c.unexercisedClauses.length && !c.gaps)
    return [head, '  every rule and every clause that carries one is exercised by a passing case'];
  const out = [head];
  if (c.unexercisedRules.length)
    out.push(`  rules never exercised (${c.unexercisedRules.length}): ${c.unexercisedRules.join(', ')}`);
  if (c.unexercisedClauses.length)
    out.push(
      `  clauses never exercised (${c.unexercisedClauses.length}): ${c.unexercisedClauses.join(', ')}`,
    );
  const gaps = c.clauses.filter((k) => k.status === 'gap' && !k.rules.length);
  if (gaps.length)
    out.push(
      `  clauses with no rule and no reason (${gaps.length}): ${gaps.map((k) => k.clause).join(', ')}`,
    );
  return out;
}

const SHOWN = 3;
const some = (cases: string[]) =>
  cases.length <= SHOWN
    ? cases.join('; ')
    : `${cases.slice(0, SHOWN).join('; ')}; and ${cases.length - SHOWN} more`;

const MARK = { enforced: 'ENFORCED', obliged: 'OBLIGED ', accounted: 'NO RULE ', gap: 'GAP     ' } as const;
const OBLIGED = 'shown to staff, not blocked: its rules are obligations; none refuses or escalates an action';
const RETAINED = 'retention schedule (personal content erased when due by `overt retention run`)';
const LOCAL_RETAINED =
  'retention schedule, a local decision: no clause carries it (personal content erased when due by `overt retention run`)';

/** The coverage as text for the terminal: one block per clause. */
export function coverageText(c: ProfileCoverage): string {
  const lines = [
    `${c.profile.name} (${c.profile.id} v${c.profile.version}): ${c.clausesFrom}, ${c.clauses.length} clauses, ${c.gaps} not accounted for`,
  ];
  for (const k of c.clauses) {
    lines.push(`  ${MARK[k.status]} ${k.clause}${k.title ? ` — ${k.title}` : ''}`);
    if (k.status === 'obliged') lines.push(`      ${OBLIGED}`);
    for (const r of k.rules)
      lines.push(
        `      rule ${r.id} (${r.effect}): ${r.cases.length} case(s)${r.cases.length ? `: ${some(r.cases)}` : ' — NOT EXERCISED'}`,
      );
    if (k.reason && k.status !== 'enforced' && k.status !== 'obliged')
      lines.push(`      why no rule: ${k.reason}`);
    if (k.retention) lines.push(`      ${RETAINED}:`, ...k.retention.map((l) => `        ${l}`));
    if (k.problem) lines.push(`      problem: ${k.problem}`);
  }
  for (const r of c.local)
    lines.push(
      `  LOCAL    rule ${r.id} (${r.effect}): ${r.why} — ${r.cases.length} case(s)${r.cases.length ? '' : ' — NOT EXERCISED'}`,
    );
  if (c.localRetention)
    lines.push(`  LOCAL    ${LOCAL_RETAINED}:`, ...c.localRetention.map((l) => `        ${l}`));
  return lines.join('\n');
}

const STATUS = {
  enforced: 'enforced',
  obliged: 'obliged — shown to staff, not blocked',
  accounted: 'no rule',
  gap: '**gap**',
} as const;

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The coverage of several profiles as one Markdown page (docs/POLICY-COVERAGE.md is this, generated). */
export function coverageMarkdown(all: ProfileCoverage[]): string {
  const out = [
    '# Policy coverage',
    '',
    '<!-- Generated by `npx overt policy coverage --markdown > docs/POLICY-COVERAGE.md`; test/cli/coverage.test.ts keeps it in sync. -->',
    '',
    'For every clause of each policy Overt ships: the rules that enforce it and how many of the policy cases in',
    "`test/policy-cases` exercise each rule, or the reason no rule does (the profile's `unenforced`). A clause",
    'is **enforced** when a rule that can refuse, escalate or allow an action is exercised; **obliged** when its',
    'only exercised rules are obligations: shown to staff, not blocked. Rules no clause carries, and a retention',
    'schedule no clause carries, are listed at the end of each policy as local decisions.',
    '',
  ];
  for (const c of all) {
    const enforced = c.clauses.filter((k) => k.status === 'enforced').length;
    const obliged = c.clauses.filter((k) => k.status === 'obliged').length;
    const accounted = c.clauses.filter((k) => k.status === 'accounted').length;
    out.push(
      `## ${c.profile.name} (\`${c.profile.id}\` v${c.profile.version})`,
      '',
      `${c.clauses.length} clauses (${c.clausesFrom}): ${enforced} enforced, ${obliged} obliged (shown to staff, not blocked), ${accounted} with no rule (a reason or the retention schedule), ${c.gaps} not accounted for.`,
      '',
      '| clause | what it says | status | rules (cases) | why no rule |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const k of c.clauses) {
      const rules = [
        ...k.rules.map(
          (r) => `\`${r.id}\` (${r.effect === 'oblige' ? 'obligation, ' : ''}${r.cases.length})`,
        ),
        ...(k.retention ? ['retention schedule (below)'] : []),
      ].join(', ');
      const why =
        k.status === 'gap'
          ? `**not accounted for**: ${k.problem}`
          : k.status === 'accounted'
            ? (k.reason ?? '')
            : '';
      out.push(`| ${k.clause} | ${cell(k.title ?? '')} | ${STATUS[k.status]} | ${rules} | ${cell(why)} |`);
    }
    const carried = c.clauses.filter((k) => k.retention);
    const schedule = carried[0]?.retention ?? c.localRetention;
    if (schedule)
      out.push(
        '',
        `Retention schedule (${carried.length ? `carried by ${carried.map((k) => k.clause).join(', ')}` : 'a local decision: no clause carries it'}; personal content erased when due by \`overt retention run\`):`,
        '',
        ...schedule.map((l) => `- ${cell(l)}`),
      );
    if (c.local.length) {
      out.push('', 'Local decisions (no clause carries them):', '');
      for (const r of c.local)
        out.push(`- \`${r.id}\` (${r.effect}, ${r.cases.length} cases): ${cell(r.why)}`);
    }
    out.push('');
  }
  return out.join('\n');
}
