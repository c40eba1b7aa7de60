import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run';

const cases = join(__dirname, '../policy-cases');
const shared = join(__dirname, '../../../shared/policy-cases/examples');
const dir = mkdtempSync(join(tmpdir(), 'overt-cli-'));

describe('overt policy', () => {
  it('list: the five built-in profiles', async () => {
    const r = await runCli('policy', 'list');
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual([
      'nottinghamshire-yjs',
      'camden-cfs',
      'kent-ics',
      'north-somerset-scb',
      'westgate-youth-project',
    ]);
  });

  it('show: every numbered clause of 000 that carries a rule, with its rules', async () => {
    const r = await runCli('policy', 'show', 'nottinghamshire-yjs');
    expect(r.code).toBe(0);
    for (const n of [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 22, 23])
      expect(r.stdout).toMatch(new RegExp(`^000 §${n} — `, 'm'));
    expect(r.stdout).toMatch(
      /ESCALATES raising a request or approving — for an authorising officer \(RIPA\), after legal advice to decide/,
    );
    // The RIPA officer by one name (issue 20 walk): never "authorised officer", the profile's own word.
    expect(r.stdout).not.toMatch(/\b(?:authori[sz]ed|authorizing) officers?\b/i);
    expect(r.stdout).toMatch(/PLATFORM NOTES last checked 3 January 2023/);
    expect(r.stdout).toMatch(
      /What Overt does not enforce \(clauses that carry no rule, each with why\):\n {2}000 §1 /,
    );
    // A clause no rule enforces says why; a rule no clause carries says it is a local decision.
    expect(r.stdout).toMatch(/^ {2}000 §24 Annual review .* — The annual review is done by people/m);
    expect(r.stdout).toMatch(
      /Local decisions \(no clause carries them\):\n {2}REFUSES raising a request or approving\n/,
    );
  });

  it('show: the retention schedule in words, under the clause that carries it or as a local decision', async () => {
    const kent = await runCli('policy', 'show', 'kent-ics');
    expect(kent.code).toBe(0);
    expect(kent.stdout).toMatch(
      /^002 §Appendix 2 Data protection — [^\n]*\n(?:(?!\n\n)[\s\S])*?\n {2}RETENTION — how long records are kept[^\n]*\n {6}Requests: kept 24 months from when the request is closed\n/m,
    );
    expect(kent.stdout).toMatch(
      /^ {6}RIPA authorisation records: kept 36 months from when the authorisation ends$/m,
    );
    expect(kent.stdout).toMatch(
      /^ {6}The child's own details: kept 24 months from the last record about the child$/m,
    );
    expect(kent.stdout).toMatch(/^ {6}basis: UK GDPR Article 5\(1\)\(e\)/m);
    const notts = await runCli('policy', 'show', 'nottinghamshire-yjs');
    expect(notts.stdout).toMatch(
      /Local decisions \(no clause carries them\):\n[\s\S]*\n {2}RETENTION — [^\n]*\n {6}Requests: kept 24 months/,
    );
  });

  it('show: roles with the right article and report labels in plain words, for every built-in profile', async () => {
    for (const id of [
      'nottinghamshire-yjs',
      'camden-cfs',
      'kent-ics',
      'north-somerset-scb',
      'westgate-youth-project',
    ]) {
      const r = await runCli('policy', 'show', id);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toMatch(/\ba [aeiou]/i);
      expect(r.stdout).not.toMatch(/reported as|(?<![-\w])(repeat-stopped|ripa-route)\b/);
    }
    const notts = await runCli('policy', 'show', 'nottinghamshire-yjs');
    expect(notts.stdout).toMatch(/^ {6}when by an administrator$/m);
    expect(notts.stdout).toMatch(
      /counted in reports as a repeat viewing stopped \(the child was viewed too recently\)/,
    );
    expect(notts.stdout).toMatch(/counted in reports as a check sent to the surveillance route/);
  });

  it('test: the shared examples (when present) and the project’s own cases all pass', async () => {
    const folders = existsSync(shared) ? [shared, cases] : [cases];
    if (existsSync(shared)) {
      const r = await runCli('policy', 'test', shared);
      expect(r.stdout.trim().split('\n').pop()).toBe('6 passed, 0 failed');
      expect(r.code).toBe(0);
    }
    const all = await runCli('policy', 'test', ...folders);
    expect(all.stdout.trim().split('\n').pop()).toMatch(/^\d{2,} passed, 0 failed$/);
    expect(all.code).toBe(0);
  });

  it('test: a failing case prints expected and actual with the determining rules, and exits 1', async () => {
    const file = join(dir, 'wrong.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'a deliberately wrong expectation',
        profile: 'north-somerset-scb',
        now: '2026-03-01T10:00:00Z',
        given: [],
        action: {
          type: 'request-check',
          by: { id: 'cm-a', role: 'case-manager' },
          reason: 'risk-of-cce',
          viewer: 'organisation-account',
          platforms: ['instagram'],
        },
        expect: { outcome: 'allow' },
      }),
    );
    const r = await runCli('policy', 'test', file, cases);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`FAIL a deliberately wrong expectation  (${file})`);
    expect(r.stdout).toMatch(/outcome: expected allow, got refuse/);
    expect(r.stdout).toMatch(/expected: \{"outcome":"allow"\}/);
    expect(r.stdout).toMatch(/actual: {3}\{"outcome":"refuse".*"cites":\["003 §2\.3\.5"\]/);
    expect(r.stdout).toMatch(/determining rules: never-access-childrens-pages/);
    expect(lines.pop()).toMatch(/^\d+ passed, 1 failed$/);
    expect(r.code).toBe(1);
  });

  it('test: no cases at all is a failure, not a pass', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'overt-empty-'));
    const r = await runCli('policy', 'test', empty);
    expect(r.stdout.trim()).toBe('0 passed, 1 failed');
    expect(r.stderr).toMatch(/no policy cases found/);
    expect(r.code).toBe(1);
  });

  it('eval: the verdict as JSON', async () => {
    const r = await runCli(
      'policy',
      'eval',
      join(cases, 'nottinghamshire/000-11-an-approved-check-not-yet-done-counts-as-a-check.json'),
    );
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({
      outcome: 'needs-escalation',
      authority: 'authorised-officer',
      determining: ['repeat-inside-three-months'],
    });
  });

  it('eval: a malformed situation names the field', async () => {
    const file = join(dir, 'bad-situation.json');
    writeFileSync(
      file,
      JSON.stringify({ profile: 'kent-ics', now: 'yesterday', action: { type: 'request-check' } }),
    );
    const r = await runCli('policy', 'eval', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/invalid situation[\s\S]*→ at now/);
  });

  it('check: a bad profile file is named with its problem', async () => {
    const file = join(dir, 'bad-profile.json');
    writeFileSync(file, JSON.stringify({ id: 'x', rules: [] }));
    const r = await runCli('policy', 'check', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: invalid profile`);
    expect(r.stderr).toMatch(/→ at name/);
  });
});

describe('overt policy for a custom profile (issue 18)', () => {
  const fernmoor = join(__dirname, '../../examples/fernmoor/fernmoor.json');
  const raw = () => JSON.parse(readFileSync(fernmoor, 'utf8'));
  const write = (name: string, p: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(p));
    return f;
  };

  it('list: the custom profiles of OVERT_PROFILE_FILES too, each with its file', async () => {
    process.env['OVERT_PROFILE_FILES'] = fernmoor;
    try {
      const r = await runCli('policy', 'list');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^fernmoor-cs +v1 +effective 2026-04-01 .*\(custom: .*fernmoor\.json\)$/m);
    } finally {
      delete process.env['OVERT_PROFILE_FILES'];
    }
  });

  it('check: a built-in id, an authority nobody holds, and a problem named by its rule id', async () => {
    const p = raw();
    p.id = 'kent-ics';
    p.authorities['prevent-lead'] = { name: 'the Prevent lead' };
    const r = await runCli('policy', 'check', write('clash.json', p));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/id: "kent-ics" is a built-in profile's id/);
    expect(r.stderr).toMatch(/nobody can act as the Prevent lead/);
    const q = raw();
    q.rules[2].when.priorChecks.withinDays = 28;
    q.rules[3].cites = ['SMP-99'];
    const bad = await runCli('policy', 'check', write('typo.json', q));
    expect(bad.code).toBe(1);
    // Structural and citation errors together; the rule named by id; the valid names listed.
    expect(bad.stderr).toMatch(
      /unknown field "withinDays"; the fields here are: atLeast, since, within, withinMonths/,
    );
    expect(bad.stderr).toMatch(/rules\[2\] \(rule "third-in-28-days"\)/);
    expect(bad.stderr).toMatch(
      /cites "SMP-99", which the profile does not declare in "clauses" \(declared: SMP-1, /,
    );
  });
});

it('coverage of a profile named by its file counts the cases beside it (its cases/ folder)', async () => {
  const run = await runCli('policy', 'coverage', join(__dirname, '../../examples/fernmoor/fernmoor.json'));
  expect(run.stdout).toMatch(/SMP-2/);
  expect(run.stdout).toMatch(
    /rule team-manager-authorises \(allow\): 13 case\(s\): SMP-2: a request goes to the child's own team manager/,
  );
});
