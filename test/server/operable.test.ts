import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, type Running } from '../../src/server/main';
import { bootstrapAdministrator } from '../../src/workflow';
import { freshStore, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import { activity } from '../bot/client';
import type { GraphServer } from '../../tools/graph-local/server';

/**
 * issue 16: faults are visible. The log is JSON lines (time, level, request id, unit key, durations, the
 * store and sign-in at start, a line at shutdown, nothing secret or personal); a Graph stall is a 503 with
 * Retry-After and a logged error within the timeout; /healthz answers within a second during it.
 */
const dirs = tempDirs('operable');
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.stop();
  dirs.cleanup();
});

const TIMEOUT_MS = 1500;

it('logs JSON lines with the fields; a Graph stall gives 503 and a logged error in time; /healthz answers within 1 s', async () => {
  const { store, config } = await freshStore(server);
  await store.close();
  const ca = join(dirs.make(), 'ca.pem');
  writeFileSync(ca, server.ca);
  const lines: string[] = [];
  const running: Running = await start(
    {
      OVERT_STORE: 'graph',
      OVERT_GRAPH_SITE: config.siteUrl,
      OVERT_GRAPH_URL: server.url,
      OVERT_GRAPH_CA_FILE: ca,
      OVERT_GRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
      OVERT_DATA: dirs.make(),
      OVERT_DEMO: 'off',
      OVERT_DEMO_AUTH: 'on',
      BOT_PORT: '0',
      TAB_PORT: '0',
    },
    (l) => lines.push(l),
  );
  const port = (i: number) => (running.servers[i]!.address() as { port: number }).port;
  const tab = `http://localhost:${port(1)}`;
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  let stopped = false;
  try {
    expect(
      await bootstrapAdministrator(running.deps, { id: 'admin', name: 'Ada Admin (demo)' }),
    ).toMatchObject({
      ok: true,
    });
    const ok = await fetch(`${tab}/api/v1/me`, {
      headers: { 'x-overt-demo-persona': 'demo-nobody', 'x-request-id': 'req-fine-1' },
    });
    expect(ok.headers.get('x-request-id')).toBe('req-fine-1');
    // A bot turn: its own request id, on the HTTP line and on the unit it writes (the conversation kept).
    const turn = await fetch(`http://localhost:${port(0)}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'turn-1' },
      body: JSON.stringify(activity('admin', 'personal-admin', { type: 'message', text: 'help' })),
    });
    expect(turn.status).toBe(200);

    // Every line JSON with an ISO time and a level word.
    for (const l of parsed()) {
      expect(l).toMatchObject({
        level: expect.stringMatching(/^(info|warn|error)$/),
        msg: expect.any(String),
      });
      expect(new Date(String(l.time)).toISOString()).toBe(l.time);
    }
    const all = parsed();
    expect(all).toContainEqual(
      expect.objectContaining({
        msg: 'starting',
        store: 'graph',
        site: config.siteUrl,
        auth: expect.anything(),
      }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({
        msg: 'unit',
        unit: expect.any(String),
        status: 'committed',
        durationMs: expect.any(Number),
      }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({ msg: 'http', reqId: 'turn-1', path: '/api/messages', status: 200 }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({ msg: 'unit', reqId: 'turn-1', unit: expect.any(String) }),
    );
    expect(all).toContainEqual(
      expect.objectContaining({
        msg: 'http',
        reqId: 'req-fine-1',
        method: 'GET',
        path: '/api/v1/me',
        status: ok.status,
        durationMs: expect.any(Number),
      }),
    );

    // Graph stalls: every request waits far longer than the timeout.
    server.setDelay(60_000);
    const began = Date.now();
    const stalled = await fetch(`${tab}/api/v1/dashboard`, {
      headers: { 'x-overt-demo-persona': 'demo-admin', 'x-request-id': 'req-stalled-1' },
    });
    const took = Date.now() - began;
    expect(stalled.status).toBe(503);
    expect(Number(stalled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(took).toBeLessThan(TIMEOUT_MS + 2000);
    expect(parsed()).toContainEqual(
      expect.objectContaining({
        level: 'error',
        reqId: 'req-stalled-1',
        msg: 'the store did not answer',
        err: expect.objectContaining({ message: expect.stringMatching(/did not answer in time/) }),
      }),
    );

    // /healthz on both ports answers within a second, saying what is wrong.
    for (const i of [0, 1]) {
      const t0 = Date.now();
      const h = await fetch(`http://localhost:${port(i)}/healthz`);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(h.status).toBe(503);
      expect(await h.json()).toMatchObject({
        status: 'down',
        problems: [expect.stringMatching(/^the store did not answer/)],
      });
    }
    server.setDelay(0);

    const t0 = Date.now();
    await running.stop();
    stopped = true;
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(parsed().at(-1)).toMatchObject({ msg: 'stopped', durationMs: expect.any(Number) });

    // Nothing personal or secret: no staff name, no token.
    const text = lines.join('\n');
    expect(text).not.toMatch(/Ada Admin/);
    expect(text).not.toMatch(/overt-local-token|Bearer/i);
  } finally {
    server.setDelay(0);
    if (!stopped) await running.stop();
  }
}, 120_000);
