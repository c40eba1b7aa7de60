import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Condition } from '../../src/policy/profile';
import { overt } from '../council/overt-run';

/**
 * docs/PROFILES.md (issue 18): how an information-governance lead writes, checks, tests, versions and assigns a
 * profile. Its worked example runs as written: each line under the profiles-example marker is run as `overt`
 * from the repository's folder with no OVERT_* setting, and prints what the page says it prints. The rule the
 * page shows is the example profile's own, so the page cannot drift from the file.
 */
const root = join(__dirname, '../..');
const doc = readFileSync(join(root, 'docs/PROFILES.md'), 'utf8');
const block = /<!-- profiles-example[^>]*-->\n```sh\n([\s\S]*?)```/.exec(doc);
const lines = (block?.[1] ?? '').trim().split('\n');

async function run(line: string): Promise<string> {
  const [npx, command, ...args] = line.split(/\s+/);
  expect([npx, command]).toEqual(['npx', 'overt']);
  const r = await overt({}, ...args);
  expect({ line, status: r.status, stderr: r.stderr }).toEqual({ line, status: 0, stderr: '' });
  return r.stdout;
}

it('the worked example runs as written and prints what the page says', async () => {
  expect(lines).toHaveLength(5);
  const [check, test, evaluated, coverage, diff] = await Promise.all(lines.map(run));
  expect(check).toBe(
    'examples/oakridge/oakridge-v1.json: valid profile oakridge-ys v1, 6 rules citing 4 clauses\n',
  );
  expect(test).toMatch(/^7 passed, 0 failed$/m);
  expect(test).toMatch(/every rule and every clause that carries one is exercised by a passing case/);
  expect(JSON.parse(evaluated!)).toMatchObject({
    outcome: 'needs-escalation',
    authority: 'head-of-service',
    cites: ['OYS 3'],
    profile: { id: 'oakridge-ys', version: '1', fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
  });
  for (const clause of ['OYS 1', 'OYS 2', 'OYS 3', 'OYS 4'])
    expect(coverage).toMatch(new RegExp(`^ {2}ENFORCED ${clause} `, 'm'));
  expect(coverage).toMatch(
    /4 clauses in 1 policy, 7 cases: 0 not accounted for, 0 rules not exercised by any case/,
  );
  expect(diff).toMatch(/changed: was OYS 3 — No more than once in 14 days/);
  expect(diff).toMatch(/now OYS 3 — No more than once in 28 days/);
  expect(diff).toMatch(/^Rules changed \(1\):$/m);
}, 120_000);

it('the rule the page shows is the example profile’s, word for word', () => {
  const shown = /### Rules\n\n```json\n([\s\S]*?)```/.exec(doc)![1]!;
  const profile = JSON.parse(readFileSync(join(root, 'examples/oakridge/oakridge-v1.json'), 'utf8')) as {
    rules: { id: string }[];
  };
  const rule = JSON.parse(shown) as { id: string };
  expect(rule).toEqual(profile.rules.find((r) => r.id === rule.id));
});

it('every condition a profile may use is in the page’s table', () => {
  const keys = Object.keys(Condition.shape);
  const table = doc.slice(doc.indexOf('### Conditions'), doc.indexOf('## 2. Check it'));
  expect(keys.length).toBeGreaterThan(30);
  expect(keys.filter((k) => !table.includes(`\`${k}\``) && !table.includes(`\`"${k}"`))).toEqual([]);
});
