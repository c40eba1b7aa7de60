import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint } from '../../src/policy/authority';
import { evaluate } from '../../src/policy/evaluate';
import { Profile } from '../../src/policy/profile';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/store';
import {
  assignProfile,
  createDeps,
  decideRequest,
  raiseRequest,
  recordCheck,
  recordConsent,
  type Deps,
} from '../../src/workflow';
import { historyFrom, childRecords } from '../../src/workflow/context';
import { decisionProfile } from '../../src/workflow/queries/decision-profile';
import { tempDirs } from '../store/temp-dirs';
import { must, seedNorth } from './world';

/**
 * Versioning (issue 18): two versions of one custom profile loaded together. A situation is judged by the
 * version in force at its moment; a decision records the fingerprint of the version it was made under, and
 * a decision made under version 1 and replayed after version 2 is adopted is explained by version 1.
 */
const raw = JSON.parse(readFileSync(join(__dirname, '../../examples/fernmoor/fernmoor.json'), 'utf8'));
const v1 = Profile.parse(raw);
// Version 2, from 1 July 2026: once in any 28 days, not twice.
const v2 = Profile.parse({
  ...raw,
  version: '2',
  effectiveDate: '2026-07-01',
  rules: raw.rules.map((r: { id: string; when: Record<string, unknown>; explain: string }) =>
    r.id === 'third-in-28-days'
      ? {
          ...r,
          when: { priorChecks: { within: { days: 28 }, atLeast: 1 } },
          explain:
            'The child has been viewed in the last 28 days: another viewing needs the Head of Service.',
        }
      : r,
  ),
});

const dirs = tempDirs('versions');
let store: Store;
let deps: Deps;
let now = new Date('2026-05-01T09:00:00Z');
let k = 0;
const key = () => `version-key-${++k}`;

