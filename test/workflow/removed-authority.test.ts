/**
 * A new profile version that removes the authority a waiting request was sent to (issue 13: no dead ends).
 * Fernmoor version 1 sends a Prevent concern to the Prevent lead; an invented version 2, in force from 1 July
 * 2026, has no Prevent lead (the child's own team manager authorises every viewing). A Prevent concern raised
 * in May and still waiting in August stays the Prevent lead's — in their queue, decided under version 1 and
 * citing SMP-3 — and not the team manager's; a request whose authority version 2 still names is decided under
 * version 2 as before.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Profile } from '../../src/policy/profile';
import { openStore } from '../../src/store/open';
import type { Store } from '../../src/store/store';
import {
  createDeps,
  decideRequest,
  importCaseList,
  raiseRequest,
  recordConsent,
  upsertStaff,
  type Deps,
} from '../../src/workflow';
import { awaitingDecision } from '../../src/workflow/role-views';
import { tempDirs } from '../store/temp-dirs';
import { must, seedNorth } from './world';

const raw = JSON.parse(readFileSync(join(__dirname, '../../examples/fernmoor/fernmoor.json'), 'utf8'));
const v1 = Profile.parse(raw);
const { ['prevent-lead']: _gone, ...kept } = raw.authorities;
const v2 = Profile.parse({
  ...raw,
  version: '2',
  effectiveDate: '2026-07-01',
  authorities: kept,
  rules: raw.rules
    .filter((r: { id: string }) => r.id !== 'prevent-lead-authorises')
    .map((r: { id: string; when: Record<string, unknown> }) =>
      r.id === 'team-manager-authorises' ? { ...r, when: { always: true } } : r,
    ),
});

const dirs = tempDirs('removed-authority');
let store: Store;
let deps: Deps;
let now = new Date('2026-05-01T09:00:00Z');
let k = 0;
const key = () => `removed-key-${++k}`;
let childId = '';

beforeAll(async () => {
  const opened = await openStore({ dataDir: dirs.make(), kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  store = opened.value;
  let n = 0;
  deps = createDeps(store, { clock: () => now, ids: () => `id-${++n}`, customProfiles: [v1, v2] });
  await seedNorth(deps, key, 'fernmoor-cs');
  must(
    await upsertStaff(deps, {
      key: key(),
      actorId: 'admin',
      staff: {
        id: 'lead',
        name: 'Pat Prentice (demo)',
        role: 'service-manager',
        teamIds: ['north'],
        flags: ['preventLead'],
      },
    }),
  );
  must(
    await importCaseList(deps, {
      key: key(),
      actorId: 'admin',
      csv: 'case_reference,initials,team,worker,platforms\nFERN-2,A.B. (demo),north,cm,instagram:@demo_ab',
    }),
  );
  childId = (await store.query('child', { where: { caseRef: 'FERN-2' } }))[0]!.record.id;
  must(
    await recordConsent(deps, {
      key: key(),
      actorId: 'cm',
      childId,
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

const raise = (reason: string) =>
  raiseRequest(deps, {
    key: key(),
    actorId: 'cm',
    childId,
    reason,
    platforms: [{ platform: 'instagram', account: '@demo_ab' }],
    viewer: 'organisation-account',
    rationale: 'Fictional rationale for a test.',
  });
const waitingFor = async (actorId: string) =>
  must(await awaitingDecision(deps, { actorId })).map((a) => a.id);

it('a request whose authority a new version removes stays with whoever held it, decided under the version it was raised under', async () => {
  const prevent = must(await raise('prevent-concern')).request;
  const cse = must(await raise('risk-of-cse')).request;
  expect(prevent).toMatchObject({ status: 'pending', authority: 'prevent-lead', profileVersion: '1' });
  expect(cse).toMatchObject({ status: 'pending', authority: 'child-team-manager', profileVersion: '1' });

  // Version 2 is in force: it has no Prevent lead.
  now = new Date('2026-08-03T09:00:00Z');
  expect(deps.profiles('fernmoor-cs')?.version).toBe('2');
  expect(await waitingFor('lead')).toEqual([prevent.id]);
  expect(await waitingFor('tm')).toEqual([cse.id]);
  // The team manager, who holds no authority it names under version 1, may not decide the Prevent concern.
  const notTheirs = await decideRequest(deps, {
    key: key(),
    actorId: 'tm',
    requestId: prevent.id,
    outcome: 'decline',
    reasons: 'Fictional.',
  });
  expect(notTheirs.ok).toBe(false);

  const byLead = must(
    await decideRequest(deps, {
      key: key(),
      actorId: 'lead',
      requestId: prevent.id,
      outcome: 'approve',
      reasons: 'Proportionate (fictional).',
    }),
  );
  expect(byLead.request.status).toBe('approved');
  expect(byLead.verdict).toMatchObject({ cites: ['SMP-3'], profile: { version: '1' } });
  expect((await store.get('decision', byLead.decisionId!))!.record).toMatchObject({
    authority: 'prevent-lead',
    profileVersion: '1',
  });

  // A request whose authority version 2 still names is decided under version 2.
  const byManager = must(
    await decideRequest(deps, {
      key: key(),
      actorId: 'tm',
      requestId: cse.id,
      outcome: 'approve',
      reasons: 'Proportionate (fictional).',
    }),
  );
  expect(byManager.verdict).toMatchObject({ cites: ['SMP-2'], profile: { version: '2' } });
});
