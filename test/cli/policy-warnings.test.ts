import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from './run';

/**
 * issue 18: `overt policy check` warns of a profile that is valid but probably not meant — an effective date
 * far off, a rule whose conditions no situation meets, a rule outranked on all its actions by one that always
 * refuses, a profile that never allows anything — naming the rule. Warnings leave the exit code 0 unless
 * --strict. (An authority nobody can act as stays an error.)
 */

const dirs = tempDirs('cli-policy-warnings');
afterAll(dirs.cleanup);
type Raw = { rules: Record<string, unknown>[]; [k: string]: unknown };
const fernmoor = () =>
  JSON.parse(readFileSync(join(__dirname, '../../examples/fernmoor/fernmoor.json'), 'utf8')) as Raw;
const write = (p: Raw) => {
  const file = join(dirs.make(), 'profile.json');
  writeFileSync(file, JSON.stringify(p));
  return file;
};

it('a sound profile has no warnings', async () => {
  const r = await runCli('policy', 'check', write(fernmoor()), '--strict');
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain('⚠');
});

it('warns of an effective date far off, unsatisfiable and outranked rules; exit 0, or 1 with --strict', async () => {
  const p = fernmoor();
  p.effectiveDate = '2206-04-01';
  p.rules[0]!.when = { childAge: { atLeast: 16, under: 12 } };
  p.rules[1]!.when = { reasonIn: ['prevent-concern'], reasonNotIn: ['prevent-concern'] };
  p.rules.unshift({
    id: 'stop-everything',
    cites: ['SMP-2'],
    actions: ['request-check', 'approve-check'],
    when: { always: true },
    effect: 'refuse',
    explain: 'Nothing for now.',
  });
  const file = write(p);
  const r = await runCli('policy', 'check', file);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('⚠ effectiveDate: 1 April 2206 is more than 2 years away');
  expect(r.stdout).toContain(
    '⚠ rule team-manager-authorises: can never fire: it asks for a child at least 16 and under 12',
  );
  expect(r.stdout).toContain(
    '⚠ rule prevent-lead-authorises: can never fire: every reason it asks for (reasonIn) is also excluded (reasonNotIn)',
  );
  expect(r.stdout).toMatch(
    /⚠ rule team-manager-authorises: never decides: rule stop-everything always refuses request-check, approve-check/,
  );
  const strict = await runCli('policy', 'check', file, '--strict');
  expect(strict.code).toBe(1);
  expect(strict.stderr).toMatch(/warnings \(--strict\)/);
});

it('warns of a profile that can never allow anything', async () => {
  const p = fernmoor();
  p.rules = p.rules.filter((r) => r.effect !== 'allow' && r.effect !== 'escalate');
  const r = await runCli('policy', 'check', write(p));
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('⚠ rules: no rule allows or escalates anything, so every situation is refused');
});

it('an authority nobody can act as is still an error', async () => {
  const p = fernmoor();
  (p.authorities as Record<string, unknown>)['prevent-lead'] = { name: 'the Prevent lead' };
  const r = await runCli('policy', 'check', write(p));
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('nobody can act as the Prevent lead');
});

it('warns of an authority no rule uses and a clause nothing cites with no reason given; --strict exits 1', async () => {
  const p = fernmoor();
  (p.authorities as Record<string, unknown>)['deputy-director'] = {
    name: 'the Deputy Director',
    holders: [{ group: 'Deputy Directors' }],
  };
  (p.clauses as Record<string, string>)['SMP-9'] = 'Annual audit by the Deputy Director';
  const file = write(p);
  const r = await runCli('policy', 'check', file);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(
    '⚠ authorities.deputy-director: no rule uses the Deputy Director (none escalates to it or asks who holds it)',
  );
  expect(r.stdout).toContain('⚠ clauses.SMP-9: nothing cites it and "unenforced" gives no reason');
  // A reason in "unenforced" accounts for the clause; a rule naming the authority uses it.
  (p.unenforced as Record<string, string>) = {
    ...(p.unenforced as object),
    'SMP-9': 'An audit, done by people',
  };
  p.rules.push({
    id: 'deputy-sees-history',
    cites: ['SMP-8'],
    actions: ['view-history'],
    when: { byHolds: ['deputy-director'] },
    effect: 'allow',
    explain: 'The Deputy Director sees the record.',
  });
  const fixed = await runCli('policy', 'check', write(p), '--strict');
  expect(fixed.stdout).not.toContain('⚠');
  expect(fixed.code).toBe(0);
  const strict = await runCli('policy', 'check', file, '--strict');
  expect(strict.code).toBe(1);
});

