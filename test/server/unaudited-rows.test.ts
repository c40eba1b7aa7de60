/**
 * Brief E12 (issue 12, a fresh attacker's walk): rows that steer what Overt does but were checked against
 * nothing, and rows moved where no read looks. Through the running service, on SQLite and on the local Graph
 * server (the real Graph client against the in-repo SharePoint lists), someone who can write the store but
 * does not hold the audit key:
 * - edits a person's conversation reference to send their cards to another serviceUrl, or moves the notices
 *   cursor past notices not yet sent: the rows written with no audit event carry the audit key's seal
 *   (src/store/rows.ts), so the next read refuses them as a broken trail, and `overt audit verify` names them;
 * - moves a check to another child (its body and its column), or copies a row under another id: nothing reads
 *   it, yet `/healthz`'s sweep compares each kind's rows as a whole with what the trail wrote (count and hash)
 *   and each row with its columns (`rowProblems`, on SharePoint too), and verify names it.
 */
import Database from 'better-sqlite3';
import { keptOf } from '../../src/bot/conversations';
import { type Running } from '../../src/server/main';
import { fieldsOf } from '../../src/store/graph/fields';
import { columnName, RECORD_ID, UnitColumns } from '../../src/store/graph/lists';
import { sqliteFile } from '../../src/store/open';
import type { Kind } from '../../src/store/records';
import { takeNotices } from '../../src/workflow/notice-feed';
import { runCli } from '../cli/run';
import { batcherFor, reopen, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import { seededService, type StoreKind } from './seeded-service';
import type { GraphServer } from '../../tools/graph-local/server';

const dirs = tempDirs('unaudited-rows');
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.stop();
  dirs.cleanup();
});

/** Rewrites a stored row behind Overt's back: its body (and, on SharePoint, the columns given). */
type Edit = (kind: Kind, id: string, change: (body: Record<string, unknown>) => void) => Promise<void>;

async function service(kind: StoreKind) {
  const { env, config, logs, running, deps, childId } = await seededService(
    kind,
    server,
    dirs.make(),
    'unaudited',
  );
  const [check] = await running.store.query('check', { where: { childId } });
  let edit: Edit;
  if (kind === 'sqlite') {
    edit = async (k, id, change) => {
      const db = new Database(sqliteFile(env.OVERT_DATA!));
      try {
        const row = db.prepare(`SELECT body FROM "${k}" WHERE id = ?`).get(id) as { body: string };
        const body = JSON.parse(row.body) as Record<string, unknown>;
        change(body);
        db.prepare(`UPDATE "${k}" SET body = ? WHERE id = ?`).run(JSON.stringify(body), id);
      } finally {
        db.close();
      }
    };
  } else {
    edit = async (k, id, change) => {
      const site = await reopen(config!);
      try {
        const found = await site.ctx.fetch(k, id);
        const body = JSON.parse(JSON.stringify(found!.record)) as Record<string, unknown>;
        change(body);
        // The body and every indexed column that the change touched, as a careful editor of the list would.
        const columns = Object.fromEntries(
          Object.entries(body)
            .filter(([f, v]) => (found!.record as Record<string, unknown>)[f] !== v && typeof v === 'string')
            .map(([f, v]) => [columnName(f), v]),
        );
        const [r] = await batcherFor(server).chain([
          {
            method: 'PATCH',
            url: `${site.ctx.items(k)}/${found!.itemId}/fields`,
            body: { ovBody: JSON.stringify(body), ...(k === 'check' ? columns : {}) },
          },
        ]);
        expect(r!.status).toBe(200);
      } finally {
        await site.close();
      }
    };
  }
  const port = (running.servers[1]!.address() as { port: number }).port;
  const healthz = async () => (await fetch(`http://localhost:${port}/healthz`)).status;
  /** /healthz until it says the trail is broken (each call sweeps the next kind; a sweep that takes longer
   * than /healthz waits goes on behind it), or 60 calls. */
  const sweepUntilBroken = async () => {
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`http://localhost:${port}/healthz`);
      const body = (await res.json()) as { problems?: string[] };
      if (res.status === 503 && /audit trail is broken/.test(body.problems?.[0] ?? '')) return 503;
      await new Promise((r) => setTimeout(r, 100));
    }
    return 200;
  };
  const verify = async () => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return await runCli('audit', 'verify', '--data', env.OVERT_DATA!);
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  };
  return {
    running,
    deps,
    edit,
    healthz,
    sweepUntilBroken,
    verify,
    logs,
    childId,
    checkId: check!.record.id,
    config,
    env,
  };
}

async function stopped<T>(running: Running, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await running.stop();
  }
}

