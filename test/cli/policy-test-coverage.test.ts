import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run';

/**
 * Issue 18: `overt policy test --coverage` lists, for each profile the cases ran under, the rules and clauses
 * no passing case exercises, and `--strict` exits 1 when anything is unexercised. `overt policy coverage`
 * counts a rule with 0 cases as not exercised too (it passed while three Ashbridge rules had no case, because
 * another rule of the same clause had one).
 */
const ashbridge = join(__dirname, '../policy/fixtures/ashbridge');
const dir = mkdtempSync(join(tmpdir(), 'overt-coverage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('policy cases: what they never exercise', () => {
  it('test --coverage names the rules never exercised; --strict exits 1; without it the run passes', async () => {
    const r = await runCli('policy', 'test', join(ashbridge, 'cases'), '--coverage');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^14 passed, 0 failed$/m);
    expect(r.stdout).toMatch(
      /^Coverage of Ashbridge online safeguarding viewing policy \(ashbridge-cs v1\) by these cases:\n {2}rules never exercised \(3\): no-consent, not-own, wrong-authority$/m,
    );
    const strict = await runCli('policy', 'test', join(ashbridge, 'cases'), '--coverage', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/3 not exercised \(--strict\)/);
  });

  it('a clause none of whose rules a case exercises is named; all exercised passes --strict', async () => {
    // Without the missing-from-home case, clause ASH/A2 (one rule) is never exercised.
    const cases = join(dir, 'cases');
    cpSync(join(ashbridge, 'cases'), cases, { recursive: true });
    rmSync(join(cases, '03-missing.json'));
    cpSync(join(ashbridge, 'policy-v1.json'), join(dir, 'policy-v1.json'));
    const r = await runCli('policy', 'test', cases, '--coverage', '--strict');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /rules never exercised \(4\): missing-coordinator-authorises, no-consent, not-own, wrong-authority/,
    );
    expect(r.stdout).toMatch(/^ {2}clauses never exercised \(1\): ASH\/A2$/m);
    // Fernmoor's cases exercise every rule: --strict passes.
    const fernmoor = await runCli(
      'policy',
      'test',
      join(__dirname, '../../examples/fernmoor/cases'),
      '--coverage',
      '--strict',
    );
    expect(fernmoor.stdout).toMatch(
      /every rule and every clause that carries one is exercised by a passing case/,
    );
    expect(fernmoor.code).toBe(0);
  });

  it('policy coverage: a rule with 0 cases is not exercised, and the command exits 1', async () => {
    const r = await runCli(
      'policy',
      'coverage',
      join(ashbridge, 'policy-v1.json'),
      '--cases',
      join(ashbridge, 'cases'),
    );
    expect(r.stdout).toMatch(/rule wrong-authority \(refuse\): 0 case\(s\) — NOT EXERCISED/);
    expect(r.stdout).toMatch(/0 not accounted for, 3 rules not exercised by any case$/m);
    expect(r.code).toBe(1);
  });
});
