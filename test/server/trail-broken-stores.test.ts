/**
 * A broken trail serves no reads on either store (issue 12 walk, finding 1): on the SharePoint (local Graph)
 * store, after the last audit event was deleted, /healthz was 503 and changes were refused, but
 * `GET /api/v1/me` and `GET /api/v1/children` still answered (also after a restart): the guard consulted its
 * broken state for a read only where it checks records as they are read (SQLite). Now every read through the
 * guard refuses once the trail is found broken, whichever the store, live and at start.
 */
import Database from 'better-sqlite3';
import { start, type Running } from '../../src/server/main';
import { AuditColumns } from '../../src/store/graph/lists';
import { sqliteFile } from '../../src/store/open';
import { batcherFor, reopen, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import { upsertStaff } from '../../src/workflow';
import { must, seededService, type StoreKind } from './seeded-service';
import type { GraphServer } from '../../tools/graph-local/server';

const dirs = tempDirs('trail-broken-stores');
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.stop();
  dirs.cleanup();
});

const SENTENCE = 'Overt has stopped taking changes while its record is checked; tell your administrator.';

async function answers(running: Running) {
  const port = (running.servers[1]!.address() as { port: number }).port;
  const get = async (path: string) => {
    const res = await fetch(`http://localhost:${port}${path}`, {
      headers: { 'x-overt-demo-persona': 'demo-cm' },
    });
    const body = (await res.json()) as Record<string, unknown>;
    return { path, status: res.status, detail: res.status === 200 ? undefined : body['detail'] };
  };
  return [
    (await fetch(`http://localhost:${port}/healthz`)).status,
    await get('/api/v1/me'),
    await get('/api/v1/children'),
  ];
}

const broken = [
  503,
  { path: '/api/v1/me', status: 503, detail: SENTENCE },
  { path: '/api/v1/children', status: 503, detail: SENTENCE },
];

describe.each(['sqlite', 'graph'] as StoreKind[])(
  'on the %s store, with the last audit event deleted',
  (kind) => {
    it('/healthz, /api/v1/me and /api/v1/children are 503 while it runs and after a restart', async () => {
      const s = await seededService(kind, server, dirs.make(), `tbs-${kind}`, {
        env: { OVERT_DEMO_AUTH: 'on' },
      });
      // A case manager of the seeded team, whom the demo's sign-in lets the test act as.
      must(
        await upsertStaff(s.deps, {
          key: `tbs-${kind}-staff`,
          actorId: 'admin',
          staff: { id: 'demo-cm', name: 'Dara Dunmore (demo)', role: 'case-manager', teamIds: ['north'] },
        }),
      );
      let running: Running | undefined = s.running;
      try {
        const [health, me, children] = await answers(running);
        expect([health, me, children]).toEqual([
          200,
          { path: '/api/v1/me', status: 200, detail: undefined },
          { path: '/api/v1/children', status: 200, detail: undefined },
        ]);
        // Someone who can write the store deletes its last audit event.
        if (kind === 'sqlite') {
          const db = new Database(sqliteFile(s.env.OVERT_DATA!));
          db.exec('DROP TRIGGER audit_no_delete');
          db.exec('DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)');
          db.close();
        } else {
          const site = await reopen(s.config!);
          try {
            const last = (await site.audit.list()).at(-1)!;
            const filter = `fields/${AuditColumns.seq} eq ${last.seq}`;
            let itemId: string | undefined;
            for await (const items of site.ctx.pages('audit', { filter, select: '$expand=fields', top: 1 }))
              itemId ??= items[0]?.id;
            const [r] = await batcherFor(server).chain([
              { method: 'DELETE', url: `${site.ctx.items('audit')}/${itemId!}` },
            ]);
            expect(r!.status).toBe(204);
          } finally {
            await site.close();
          }
        }
        expect(await answers(running)).toEqual(broken);
        await running.stop();
        running = undefined;
        running = await start(s.env, () => undefined);
        expect(await answers(running)).toEqual(broken);
      } finally {
        await running?.stop();
      }
    }, 60_000);
  },
);
