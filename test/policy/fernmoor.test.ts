import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Profile } from '../../src/policy/profile';
import { collectCaseFiles, runCaseFile } from '../../src/policy/cases';
import { loadProfileFile } from '../../src/policy/load';

/**
 * The README's worked example: an invented council's procedure (examples/fernmoor/policy.md) as a profile,
 * with a case for each kind of clause the issue found the language could not say.
 */
const folder = join(__dirname, '../../examples/fernmoor');
const { files } = collectCaseFiles([join(folder, 'cases')]);
const results = files.map((f) => runCaseFile(f));

describe('the Fernmoor example', () => {
  it.each(results.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    expect(r.failures).toEqual([]);
  });

  it('exercises every rule, and each kind of clause', () => {
    const p = loadProfileFile(join(folder, 'fernmoor.json'));
    if (!p.ok) throw new Error(p.error.message);
    const fired = new Set(results.flatMap((r) => r.verdict?.fired.map((f) => f.rule) ?? []));
    expect(p.value.rules.map((r) => r.id).filter((id) => !fired.has(id))).toEqual([]);
    const kinds = p.value.rules.map((r) => r.when);
    expect(Object.keys(p.value.clauses).every((c) => !/^\d{3} §/.test(c))).toBe(true); // its own clause ids
    expect(Object.values(p.value.authorities).some((a) => a.holders.some((h) => h.flag))).toBe(true); // a flag
    expect(Object.values(p.value.authorities).some((a) => a.holders.some((h) => h.group))).toBe(true); // a group
    expect(Object.values(p.value.authorities).some((a) => a.holders.some((h) => h.ofChildTeam))).toBe(true);
    expect(kinds.some((w) => w.priorChecks?.within?.days)).toBe(true); // a window in days
    expect(kinds.some((w) => w.childAge)).toBe(true); // the child's age
    expect(kinds.some((w) => w.overdue?.within.workingDays)).toBe(true); // a deadline in working days
    expect(kinds.some((w) => w.recordedBy)).toBe(true); // who recorded an event
    expect(kinds.some((w) => w.byHoldsNone)).toBe(true); // the record is seen by the team and IG only
  });
});

it('a rule naming a reason the profile does not declare (a typo) is an error naming the rule and the declared reasons', () => {
  const raw = JSON.parse(readFileSync(join(folder, 'fernmoor.json'), 'utf8'));
  raw.rules[0].when.reasonNotIn = ['prevent-concren'];
  const parsed = Profile.safeParse(raw);
  expect(parsed.success).toBe(false);
  expect(parsed.error!.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual([
    'rules.0.when.reasonNotIn.0',
    expect.stringMatching(
      /names the reason "prevent-concren", which the profile does not declare in "reasons" \(declared: .*prevent-concern/,
    ),
  ]);
});