it('checks a version against the other versions beside it: out of order is refused, a backdated one warned of', async () => {
  const folder = dirs.make();
  const at = (name: string, version: string, effectiveDate: string) => {
    const file = join(folder, name);
    writeFileSync(file, JSON.stringify({ ...fernmoor(), version, effectiveDate }));
    return file;
  };
  at('v1.json', '1', '2026-04-01');
  const v3 = at('v3.json', '3', '2026-03-01');
  const refused = await runCli('policy', 'check', v3);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    'version 3 takes effect on 1 March 2026, before version 1 (1 April 2026): a later version cannot take effect before an earlier one',
  );
  // Version 2 after version 1 but before today: valid, with a warning that a service that adopted version 1
  // refuses it.
  writeFileSync(v3, '{}');
  const v2 = at('v2.json', '2', '2026-05-01');
  const warned = await runCli('policy', 'check', v2);
  expect(warned.code).toBe(0);
  expect(warned.stdout).toContain(
    '⚠ effectiveDate: version 2 takes effect on 1 May 2026, before today, and version 1 of fernmoor-cs exists',
  );
});

it('policy list refuses what the service refuses at start: a built-in id, two differing files for one version', async () => {
  const folder = dirs.make();
  const a = join(folder, 'a.json');
  const b = join(folder, 'b.json');
  writeFileSync(a, JSON.stringify(fernmoor()));
  writeFileSync(b, JSON.stringify({ ...fernmoor(), name: 'Fernmoor changed' }));
  const kent = join(folder, 'kent.json');
  writeFileSync(kent, JSON.stringify({ ...fernmoor(), id: 'kent-ics' }));
  const before = process.env['OVERT_PROFILE_FILES'];
  try {
    process.env['OVERT_PROFILE_FILES'] = `${a},${b}`;
    const twice = await runCli('policy', 'list');
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('profile fernmoor-cs v1 is loaded twice with different rules');
    process.env['OVERT_PROFILE_FILES'] = kent;
    const clash = await runCli('policy', 'list');
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('the id "kent-ics" is a built-in profile\'s');
  } finally {
    if (before === undefined) delete process.env['OVERT_PROFILE_FILES'];
    else process.env['OVERT_PROFILE_FILES'] = before;
  }
});

it('warns of a rule whose conditions read what none of its actions carries (view-history with reasonIn)', async () => {
  const p = fernmoor();
  p.rules.push(
    {
      id: 'history-for-prevent',
      cites: ['SMP-7'],
      actions: ['view-history'],
      when: { reasonIn: ['prevent-concern'] },
      effect: 'allow',
      explain: 'The Prevent lead may read the record of Prevent checks.',
    },
    {
      id: 'request-needs-reasons',
      cites: ['SMP-2'],
      actions: ['request-check', 'view-history'],
      when: { reasons: 'absent' },
      effect: 'refuse',
      explain: 'No reasons, no check.',
    },
    {
      id: 'record-on-reason',
      cites: ['SMP-2'],
      actions: ['record-check', 'view-history'],
      when: { reasonIn: ['prevent-concern'] },
      effect: 'oblige',
      obligation: { id: 'prevent-note', text: 'Note the Prevent referral.' },
      explain: 'Note the Prevent referral.',
    },
  );
  const r = await runCli('policy', 'check', write(p), '--strict');
  expect(r.stdout).toContain(
    '⚠ rule history-for-prevent: can never fire: reasonIn reads a reason, which view-history does not carry',
  );
  expect(r.stdout).toContain(
    '⚠ rule request-needs-reasons: can never fire: reasons reads the approver’s reasons, which request-check and view-history do not carry',
  );
  // It fires on record-check, so it is not reported, though view-history never meets it.
  expect(r.stdout).not.toContain('record-on-reason');
  expect(r.code).toBe(1);
});
