import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../src/server/main';
import { bootstrapAdministrator } from '../../src/workflow';
import { batcherFor, freshStore, reopen, startServer } from './graph-harness';
import { runCli } from '../cli/run';
import { tempDirs } from './temp-dirs';
import type { GraphServer } from '../../tools/graph-local/server';

/** issue 6: `OVERT_STORE=graph npm start` runs the service on the SharePoint store (here the local server). */
const dirs = tempDirs('graph-start');
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.stop();
  dirs.cleanup();
});

it('starts on a provisioned site, answers /healthz, and writes through the workflow to SharePoint', async () => {
  const { store: provisioned, config } = await freshStore(server);
  await provisioned.close();
  const ca = join(dirs.make(), 'ca.pem');
  writeFileSync(ca, server.ca);
  const running = await start(
    {
      OVERT_STORE: 'graph',
      OVERT_GRAPH_SITE: config.siteUrl,
      OVERT_GRAPH_URL: server.url,
      OVERT_GRAPH_CA_FILE: ca,
      OVERT_DATA: dirs.make(),
      OVERT_DEMO: 'off',
      BOT_PORT: '0',
      TAB_PORT: '0',
    },
    () => undefined,
  );
  try {
    const port = (running.servers[1]!.address() as { port: number }).port;
    const health = await fetch(`http://localhost:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', staff: 0, audit: { ok: true, count: 0 } });
    server.resetStats();
    const admin = await bootstrapAdministrator(running.deps, { id: 'admin', name: 'Ada Admin (demo)' });
    expect(admin.ok).toBe(true);
    expect(server.stats.requests).toBeGreaterThan(0);
    expect(await running.store.audit.verify()).toEqual({ ok: true, count: 1 });
  } finally {
    await running.stop();
  }
}, 60_000);

/** issue 12 fault 7 on SharePoint: the trail anchored outside the site; `overt audit verify` sees the last
 * event deleted, and a record edited on the site outside Overt. */
it('anchors the trail on SharePoint too: a deleted last event and an edited record are found by audit verify', async () => {
  const { store: provisioned, config } = await freshStore(server);
  await provisioned.close();
  const ca = join(dirs.make(), 'ca.pem');
  writeFileSync(ca, server.ca);
  const data = join(dirs.make(), 'data');
  const env = {
    OVERT_STORE: 'graph',
    OVERT_GRAPH_SITE: config.siteUrl,
    OVERT_GRAPH_URL: server.url,
    OVERT_GRAPH_CA_FILE: ca,
    OVERT_DATA: data,
    OVERT_DEMO: 'off',
    BOT_PORT: '0',
    TAB_PORT: '0',
  };
  const running = await start(env, () => undefined);
  expect((await bootstrapAdministrator(running.deps, { id: 'admin', name: 'Ada Admin (demo)' })).ok).toBe(
    true,
  );
  expect((await bootstrapAdministrator(running.deps, { id: 'admin2', name: 'Bo Admin (demo)' })).ok).toBe(
    true,
  );
  await running.stop();
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const intact = await runCli('audit', 'verify', '--data', data);
    // First the line saying which store is checked against which checkpoints, then the verdict.
    expect(intact.stdout).toMatch(
      /^checking the SharePoint store at .+\naudit chain intact: 2 events, anchored by \d+ signed checkpoints?/,
    );
    // Someone with the site but not the key edits a staff item, then deletes the last event.
    const site = await reopen(config);
    const batcher = batcherFor(server);
    const staff = await site.ctx.fetch('staff', 'admin');
    const [edited] = await batcher.chain([
      {
        method: 'PATCH',
        url: `${site.ctx.items('staff')}/${staff!.itemId}/fields`,
        body: { ovBody: JSON.stringify({ ...staff!.record, name: 'Mallory (demo)' }) },
      },
    ]);
    expect(edited!.status).toBe(200);
    const edit = await runCli('audit', 'verify', '--data', data);
    expect(edit.code).toBe(1);
    expect(edit.stdout).toMatch(/staff admin differs from what event 1 wrote \(changed outside Overt\)/);
    const [last] = await batcher.chain([
      { method: 'GET', url: `${site.ctx.items('audit')}?$filter=fields/ovSeq eq 2&$expand=fields` },
    ]);
    const itemId = (last!.body as { value: { id: string }[] }).value[0]!.id;
    const [deleted] = await batcher.chain([
      { method: 'DELETE', url: `${site.ctx.items('audit')}/${itemId}` },
    ]);
    expect(deleted!.status).toBe(204);
    await site.close();
    const cut = await runCli('audit', 'verify', '--data', data);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(
      /^audit chain broken at event 2: the trail ends at event 1, but a checkpoint .* counts 2 events/m,
    );
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}, 60_000);
