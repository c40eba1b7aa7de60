import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaseFile } from '../../src/policy/cases';
import { loadProfileFile } from '../../src/policy/load';
import { runCli } from '../cli/run';

/**
 * A day that is not on the calendar is refused wherever a profile or a case names one: `2026-02-30` matched
 * the pattern and Date.parse rolled it over to 2 March, so a profile took effect, a bank holiday fell or a
 * viewing happened on a day that does not exist.
 */
const fixtures = join(__dirname, 'fixtures/ashbridge');
const dir = mkdtempSync(join(tmpdir(), 'overt-dates-'));
const profile = JSON.parse(readFileSync(join(fixtures, 'policy-v1.json'), 'utf8')) as Record<string, unknown>;
const write = (name: string, body: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(body));
  return f;
};

describe('impossible dates', () => {
  it.each([
    ['an impossible effective date', { effectiveDate: '2026-02-30' }, '2026-02-30'],
    ['an impossible bank holiday', { bankHolidays: ['2026-08-31', '2026-13-45'] }, '2026-13-45'],
  ])('a profile with %s is refused', async (_what, over, day) => {
    const f = write(`p-${day}.json`, { ...profile, ...over });
    const p = loadProfileFile(f);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error.message).toContain(`"${day}" is not a day on the calendar`);
    const r = await runCli('policy', 'check', f);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`"${day}" is not a day on the calendar`);
  });

  it('a real leap day is a day', () => {
    expect(loadProfileFile(write('leap.json', { ...profile, effectiveDate: '2024-02-29' })).ok).toBe(true);
  });

  const base = JSON.parse(readFileSync(join(fixtures, 'cases/01-own-tm.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  it.each([
    ['now', { now: '2026-02-30T10:00:00Z' }, '2026-02-30T10:00:00Z'],
    ['now (a time off the clock)', { now: '2026-06-20T25:00:00Z' }, '2026-06-20T25:00:00Z'],
    ['a given event', { given: [{ event: 'consent-recorded', on: '2026-13-45' }] }, '2026-13-45'],
    ['the date of birth', { child: { team: 'east', dateOfBirth: '2010-02-29' } }, '2010-02-29'],
  ])('a case with an impossible day or time in %s is invalid', (_what, over, day) => {
    const r = runCaseFile(
      write(`c-${_what}.json`, { ...base, profile: join(fixtures, 'policy-v1.json'), ...over }),
    );
    expect(r.passed).toBe(false);
    expect(r.failures.join('\n')).toContain(`"${day}" is not`);
    expect(r.verdict).toBeUndefined();
  });

  it('the case as written passes', () => {
    expect(
      runCaseFile(write('c-ok.json', { ...base, profile: join(fixtures, 'policy-v1.json') })).failures,
    ).toEqual([]);
  });
});
