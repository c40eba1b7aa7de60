/**
 * Issue 12, attacker 1: someone who can write the store (the SQLite file, or the SharePoint site) but does not
 * hold the audit key appends an event, chained and hashed with Overt's own functions — the hash is public
 * arithmetic — here a check moved to another child. Every event Overt writes is sealed with a key derived
 * from the audit key (audit.ts, anchor.ts), so the forged one is found by the live check (`/healthz`), by
 * `overt audit verify`, and no checkpoint is signed over it, even after the running service has written its
 * own events on top of it. Both stores, through the running service.
 */
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { start, type Running } from '../../src/server/main';
import { chain, type AuditEvent } from '../../src/store/audit';
import { doneUnitCall, eventCall } from '../../src/store/graph/units';
import { sqliteFile } from '../../src/store/open';
import { bootstrapAdministrator } from '../../src/workflow';
import { runCli } from '../cli/run';
import { draft } from '../store/fixtures';
import { batcherFor, reopen, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import { serviceEnv, type StoreKind } from './seeded-service';
import type { GraphServer } from '../../tools/graph-local/server';

const dirs = tempDirs('forged-append');
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.stop();
  dirs.cleanup();
});

/** The forger's event: the next seq, chained onto the last event, hashed as Overt hashes — and unsealed. */
function forge(last: { seq: number; hash: string }): AuditEvent {
  const [e] = chain(
    [draft('check.record', { kind: 'check', id: 'chk-moved-to-another-child' })],
    last,
    { key: 'forged', at: new Date().toISOString() },
    () => 'forged-event',
  );
  return e!;
}

async function setUp(kind: StoreKind) {
  const base = dirs.make();
  const { env, config } = await serviceEnv(kind, server, base);
  let append: (e: (last: { seq: number; hash: string }) => AuditEvent) => Promise<number>;
  if (kind === 'sqlite') {
    append = async (make) => {
      const db = new Database(sqliteFile(env.OVERT_DATA!));
      try {
        const last = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as {
          seq: number;
          hash: string;
        };
        const e = make(last);
        // An INSERT: the append-only triggers allow it, as they must.
        db.prepare(
          `INSERT INTO audit (seq, id, at, at_utc, actor_id, actor_role, action, target_kind, target_id, outcome,
             cites, profile_id, profile_version, key, details, details_hash, writes, prev_hash, hash, seal)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL)`,
        ).run(
          e.seq,
          e.id,
          e.at,
          e.at,
          e.actor.id,
          e.actor.role ?? null,
          e.action,
          e.target.kind,
          e.target.id,
          e.outcome,
          JSON.stringify(e.cites),
          e.profileId ?? null,
          e.profileVersion ?? null,
          e.key,
          JSON.stringify(e.details),
          e.detailsHash ?? null,
          e.prevHash,
          e.hash,
        );
        // And the answer its command would have kept under its key, as a careful forger would.
        db.prepare('INSERT INTO units (key, at, result) VALUES (?, ?, NULL)').run(e.key, e.at);
        return e.seq;
      } finally {
        db.close();
      }
    };
  } else {
    append = async (make) => {
      // The forger's own connection to the site, and Overt's own code to build the item.
      const site = await reopen(config!);
      try {
        const events = await site.audit.list();
        const last = events.at(-1)!;
        const e = make(last);
        const [r, u] = await batcherFor(server).chain([
          eventCall(site.ctx, e),
          // And the answer its command would have kept under its key, as a careful forger would.
          doneUnitCall(site.ctx, { key: e.key, at: e.at, result: undefined }),
        ]);
        expect([r!.status, u!.status]).toEqual([201, 201]);
        return e.seq;
      } finally {
        await site.close();
      }
    };
  }
  const logs: string[] = [];
  const running = await start(env, (l) => logs.push(l));
  return { env, running, append, logs };
}

const checkpoints = (env: Record<string, string>) =>
  existsSync(env.OVERT_AUDIT_CHECKPOINTS!)
    ? readFileSync(env.OVERT_AUDIT_CHECKPOINTS!, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { count: number }).count)
    : [];

async function healthz(running: Running) {
  const port = (running.servers[1]!.address() as { port: number }).port;
  const res = await fetch(`http://localhost:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as { problems?: string[] } };
}

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each<StoreKind>(['sqlite', 'graph'])('on the %s store', (kind) => {
  it('an event appended without the audit key is found by /healthz and audit verify, and no checkpoint is signed over it, though the service wrote on top of it', async () => {
    const { env, running, append, logs } = await setUp(kind);
    let stopped = false;
    try {
      expect((await bootstrapAdministrator(running.deps, { id: 'admin', name: 'Ada Admin (demo)' })).ok).toBe(
        true,
      );
      expect((await healthz(running)).status).toBe(200);
      await until(() => checkpoints(env).includes(1));
      const forgedSeq = await append(forge);
      expect(forgedSeq).toBe(2);
      // The service writes before anything has looked: its event is chained onto the forged one.
      const wrote = await bootstrapAdministrator(running.deps, { id: 'admin2', name: 'Bo Admin (demo)' });
      expect(wrote.ok).toBe(true);
      // Its checkpoint is due within a second; it is not signed, now or later.
      await new Promise((r) => setTimeout(r, 2000));
      expect(Math.max(...checkpoints(env))).toBe(1);
      const health = await healthz(running);
      expect(health.status).toBe(503);
      // Anyone may ask /healthz: it says the trail is broken, never which event or why; the log does.
      expect(health.body.problems?.[0]).toMatch(/^the audit trail is broken: Overt takes no changes/);
      expect(JSON.stringify(health.body)).not.toMatch(/event 2|seal|chk-/);
      expect(logs.join('\n')).toMatch(
        /the audit trail is broken at event 2: it carries no seal of the audit key: it was written outside Overt/,
      );
      // From then on nothing more is written.
      await expect(
        bootstrapAdministrator(running.deps, { id: 'admin3', name: 'Cy Admin (demo)' }),
      ).rejects.toThrow(/audit trail is broken/);
      await running.stop();
      stopped = true;
      expect(Math.max(...checkpoints(env))).toBe(1);
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        const verified = await runCli('audit', 'verify', '--data', env.OVERT_DATA!);
        expect(verified.code).toBe(1);
        expect(verified.stdout).toMatch(
          /audit chain broken at event 2 \(.* check\.record on check chk-moved-to-another-child\): it carries no seal of the audit key/,
        );
        // The store alone cannot tell: only the key's holder can.
        const alone = await runCli(
          'audit',
          'verify',
          ...(kind === 'sqlite' ? ['--data', env.OVERT_DATA!] : []),
          '--unanchored',
        );
        expect(`${alone.stdout}${alone.stderr}`).toMatch(/audit chain intact: 3 events/);
      } finally {
        for (const k of Object.keys(env)) delete process.env[k];
        Object.assign(process.env, saved);
      }
    } finally {
      if (!stopped) await running.stop();
    }
  }, 90_000);
});
