import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from './run';

/**
 * issue 18 (walk finding 9): `overt policy check`, `policy test` and `policy eval` say what is wrong with a
 * profile or a case in words an information-governance lead reads — what the field should be and what it was —
 * never zod's wording ("Invalid input: expected string, received number", "Invalid discriminator value").
 */

const dirs = tempDirs('cli-policy-plain');
afterAll(dirs.cleanup);
const ZOD = /Invalid input|Invalid option|Invalid discriminator|Too small|Too big|expected string|received/;

it('check: each wrong value says what the field should be and what it found, at the rule by its id', async () => {
  const p = JSON.parse(
    readFileSync(join(__dirname, '../../examples/fernmoor/fernmoor.json'), 'utf8'),
  ) as Record<string, unknown> & { rules: Record<string, unknown>[] };
  p.version = 2;
  p.rules[0]!.explain = 5;
  p.rules[2]!.effect = 'block';
  p.rules[4]!.when = { priorChecks: { within: { days: 'two' } } };
  p.rules[5]!.when = { childAge: { atLeast: -1 } };
  p.rules[6]!.actions = [];
  const file = join(dirs.make(), 'profile.json');
  writeFileSync(file, JSON.stringify(p));
  const r = await runCli('policy', 'check', file);
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(ZOD);
  expect(r.stderr).toContain('✖ should be text in quotes, not the number 2\n  → at version');
  expect(r.stderr).toMatch(
    /✖ should be text in quotes, not the number 5\n {2}→ at rules\[0\] \(rule "[a-z-]+"\)\.explain/,
  );
  expect(r.stderr).toContain(
    '✖ should be one of "allow", "escalate", "refuse" or "oblige", not the text "block"',
  );
  expect(r.stderr).toContain('✖ should be a number, not the text "two"');
  expect(r.stderr).toContain('✖ should be at least 0, not the number -1');
  expect(r.stderr).toContain('✖ the list is empty: it needs at least one entry');
});

it('test and eval: a mistyped event lists the events there are; a wrong type says what it found', async () => {
  const dir = dirs.make();
  const file = join(dir, 'bad.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'bad',
      profile: 'nottinghamshire-yjs',
      now: '2026-03-01T10:00:00Z',
      given: [
        { event: 'consent-recordd', on: '2025-11-20' },
        { event: 'check-completed', on: 20260115, by: 'cm-b' },
      ],
      action: {
        type: 'request-check',
        by: { id: 'cm-a', role: 'case-manager' },
        reason: 'risk-of-cce',
        viewer: 'own-personal-account',
        platforms: ['instagram'],
      },
      expect: { outcome: 'allowed' },
    }),
  );
  const t = await runCli('policy', 'test', dir);
  expect(t.code).toBe(1);
  expect(t.stdout + t.stderr).not.toMatch(ZOD);
  expect(t.stdout).toContain(
    '✖ the text "consent-recordd" is not one of the values it takes: "consent-recorded", "consent-withdrawn",',
  );
  expect(t.stdout).toMatch(/→ at given\[0\]\.event/);
  expect(t.stdout).toContain('✖ should be text in quotes, not the number 20260115');
  expect(t.stdout).toContain(
    '✖ should be one of "allow", "refuse" or "needs-escalation", not the text "allowed"',
  );
  const e = await runCli('policy', 'eval', file);
  expect(e.code).toBe(1);
  expect(e.stderr).not.toMatch(ZOD);
  expect(e.stderr).toContain('not one of the values it takes');
});