beforeAll(async () => {
  const opened = await openStore({ dataDir: dirs.make(), kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  store = opened.value;
  let n = 0;
  deps = createDeps(store, { clock: () => now, ids: () => `id-${++n}`, customProfiles: [v2, v1] });
  await seedNorth(deps, key, 'fernmoor-cs');
  await store.commit({
    key: 'child',
    at: now.toISOString(),
    writes: [
      {
        kind: 'child',
        record: {
          id: 'c1',
          caseRef: 'FERN-1',
          displayName: 'A.B. (demo)',
          teamId: 'north',
          workerId: 'cm',
          platforms: [{ platform: 'instagram', account: '@demo_ab' }],
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
        target: { kind: 'child', id: 'c1' },
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
      date: '2026-04-10',
      scope: { platforms: [], purposes: [] },
    }),
  );
});
afterAll(async () => {
  await store.close();
  await dirs.cleanup();
});

const raise = () =>
  raiseRequest(deps, {
    key: key(),
    actorId: 'cm',
    childId: 'c1',
    reason: 'risk-of-cse',
    platforms: [{ platform: 'instagram', account: '@demo_ab' }],
    viewer: 'organisation-account',
    rationale: 'Fictional rationale for a test.',
  });

it('a decision under version 1, replayed after version 2 is adopted, is explained by version 1', async () => {
  // A first viewing on 1 May, under version 1.
  const first = must(await raise());
  now = new Date('2026-05-01T10:00:00Z');
  must(
    await decideRequest(deps, {
      key: key(),
      actorId: 'tm',
      requestId: first.request.id,
      outcome: 'approve',
      reasons: 'Proportionate: one look at public posts.',
    }),
  );
  now = new Date('2026-05-01T12:00:00Z');
  must(
    await recordCheck(deps, {
      key: key(),
      actorId: 'cm',
      requestId: first.request.id,
      viewedAt: '2026-05-01T11:00:00Z',
      accounts: [{ platform: 'instagram', account: '@demo_ab' }],
      relevantInfo: 'Nothing relevant found.',
      thirdPartyData: 'none',
      sensitive: false,
      attestNoFriendFollow: true,
      attestOpenSourceOnly: true,
    }),
  );

  // A second on 10 May: version 1 allows two in 28 days, so the team manager decides.
  now = new Date('2026-05-10T09:00:00Z');
  const second = must(await raise());
  expect(second.request.status).toBe('pending');
  const decideKey = key();
  const decide = {
    key: decideKey,
    actorId: 'tm',
    requestId: second.request.id,
    outcome: 'approve' as const,
    reasons: 'Proportionate: one look at public posts.',
  };
  const decided = must(await decideRequest(deps, decide));
  expect(decided.verdict?.profile).toEqual({ id: 'fernmoor-cs', version: '1', fingerprint: fingerprint(v1) });
  expect(decided.verdict?.explanation).toMatch(/^Allowed under Fernmoor social media viewing procedure v1\./);
  const decision = (await store.get('decision', decided.decisionId!))!.record;
  expect(decision).toMatchObject({
    profileId: 'fernmoor-cs',
    profileVersion: '1',
    profileFingerprint: fingerprint(v1),
  });
  expect(fingerprint(v1)).not.toBe(fingerprint(v2));

  // Version 2 is adopted on 1 July. The same decision, sent again (the same key), is answered as it was made.
  now = new Date('2026-08-01T09:00:00Z');
  const replayed = await decideRequest(deps, decide);
  expect(replayed.ok && replayed.replayed).toBe(true);
  expect(replayed.ok && replayed.value.verdict?.explanation).toBe(decided.verdict?.explanation);

  // Explaining the decision now uses version 1 (by its fingerprint), and re-judging the situation at its
  // moment gives the same verdict; version 2 would have sent it to the Head of Service.
  const under = decisionProfile(deps, decision)!;
  expect(under.version).toBe('1');
  expect(decisionProfile(deps, { ...decision, profileFingerprint: undefined })!.version).toBe('1');
  const child = (await store.get('child', 'c1'))!.record;
  const given = historyFrom(child, await childRecords(deps, 'c1')).filter(
    (e) => Date.parse(e.on) < Date.parse(decision.at),
  );
  const action = {
    type: 'approve-check' as const,
    by: { id: 'tm', role: 'team-manager' as const, teams: ['north'] },
    requester: 'cm',
    reason: 'risk-of-cse',
    viewer: 'organisation-account',
    platforms: ['instagram'],
    rationale: 'Fictional rationale for a test.',
    authority: 'child-team-manager',
    reasons: 'Proportionate: one look at public posts.',
  };
  const again = evaluate(under, { now: decision.at, given, action, child: { team: 'north' } });
  expect(again.outcome).toBe('allow');
  expect(again.explanation).toBe(decided.verdict?.explanation);
  const underV2 = evaluate(
    { ...v2, effectiveDate: '2026-01-01' },
    { now: decision.at, given, action, child: { team: 'north' } },
  );
  expect(underV2.outcome).toBe('needs-escalation');

  // A new request now is judged by version 2: one viewing in the last 28 days sends it to the Head of Service.
  now = new Date('2026-08-02T09:00:00Z');
  const third = must(await raise());
  now = new Date('2026-08-03T09:00:00Z');
  const fourth = must(await raise());
  expect(third.verdict.profile.version).toBe('2');
  expect(fourth.verdict.profile.version).toBe('2');
});

it('a moment before the first version takes effect is not judged by it', () => {
  expect(deps.profiles('fernmoor-cs', '2026-03-01T09:00:00Z')?.version).toBe('1');
  expect(deps.profiles('fernmoor-cs', '2026-06-30T22:59:00Z')?.version).toBe('1');
  expect(deps.profiles('fernmoor-cs', '2026-06-30T23:30:00Z')?.version).toBe('2'); // 1 July in London
});

it('giving a team a profile that is not loaded says how to load it (OVERT_PROFILE_FILES)', async () => {
  const r = await assignProfile(deps, {
    key: key(),
    actorId: 'admin',
    teamId: 'north',
    profileId: 'westmoor-cs',
  });
  expect(r.ok).toBe(false);
  expect(!r.ok && r.error.message).toMatch(
    /no profile "westmoor-cs" is loaded \(built-in: nottinghamshire-yjs, .*; custom: fernmoor-cs\)\. .*set OVERT_PROFILE_FILES to the file that holds it/,
  );
});
