import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../src/server/main';
import { bootstrapAdministrator } from '../../src/workflow';
import { freshStore, startServer } from './graph-harness';
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
