import { dateGb, label, PLATFORM, REASON } from '../vocabulary';
import { fingerprint } from './authority';
import { actionsInWords, authorityWords, describeCondition, holdersInWords, orList } from './describe';
import { retentionLines, type Profile, type Rule } from './profile';

/**
 * What changed between two profiles (two versions of one policy, or two policies), in plain words for an
 * information-governance lead: effective dates, clauses, who holds each authority, reasons, bank holidays,
 * the fail-closed default, and each rule added, removed or changed — its conditions, verdict, authorities,
 * clauses, obligation and explanation. A rule is named by its explanation and clauses, never its id.
 */

const VERDICT: Record<Rule['effect'], string> = {
  allow: 'allows',
  escalate: 'escalates',
  refuse: 'refuses',
  oblige: 'obliges',
};
const q = (s: string) => `“${s}”`;
const list = (xs: readonly string[]) => (xs.length ? orList(xs, 'and') : 'none');
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A rule as a reader knows it: what it does, to what, under which clauses, in its own words. */
function ruleName(r: Rule): string {
  const under = r.cites.length ? ` (${r.cites.join(', ')})` : ' (a local decision)';
  return `${q(r.explain)}${under}`;
}

function ruleWhole(r: Rule, p: Profile): string[] {
  const to = r.authority ? `, for ${orList(r.authority.map((a) => authorityWords(p, a)))} to decide` : '';
  return [
    `    ${ruleName(r)}`,
    `      ${VERDICT[r.effect]} ${actionsInWords(r.actions)}${to}`,
    `      when ${describeCondition(r.when, p)}`,
    ...(r.obligation ? [`      obliges: ${r.obligation.text}`] : []),
  ];
}

function ruleChanges(a: Rule, b: Rule, pa: Profile, pb: Profile): string[] {
  const out: string[] = [];
  const was = (what: string, x: string, y: string) => {
    if (x !== y) out.push(`      ${what}: was ${x}; now ${y}`);
  };
  was('when', describeCondition(a.when, pa), describeCondition(b.when, pb));
  was('verdict', VERDICT[a.effect], VERDICT[b.effect]);
  was('applies to', actionsInWords(a.actions), actionsInWords(b.actions));
  const auth = (r: Rule, p: Profile) =>
    r.authority ? orList(r.authority.map((x) => authorityWords(p, x))) : 'none';
  was('for whom to decide', auth(a, pa), auth(b, pb));
  was('clauses', a.cites.length ? a.cites.join(', ') : 'none', b.cites.length ? b.cites.join(', ') : 'none');
  was(
    'obliges',
    a.obligation ? q(a.obligation.text) : 'nothing',
    b.obligation ? q(b.obligation.text) : 'nothing',
  );
  was('explanation', q(a.explain), q(b.explain));
  was('local decision', a.local ? q(a.local) : 'no', b.local ? q(b.local) : 'no');
  if (!same(a.reports, b.reports)) out.push('      what the reports count it as has changed');
  return out;
}

/** Keyed entries added, removed and changed, each in words. */
function keyed<T>(
  title: string,
  a: Record<string, T>,
  b: Record<string, T>,
  words: (key: string, v: T, side: 'a' | 'b') => string,
): string[] {
  const out: string[] = [];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const x = Object.hasOwn(a, k) ? a[k] : undefined;
    const y = Object.hasOwn(b, k) ? b[k] : undefined;
    if (x === undefined && y !== undefined) out.push(`  added: ${words(k, y, 'b')}`);
    else if (y === undefined && x !== undefined) out.push(`  removed: ${words(k, x, 'a')}`);
    else if (x !== undefined && y !== undefined && words(k, x, 'a') !== words(k, y, 'b'))
      out.push(`  changed: was ${words(k, x, 'a')}`, `           now ${words(k, y, 'b')}`);
  }
  return out.length ? [title, ...out] : [];
}

