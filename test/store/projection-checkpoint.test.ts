import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchChild, benchOrganisation, must } from '../../bench/seed';
import Database from 'better-sqlite3';
import { openStore, sqliteFile } from '../../src/store/open';
import type { Store } from '../../src/store/store';
import {
  createDeps,
  decideRequest,
  raiseRequest,
  recordCheck,
  recordConsent,
  upsertStaff,
  type Deps,
} from '../../src/workflow';
import { AuditProjection, CHECKPOINT } from '../../src/workflow/audit-projection';
import { serviceDashboard } from '../../src/workflow/dashboard';
import { childTimeline } from '../../src/workflow/history';
import { freshStore, reopen, startServer } from './graph-harness';

/**
 * Issue 16: the first dashboard after an instance starts reads the projection's checkpoint from the store
 * and only the events after it, not the whole trail, and shows what a projection built from the whole
 * trail shows — decisions on requests raised before the checkpoint included (their raise is looked up).
 * A child's history on that instance still has the child's events from before the checkpoint.
 */

type World = { deps: Deps; key: () => string; tick: () => void };

function world(store: Store): World {
  let now = new Date('2026-03-02T09:00:00Z');
  let n = 0;
  const deps = createDeps(store, { clock: () => now, ids: () => `id-${++n}` });
  return { deps, key: () => `test-key-${++n}`, tick: () => (now = new Date(now.getTime() + 3_600_000)) };
}

/** Children consented; each raised, approved and recorded but the last two, raised only; a refusal. */
async function history(w: World, children: number): Promise<string[]> {
  await benchOrganisation(w.deps, w.key);
  must(
    await upsertStaff(w.deps, {
      key: w.key(),
      actorId: 'admin',
      staff: { id: 'sm', name: 'sm (demo)', role: 'service-manager', teamIds: ['t'] },
    }),
  );
  const open: string[] = [];
  for (let i = 0; i < children; i++) {
    const childId = await benchChild(w.deps.store, w.key(), i, w.deps.clock().toISOString());
    must(
      await recordConsent(w.deps, {
        key: w.key(),
        actorId: 'cm',
        childId,
        givenBy: 'child',
        date: '2026-02-01',
        scope: { platforms: [], purposes: [] },
      }),
    );
    const raised = must(
      await raiseRequest(w.deps, {
        key: w.key(),
        actorId: 'cm',
        childId,
        reason: 'risk-of-cce',
        platforms: [{ platform: 'youtube', account: 'demo' }],
        viewer: 'own-personal-account',
      }),
    );
    w.tick();
    if (i >= children - 2) {
      open.push(raised.request.id);
      continue;
    }
    await decide(w, raised.request.id, childId);
    w.tick();
    must(
      await recordCheck(w.deps, {
        key: w.key(),
        actorId: 'cm',
        requestId: raised.request.id,
        viewedAt: new Date(w.deps.clock().getTime() - 60_000).toISOString(),
        accounts: [{ platform: 'youtube', account: 'demo' }],
        relevantInfo: '',
        thirdPartyData: 'none',
        sensitive: false,
        attestNoFriendFollow: true,
        attestOpenSourceOnly: true,
      }),
    );
  }
  return open;
}

async function decide(w: World, requestId: string, childId: string) {
  must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm',
      requestId,
      childId,
      teamId: 't',
      outcome: 'approve',
      reasons: 'Proportionate (test).',
    }),
  );
}

async function dashboardOf(deps: Deps, projection: AuditProjection) {
  const d = must(await serviceDashboard(deps, projection, { actorId: 'sm' }));
  return { periods: d.periods, open: d.open };
}

async function checkpointed(store: Store, w: World): Promise<string[]> {
  const open = await history(w, 6);
  // The instance that has been running: it files the trail and leaves a checkpoint in the store.
  const first = new AuditProjection(store, w.deps.profiles, { checkpointEvery: 10 });
  must(await childTimeline(w.deps, first, { key: 'history-read-0', actorId: 'tm', childId: 'child-0' }));
  await dashboardOf(w.deps, first);
  await first.settled();
  expect(await store.get('projection', CHECKPOINT)).toBeDefined();
  // After the checkpoint: a request raised before it is decided.
  w.tick();
  await decide(w, open[0]!, 'child-4');
  return open;
}

