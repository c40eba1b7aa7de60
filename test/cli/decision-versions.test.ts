import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open';
import { Profile } from '../../src/policy/profile';
import type { Staff } from '../../src/store/records';
import {
  agreeConsentException,
  bootstrapAdministrator,
  createDeps,
  decideRequest,
  raiseRequest,
  recordCheck,
  recordConsent,
  upsertStaff,
  upsertTeam,
} from '../../src/workflow';
import { tempDirs } from '../store/temp-dirs';
import { must } from '../workflow/world';
import { runCli } from './run';
import { overt } from '../council/overt-run';
import { fingerprint } from '../../src/policy/authority';

/**
 * Issue 18, Must show: a decision made under a profile's version 1 and replayed after version 2 is adopted is
 * explained by version 1 — through `overt decision explain`, with both versions' files listed in
 * OVERT_PROFILE_FILES (in either order), as the README says. Version 2 here takes effect before the
 * decisions' moment (it was written later and dated back), so the version "in force" by date at that moment
 * is not the one that decided: the replay must find version 1 by its id, version and fingerprint.
 *
 * Every decision of a Fernmoor journey replays to the same verdict: the child's own team manager approving
 * (the policy reads the approver's teams and the child's team), a manager of another team refused, a consent
 * exception agreed by someone in the "Head of Service" group (the policy reads who recorded it: their
 * groups), a child of 16 with an exception, and the viewing recorded. The decision record holds every fact
 * the policy read, so the replay needs nothing from the live store.
 */
const dirs = tempDirs('decision-versions');
afterAll(() => dirs.cleanup());
afterEach(() => delete process.env.OVERT_PROFILE_FILES);

const V1 = join(__dirname, '../../examples/fernmoor/fernmoor.json');
const raw = JSON.parse(readFileSync(V1, 'utf8'));