export function profileDiff(a: Profile, b: Profile): string {
  const head = (p: Profile) =>
    `${p.name} (${p.organisation}), version ${p.version}, in force from ${dateGb(p.effectiveDate)}`;
  const out = [`From: ${head(a)}`, `To:   ${head(b)}`, ''];
  if (fingerprint(a) === fingerprint(b)) {
    out.push('No differences: the two say exactly the same (the same fingerprint).');
    return out.join('\n');
  }
  const sections: string[][] = [];
  const scalar = (what: string, x: string, y: string) => (x !== y ? [`${what}: was ${x}; now ${y}`] : []);
  sections.push([
    ...scalar('Name', q(a.name), q(b.name)),
    ...scalar('Organisation', q(a.organisation), q(b.organisation)),
    ...scalar('Version', a.version, b.version),
    ...scalar('In force from', dateGb(a.effectiveDate), dateGb(b.effectiveDate)),
    ...scalar('Source document', q(a.source.document), q(b.source.document)),
    ...scalar('Time zone', a.timeZone, b.timeZone),
  ]);
  sections.push(keyed('Clauses:', a.clauses, b.clauses, (k, t) => `${k} — ${t}`));
  sections.push(keyed('Not enforced (with why):', a.unenforced, b.unenforced, (k, why) => `${k} — ${why}`));
  sections.push(
    keyed('Who may act as each authority:', a.authorities, b.authorities, (k, _d, side) => {
      const p = side === 'a' ? a : b;
      const n = authorityWords(p, k);
      return `${n.charAt(0).toUpperCase()}${n.slice(1)}: ${holdersInWords(p, k)}`;
    }),
  );
  sections.push(
    keyed('Reasons for a viewing:', a.reasons ?? {}, b.reasons ?? {}, (k, words) =>
      q(words || label(k, REASON)),
    ),
  );
  const hol = (x: readonly string[], y: readonly string[]) =>
    x.filter((d) => !y.includes(d)).map((d) => dateGb(d));
  const addedH = hol(b.bankHolidays, a.bankHolidays);
  const removedH = hol(a.bankHolidays, b.bankHolidays);
  if (addedH.length || removedH.length)
    sections.push([
      'Bank holidays (not working days):',
      ...(addedH.length ? [`  added: ${list(addedH)}`] : []),
      ...(removedH.length ? [`  removed: ${list(removedH)}`] : []),
    ]);
  if (!same(a.default, b.default))
    sections.push([
      'When no rule decides (the policy refuses):',
      `  was ${q(a.default.explain)} (${a.default.cites.join(', ')})`,
      `  now ${q(b.default.explain)} (${b.default.cites.join(', ')})`,
    ]);
  // Rules: matched by their id across the two (an author keeps a rule's id while changing it).
  const ra = new Map(a.rules.map((r) => [r.id, r]));
  const rb = new Map(b.rules.map((r) => [r.id, r]));
  const added = b.rules.filter((r) => !ra.has(r.id));
  const removed = a.rules.filter((r) => !rb.has(r.id));
  const changed = b.rules.flatMap((r) => {
    const old = ra.get(r.id);
    if (!old) return [];
    const lines = ruleChanges(old, r, a, b);
    return lines.length ? [[`    ${ruleName(r)}`, ...lines]] : [];
  });
  if (added.length)
    sections.push([`Rules added (${added.length}):`, ...added.flatMap((r) => ruleWhole(r, b))]);
  if (removed.length)
    sections.push([`Rules removed (${removed.length}):`, ...removed.flatMap((r) => ruleWhole(r, a))]);
  if (changed.length) sections.push([`Rules changed (${changed.length}):`, ...changed.flat()]);
  if (!same(a.platformNotes, b.platformNotes)) {
    const names = (p: Profile) => (p.platformNotes?.platforms ?? []).map((n) => label(n.platform, PLATFORM));
    sections.push([
      'Platform notes:',
      `  was ${a.platformNotes ? `last checked ${dateGb(a.platformNotes.lastChecked)}, for ${list(names(a))}` : 'none'}`,
      `  now ${b.platformNotes ? `last checked ${dateGb(b.platformNotes.lastChecked)}, for ${list(names(b))}` : 'none'}`,
    ]);
  }
  if (!same(a.retention, b.retention)) {
    const lines = (p: Profile) => (p.retention ? retentionLines(p.retention.schedule) : ['no schedule']);
    const was = lines(a);
    const now = lines(b);
    sections.push([
      'Retention:',
      ...was.filter((l) => !now.includes(l)).map((l) => `  was: ${l}`),
      ...now.filter((l) => !was.includes(l)).map((l) => `  now: ${l}`),
      ...(a.retention?.basis !== b.retention?.basis ? ['  its basis has changed'] : []),
    ]);
  }
  if (!same(a.ripa, b.ripa)) sections.push(['How directed surveillance (RIPA) is authorised has changed.']);
  const said = sections.filter((x) => x.length);
  if (!said.length) said.push(['Only details no reader sees differ (the fingerprints differ).']);
  for (const s of said) out.push(...s, '');
  return out.join('\n').trimEnd();
}