it('on SharePoint, a new instance starts its dashboard from the checkpoint and agrees with the whole trail', async () => {
  const server = await startServer();
  try {
    const { store, config } = await freshStore(server);
    const w = world(store);
    await checkpointed(store, w);
    await store.close();

    // A new instance: its own store connection, its projection empty.
    const second = await reopen(config);
    const deps = { ...w.deps, store: second };
    const fromCheckpoint = new AuditProjection(second, deps.profiles, { checkpointEvery: 0 });
    const total = (await second.audit.list({})).length;
    // Watched, not replaced: where each read of the trail starts.
    const reads = jest.spyOn(second.audit, 'list');
    server.resetStats();
    const seen = await dashboardOf(deps, fromCheckpoint);
    const requests = server.stats.requests;
    const startedAt = reads.mock.calls.map(([q]) => q?.afterSeq ?? 0);
    reads.mockRestore();

    const third = await reopen(config);
    const whole = new AuditProjection(third, deps.profiles, { fromCheckpoint: false, checkpointEvery: 0 });
    server.resetStats();
    expect(await dashboardOf({ ...deps, store: third }, whole)).toEqual(seen);
    // The whole trail looks up no request: each one's raise is read before the events that name it.
    expect(server.stats.requests).toBeLessThanOrEqual(6);
    expect(seen.periods[2]!.total).toMatchObject({ checks: 4, approvals: 5 });
    expect(seen.periods[2]!.total.medianHoursToDecision).not.toBeNull();
    // Only the events after the checkpoint were read (the decision after it and its neighbours).
    expect(startedAt[0]).toBeGreaterThan(total - 10);
    expect(requests).toBeLessThanOrEqual(6);

    // The child's history on the new instance still holds what happened before the checkpoint: the team
    // manager's read of it.
    const h = must(
      await childTimeline(deps, fromCheckpoint, { key: 'history-read-1', actorId: 'sm', childId: 'child-0' }),
    );
    expect(h.access.map((a) => a.actorId)).toEqual(['sm', 'tm']);
    await Promise.all([second.close(), third.close()]);
  } finally {
    await server.stop();
  }
}, 120_000);

it('on SQLite, a second process on the same folder starts from the checkpoint and agrees with the whole trail', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'overt-projection-'));
  const open = async () => {
    const o = await openStore({ dataDir: dir, kind: 'sqlite' });
    if (!o.ok) throw new Error(o.error.message);
    return o.value;
  };
  const store = await open();
  try {
    const w = world(store);
    await checkpointed(store, w);
    const other = await open();
    const deps = { ...w.deps, store: other };
    const fromCheckpoint = new AuditProjection(other, deps.profiles, { checkpointEvery: 0 });
    const whole = new AuditProjection(other, deps.profiles, { fromCheckpoint: false, checkpointEvery: 0 });
    expect(await dashboardOf(deps, fromCheckpoint)).toEqual(await dashboardOf(deps, whole));
    await other.close();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

// Overt's bookkeeping rows carry no event (RELIABILITY.md, "Bookkeeping rows"): a checkpoint's parts or its
// manifest deleted outside Overt is not a finding of `overt audit verify`, because nothing is lost — the tallies
// are the trail's, and a projection that cannot read its checkpoint whole reads the trail whole.
it.each(['a part', 'the manifest'] as const)(
  'on SQLite, %s of the checkpoint deleted outside Overt: the next instance reads the trail whole and agrees with it',
  async (which) => {
    const dir = mkdtempSync(join(tmpdir(), 'overt-projection-'));
    const open = async () => {
      const o = await openStore({ dataDir: dir, kind: 'sqlite' });
      if (!o.ok) throw new Error(o.error.message);
      return o.value;
    };
    const store = await open();
    try {
      const w = world(store);
      await checkpointed(store, w);
      const db = new Database(sqliteFile(dir));
      const deleted =
        which === 'the manifest'
          ? db.prepare('DELETE FROM projection WHERE id = ?').run(CHECKPOINT).changes
          : db
              .prepare(
                'DELETE FROM projection WHERE id = (SELECT id FROM projection WHERE id <> ? ORDER BY id LIMIT 1)',
              )
              .run(CHECKPOINT).changes;
      db.close();
      expect(deleted).toBe(1);
      const other = await open();
      const deps = { ...w.deps, store: other };
      const said: string[] = [];
      const fromCheckpoint = new AuditProjection(other, deps.profiles, {
        checkpointEvery: 0,
        log: (m) => said.push(m),
      });
      const whole = new AuditProjection(other, deps.profiles, { fromCheckpoint: false, checkpointEvery: 0 });
      const rebuilt = await dashboardOf(deps, fromCheckpoint);
      expect(rebuilt).toEqual(await dashboardOf(deps, whole));
      expect(rebuilt.periods.length).toBeGreaterThan(0);
      if (which === 'a part')
        expect(said).toEqual(['audit projection: the checkpoint does not match its hash; reading the trail']);
      await other.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
  60_000,
);