it('every Fernmoor v1 decision is explained by v1 after v2 is loaded, in either file order', async () => {
  const base = dirs.make();
  const data = join(base, 'data');
  const v2File = join(base, 'fernmoor-v2.json');
  // Version 2: once in any 28 days needs the Head of Service; dated 1 May, before the decisions below.
  writeFileSync(
    v2File,
    JSON.stringify({
      ...raw,
      version: '2',
      effectiveDate: '2026-05-01',
      rules: raw.rules.map((r: { id: string; when: Record<string, unknown> }) =>
        r.id === 'third-in-28-days'
          ? { ...r, when: { priorChecks: { within: { days: 28 }, atLeast: 1 } } }
          : r.id === 'team-manager-authorises'
            ? { ...r, when: { ...r.when, byInChildTeam: false } }
            : r,
      ),
    }),
  );
  Profile.parse(JSON.parse(readFileSync(v2File, 'utf8')));

  // The journey, made while only version 1 is loaded.
  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  let now = new Date('2026-05-10T09:00:00Z');
  let n = 0;
  let k = 0;
  const key = () => `journey-key-${++k}`;
  const deps = createDeps(store, {
    clock: () => now,
    ids: () => `id-${++n}`,
    customProfiles: [Profile.parse(raw)],
  });
  must(await bootstrapAdministrator(deps, { id: 'admin', name: 'Ada Admin (demo)' }));
  const people: { id: string; role: Staff['role']; teamIds: string[]; groups?: string[] }[] = [
    { id: 'cm', role: 'case-manager', teamIds: ['north'] },
    { id: 'tm', role: 'team-manager', teamIds: ['north'] },
    { id: 'tm-south', role: 'team-manager', teamIds: ['south'] },
    { id: 'ig', role: 'information-governance', teamIds: ['north'], groups: ['Head of Service'] },
  ];
  for (const p of people)
    must(await upsertStaff(deps, { key: key(), actorId: 'admin', staff: { ...p, name: `${p.id} (demo)` } }));
  for (const [id, manager] of [
    ['north', 'tm'],
    ['south', 'tm-south'],
  ] as const)
    must(
      await upsertTeam(deps, {
        key: key(),
        actorId: 'admin',
        team: { id, name: `${id} (demo)`, profileId: 'fernmoor-cs', managerIds: [manager] },
      }),
    );
  for (const [id, dateOfBirth] of [
    ['c1', '2014-03-01'],
    ['c2', '2009-02-01'],
  ] as const)
    await store.commit({
      key: `child-${id}`,
      at: now.toISOString(),
      writes: [
        {
          kind: 'child',
          record: {
            id,
            caseRef: `FERN-${id}`,
            displayName: `${id} (demo)`,
            teamId: 'north',
            workerId: 'cm',
            dateOfBirth,
            platforms: [{ platform: 'instagram', account: `@demo_${id}` }],
            createdAt: now.toISOString(),
            consentStatus: 'none',
          },
          ifVersion: null,
        },
      ],
      audit: [
        {
          actor: { id: 'admin' },
          action: 'child.create',
          target: { kind: 'child', id },
          outcome: 'recorded',
        },
      ],
    });
  must(
    await recordConsent(deps, {
      key: key(),
      actorId: 'cm',
      childId: 'c1',
      givenBy: 'parent',
      date: '2026-05-01',
      scope: { platforms: [], purposes: [] },
    }),
  );
  const raise = async (childId: string) =>
    raiseRequest(deps, {
      key: key(),
      actorId: 'cm',
      childId,
      reason: 'risk-of-cse',
      platforms: [{ platform: 'instagram', account: `@demo_${childId}` }],
      viewer: 'organisation-account',
      rationale: 'Fictional rationale for a test.',
    });
  const decide = (actorId: string, requestId: string) =>
    decideRequest(deps, {
      key: key(),
      actorId,
      requestId,
      outcome: 'approve',
      reasons: 'Proportionate: one look at public posts.',
    });

  // The child's own team manager approves; a manager of another team is refused.
  const first = must(await raise('c1'));
  expect(first.request.authority).toBe('child-team-manager');
  now = new Date('2026-05-10T09:30:00Z');
  expect((await decide('tm-south', first.request.id)).ok).toBe(false);
  const approved = must(await decide('tm', first.request.id));
  expect(approved.verdict).toMatchObject({ outcome: 'allow', profile: { version: '1' } });
  now = new Date('2026-05-10T12:00:00Z');
  must(
    await recordCheck(deps, {
      key: key(),
      actorId: 'cm',
      requestId: first.request.id,
      viewedAt: '2026-05-10T11:00:00Z',
      accounts: [{ platform: 'instagram', account: '@demo_c1' }],
      relevantInfo: 'Nothing relevant found.',
      thirdPartyData: 'none',
      sensitive: false,
      attestNoFriendFollow: true,
      attestOpenSourceOnly: true,
    }),
  );
  // A second viewing in 28 days: version 1 lets the team manager decide (version 2 would not).
  now = new Date('2026-05-11T09:00:00Z');
  const second = must(await raise('c1'));
  must(await decide('tm', second.request.id));

  // The 16-year-old without consent: an exception agreed by the Head of Service (a group) still refuses
  // (16 and over give their own consent); before it, no consent refuses.
  expect((await raise('c2')).ok).toBe(false);
  must(
    await agreeConsentException(deps, {
      key: key(),
      actorId: 'ig',
      childId: 'c2',
      date: '2026-05-11',
      reasons: 'Fictional: consent could not be gained.',
    }),
  );
  now = new Date('2026-05-11T10:00:00Z');
  const sixteen = await raise('c2');
  expect(sixteen.ok).toBe(false);
  expect(JSON.stringify(sixteen)).toMatch(/sixteen|16/);

  const events = await store.audit.list();
  await store.close();
  const decisions = events.filter(
    (e) => e.profileId === 'fernmoor-cs' && ['allow', 'refuse', 'needs-escalation'].includes(e.outcome),
  );
  expect(decisions.length).toBeGreaterThanOrEqual(7);
  const approvals = decisions.filter((e) => e.action === 'request.approve' && e.outcome === 'allow');
  expect(approvals.length).toBe(2);

  for (const files of [`${V1},${v2File}`, `${v2File},${V1}`]) {
    process.env.OVERT_PROFILE_FILES = files;
    for (const e of decisions) {
      const run = await runCli('decision', 'explain', e.id, '--data', data, '--json');
      expect([e.seq, e.action, run.stderr, run.code]).toEqual([e.seq, e.action, '', 0]);
      const shown = JSON.parse(run.stdout) as {
        same: boolean;
        recorded: { profile: { version: string }; verdict: unknown };
        replayed: unknown;
      };
      expect([e.seq, e.action, shown.same]).toEqual([e.seq, e.action, true]);
      expect(shown.recorded.profile.version).toBe('1');
      expect(shown.replayed).toEqual(shown.recorded.verdict);
    }
    // In words: the approval by the child's own team manager, explained by version 1, the same verdict.
    const words = await runCli('decision', 'explain', approvals[0]!.id, '--data', data);
    expect(words.stdout).toMatch(/Policy: Fernmoor social media viewing procedure, version 1\n/);
    expect(words.stdout).toMatch(/because: The child's own team manager authorises the viewing/);
    expect(words.stdout).toMatch(/the same verdict/);
  }

  // Version 1 no longer configured (only version 2 is loaded): the recorded verdict in words, and plainly
  // that version 1 is not loaded — not a bare error, a stack trace or a blank; exit 1 (not replayed).
  process.env.OVERT_PROFILE_FILES = v2File;
  const gone = await runCli('decision', 'explain', approvals[0]!.id, '--data', data);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toBe('');
  expect(gone.stdout).toMatch(/^Policy: Fernmoor social media viewing procedure, version 1$/m);
  expect(gone.stdout).toMatch(/^Verdict recorded: Allowed/m);
  expect(gone.stdout).toMatch(/because: a rule of this policy version no longer loaded here \(/);
  expect(gone.stdout).toMatch(
    /^Not replayed: version 1 of Fernmoor social media viewing procedure is not loaded here \(its fingerprint is sha256:[0-9a-f]{64}\), so the verdict above is the one recorded\./m,
  );
  expect(gone.stdout).not.toMatch(/\n\s+at |undefined|Replayed with/);
  // The whole fingerprint, the one `overt policy show` and the tab print for version 1.
  const v1Print = fingerprint(Profile.parse(raw));
  expect(gone.stdout).toContain(`(its fingerprint is ${v1Print})`);

  // The same as JSON, from `overt` run as a process: the decision recorded, replayed null, a plain problem
  // naming the version, its whole fingerprint and how to load it, the words of the text form; exit 1.
  const asJson = await overt(
    { OVERT_DATA: data, OVERT_PROFILE_FILES: v2File },
    'decision',
    'explain',
    approvals[0]!.id,
    '--json',
  );
  expect({ status: asJson.status, stderr: asJson.stderr }).toEqual({ status: 1, stderr: '' });
  const shown = JSON.parse(asJson.stdout) as Record<string, unknown>;
  expect(shown).toEqual({
    event: approvals[0]!.id,
    same: false,
    recorded: expect.objectContaining({
      profile: { id: 'fernmoor-cs', version: '1', fingerprint: v1Print },
      verdict: expect.objectContaining({ outcome: 'allow' }),
    }),
    replayed: null,
    problem: `version 1 of Fernmoor social media viewing procedure is not loaded here (its fingerprint is ${v1Print}): the decision recorded cannot be replayed. To replay it, give the service that version's file in OVERT_PROFILE_FILES.`,
    inWords: gone.stdout.split('\n').filter((l) => l !== ''),
  });
}, 120_000);
