import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCaseFile } from '../../src/policy/cases';
import { runCli } from '../cli/run';

/**
 * A value the profile does not declare (a typo in a reason, a viewer, a flag or a group) is an error naming
 * the valid ones, in a case and in `overt policy eval` — before, "missing-from-hom" matched no rule's
 * reasons and the request was sent to the child's own team manager instead of the Missing Children
 * Coordinator, and the case passed.
 */
const profile = join(__dirname, 'fixtures/ashbridge/policy-v1.json');
const dir = mkdtempSync(join(tmpdir(), 'overt-values-'));

const missing = (over: { reason?: string; viewer?: string; flags?: string[]; groups?: string[] }) => ({
  name: 'a missing-from-home concern goes to the Missing Children Coordinator',
  profile,
  now: '2026-06-20T10:00:00Z',
  given: [{ event: 'consent-recorded', on: '2026-06-02' }],
  child: { team: 'east' },
  action: {
    type: 'request-check',
    by: {
      id: 'cm-east',
      role: 'case-manager',
      teams: ['east'],
      ...(over.flags ? { flags: over.flags } : {}),
      ...(over.groups ? { groups: over.groups } : {}),
    },
    reason: over.reason ?? 'missing-from-home',
    viewer: over.viewer ?? 'organisation-account',
    platforms: ['instagram'],
  },
  expect: { outcome: 'allow', authority: 'own-tm' },
});

const write = (name: string, body: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(body));
  return f;
};

describe('a case names only values the profile declares', () => {
  it('the correctly spelt reason goes to the coordinator (so the case expecting own-tm fails)', () => {
    const r = runCaseFile(write('right.json', missing({})));
    expect(r.failures).toEqual(['authority: expected own-tm, got missing-coordinator']);
  });

  it('a reason the profile does not declare is an error listing its reasons', () => {
    const r = runCaseFile(write('reason.json', missing({ reason: 'missing-from-hom' })));
    expect(r.passed).toBe(false);
    expect(r.failures).toEqual([
      'action.reason: "missing-from-hom" is not a reason of ashbridge-cs (its reasons: missing-from-home, exploitation, self-harm)',
    ]);
    expect(r.verdict).toBeUndefined();
  });

  it('a viewer, flag or group the profile does not know is an error naming the valid ones', () => {
    const r = runCaseFile(
      write(
        'others.json',
        missing({ viewer: 'organisation-acount', flags: ['dls'], groups: ['Assistant Director'] }),
      ),
    );
    expect(r.failures).toEqual([
      expect.stringMatching(
        /^action\.viewer: "organisation-acount" is not a viewer of ashbridge-cs \(its viewers: own-personal-account, .*organisation-account/,
      ),
      'action.by.flags[0]: "dls" is not a flag of ashbridge-cs (its flags: missingCoordinator, dsl)',
      'action.by.groups[0]: "Assistant Director" is not a group of ashbridge-cs (its groups: Assistant Directors)',
    ]);
  });

  it('a built-in that declares no reasons knows the case format’s and its rules’', () => {
    const base = JSON.parse(
      JSON.stringify({
        name: 'typo in a built-in',
        profile: 'nottinghamshire-yjs',
        now: '2026-03-01T10:00:00Z',
        given: [{ event: 'consent-recorded', on: '2025-11-20' }],
        action: {
          type: 'request-check',
          by: { id: 'cm-a', role: 'case-manager' },
          reason: 'risk-of-cc',
          viewer: 'own-personal-account',
          platforms: ['instagram'],
        },
        expect: { outcome: 'allow' },
      }),
    ) as Record<string, unknown>;
    const r = runCaseFile(write('builtin.json', base));
    expect(r.failures).toEqual([
      expect.stringMatching(
        /^action\.reason: "risk-of-cc" is not a reason of nottinghamshire-yjs \(its reasons: repeated-missing-episodes, risk-of-cce, /,
      ),
    ]);
  });

  it('overt policy eval refuses the same, exit 1, nothing printed on stdout', async () => {
    const f = write('eval.json', missing({ reason: 'missing-from-hom' }));
    const r = await runCli('policy', 'eval', f);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'action.reason: "missing-from-hom" is not a reason of ashbridge-cs (its reasons: missing-from-home, exploitation, self-harm)',
    );
    const ok = await runCli('policy', 'eval', write('eval-ok.json', missing({})));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ authority: 'missing-coordinator' });
  });
});
