import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { builtinProfiles } from '../../src/policy/builtin';
import { collectCaseFiles, runCaseFile } from '../../src/policy/cases';

/**
 * Every policy case: the shared examples (the public format's own, when the folder is present) and the
 * project's cases in test/policy-cases, written from the seed texts. The run fails if no cases load.
 */
const shared = join(__dirname, '../../../shared/policy-cases/examples');
const ours = join(__dirname, '../policy-cases');
const folders = [ours, ...(existsSync(shared) ? [shared] : [])];
const { files, missing } = collectCaseFiles(folders);
const results = files.map((f) => runCaseFile(f));

describe('policy cases', () => {
  it('load, from every folder', () => {
    expect(missing).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(75);
    if (existsSync(shared)) expect(files.filter((f) => f.startsWith(shared))).toHaveLength(6);
  });

  it.each(results.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    expect(r.failures).toEqual([]);
  });

  it('exercise every rule of every built-in profile at least once', () => {
    const firedBy = new Map<string, Set<string>>();
    for (const r of results) {
      if (!r.verdict) continue;
      const set = firedBy.get(r.verdict.profile.id) ?? new Set();
      r.verdict.fired.forEach((f) => set.add(f.rule));
      firedBy.set(r.verdict.profile.id, set);
    }
    const unexercised = [...builtinProfiles().values()].flatMap((p) =>
      p.rules.filter((rule) => !firedBy.get(p.id)?.has(rule.id)).map((rule) => `${p.id}/${rule.id}`),
    );
    expect(unexercised).toEqual([]);
  });
});