describe.each<StoreKind>(['sqlite', 'graph'])('on the %s store', (kind) => {
  it("a person's conversation reference sent to another serviceUrl is refused at its next read and named by verify", async () => {
    const s = await service(kind);
    await stopped(s.running, async () => {
      expect(await s.healthz()).toBe(200);
      expect((await keptOf(s.deps, 'cm')).personal?.serviceUrl).toBe('https://smba.trafficmanager.net/uk/');
      expect((await s.verify()).code).toBe(0);
      await s.edit('conversation', 'cm', (body) => {
        const ref = body.reference as { personal: { serviceUrl: string } };
        ref.personal.serviceUrl = 'https://collector.invalid/';
      });
      // The bot reads the reference before every card it sends to the person: refused, never used.
      await expect(keptOf(s.deps, 'cm')).rejects.toThrow(
        /audit trail is broken.*conversation cm does not match its seal \(changed outside Overt\)/,
      );
      expect(await s.healthz()).toBe(503);
      expect(s.logs.join('\n')).toMatch(/conversation cm does not match its seal/);
      const verified = await s.verify();
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(/conversation cm does not match its seal \(changed outside Overt\)/);
    });
  }, 120_000);

  it('the notices cursor moved past notices not yet sent is refused at the next pass and named by verify', async () => {
    const s = await service(kind);
    await stopped(s.running, async () => {
      await s.edit('setting', 'bot.notices.cursor', (body) => {
        (body.value as { seq: number }).seq = 1_000_000;
      });
      await expect(takeNotices(s.deps, 'test-holder', new Date(0).toISOString())).rejects.toThrow(
        /audit trail is broken.*setting bot\.notices\.cursor does not match its seal/,
      );
      const verified = await s.verify();
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(/setting bot\.notices\.cursor does not match its seal/);
    });
  }, 120_000);

  it("the answer kept under a command's key deleted (a retry would run it again) is named by verify", async () => {
    const s = await service(kind);
    await stopped(s.running, async () => {
      // The check's command: a retry of it under its key, its answer gone, would record the check again.
      const [decision] = (await s.running.store.audit.list()).filter((e) => e.target.kind === 'check');
      const key = decision!.key;
      if (kind === 'sqlite') {
        const db = new Database(sqliteFile(s.env.OVERT_DATA!));
        expect(db.prepare('DELETE FROM units WHERE key = ?').run(key).changes).toBe(1);
        db.close();
      } else {
        const site = await reopen(s.config!);
        try {
          const [found] = await batcherFor(server).chain([
            {
              method: 'GET',
              url: `${site.ctx.items('units')}?$filter=fields/${UnitColumns.key} eq '${key}'&$expand=fields`,
            },
          ]);
          const itemId = (found!.body as { value: { id: string }[] }).value[0]!.id;
          const [deleted] = await batcherFor(server).chain([
            { method: 'DELETE', url: `${site.ctx.items('units')}/${itemId}` },
          ]);
          expect(deleted!.status).toBe(204);
        } finally {
          await site.close();
        }
      }
      const verified = await s.verify();
      expect(verified.code).toBe(1);
      expect(verified.stdout).toContain(
        `the answer kept under the key ${key} (event ${decision!.seq}, ${decision!.action}) is missing (deleted outside Overt`,
      );
    });
  }, 120_000);

  it('a check moved to another child, which no read asks for, is found by /healthz’s sweep and by verify', async () => {
    const s = await service(kind);
    await stopped(s.running, async () => {
      expect(await s.healthz()).toBe(200);
      const [other] = await s.running.store.query('child', { where: { caseRef: 'DEMO-0002' } });
      await s.edit('check', s.checkId, (body) => {
        body.childId = other!.record.id;
      });
      // No read of the first child's checks finds it any more; the kind's digest does.
      expect(await s.sweepUntilBroken()).toBe(503);
      expect(s.logs.join('\n')).toMatch(
        new RegExp(`check ${s.checkId} differs from what event \\d+ wrote \\(changed outside Overt\\)`),
      );
      const verified = await s.verify();
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(new RegExp(`check ${s.checkId} differs from what event \\d+ wrote`));
    });
  }, 120_000);
});

/** Brief E12, 5: `rowProblems` on the SharePoint store — an item's indexed column edited apart from its body
 * (the reads filter on the columns), and an item copied under another id — named by the store, found by the
 * sweep and by verify. */
describe('rows that say other than their records, on the SharePoint store', () => {
  it("an item's childId column moved to another child, and an item copied under another id, are named", async () => {
    const s = await service('graph');
    await stopped(s.running, async () => {
      expect(await s.healthz()).toBe(200);
      const site = await reopen(s.config!);
      try {
        expect(await site.rowProblems('check')).toEqual([]);
        const found = (await site.ctx.fetch('check', s.checkId))!;
        const [other] = await site.query('child', { where: { caseRef: 'DEMO-0002' } });
        const [moved, copied] = await batcherFor(server).chain([
          {
            method: 'PATCH',
            url: `${site.ctx.items('check')}/${found.itemId}/fields`,
            body: { [columnName('childId')]: other!.record.id },
          },
          {
            method: 'POST',
            url: site.ctx.items('check'),
            body: { fields: { ...fieldsOf('check', found.record), Title: 'copied', [RECORD_ID]: 'copied' } },
          },
        ]);
        expect([moved!.status, copied!.status]).toEqual([200, 201]);
        expect(await site.rowProblems('check')).toEqual([
          `check ${s.checkId}: its childId column differs from its record (changed outside Overt)`,
          `check row copied holds the record of check ${s.checkId} (copied or moved outside Overt: written by no audit event)`,
        ]);
      } finally {
        await site.close();
      }
      expect(await s.sweepUntilBroken()).toBe(503);
      expect(s.logs.join('\n')).toMatch(/its childId column differs from its record|check row copied holds/);
      const verified = await s.verify();
      expect(verified.code).toBe(1);
      expect(verified.stdout).toContain(`check ${s.checkId}: its childId column differs from its record`);
      expect(verified.stdout).toContain(`check row copied holds the record of check ${s.checkId}`);
    });
  }, 120_000);
});
