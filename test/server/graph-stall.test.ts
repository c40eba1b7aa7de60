import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshStore, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import { activity } from '../bot/client';
import type { GraphServer } from '../../tools/graph-local/server';
import { byMsg, startInstance, type Instance } from './instances';

/**
 * issue 16, the walk's open findings, as processes on one local Graph site while Graph stalls: every 503
 * carries Retry-After and, once Graph is known not to answer, fails at once (the breaker) and recovers by
 * itself when Graph answers; SIGTERM in the middle of a stall longer than the grace still exits 0 in time,
 * abandoning the calls under way and saying so.
 */
const dirs = tempDirs('graph-stall');
let server: GraphServer;
let instances: Instance[] = [];
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  for (const i of instances) if (i.child.exitCode === null) i.child.kill('SIGKILL');
  server.setDelay(0);
  await server.stop();
  dirs.cleanup();
});

// Long enough for the instance to start on a loaded machine (its start reads the site under this timeout too).
const TIMEOUT_MS = 3000;
const BREAKER_MS = 2000;

const get = async (url: string, persona = 'demo-nobody') => {
  const began = Date.now();
  const res = await fetch(url, { headers: { 'x-overt-demo-persona': persona } });
  await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - began };
};

it('a Graph stall: 503s with Retry-After that fail fast and recover by themselves; SIGTERM mid-stall exits 0 in time', async () => {
  const { store, config } = await freshStore(server);
  await store.close();
  const ca = join(dirs.make(), 'ca.pem');
  writeFileSync(ca, server.ca);
  const env = {
    OVERT_STORE: 'graph',
    OVERT_GRAPH_SITE: config.siteUrl,
    OVERT_GRAPH_URL: server.url,
    OVERT_GRAPH_CA_FILE: ca,
    OVERT_DATA: dirs.make(),
    OVERT_DEMO_AUTH: 'on',
  };
  // One with a short Graph timeout and breaker (the 503s), one with the default 10 s timeout — longer than
  // the 9 s grace — for the shutdown.
  instances = await Promise.all([
    startInstance({
      ...env,
      OVERT_GRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
      OVERT_GRAPH_BREAKER_MS: String(BREAKER_MS),
    }),
    startInstance(env),
  ]);
  const [quick, patient] = instances as [Instance, Instance];
  const tab = `http://localhost:${quick.ports.tab}`;
  const fine = (await get(`${tab}/api/v1/me`)).status;
  expect(fine).toBeLessThan(500);

  server.setDelay(60_000);
  const from = quick.lines.length;
  // The first call waits out the timeout; it is a 503 with Retry-After.
  const first = await get(`${tab}/api/v1/me`);
  expect(first).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^[1-9]\d*$/) });
  expect(first.ms).toBeLessThan(TIMEOUT_MS + 2000);
  // The breaker is open: the next calls fail at once, each with Retry-After — the API and the bot alike.
  for (let n = 0; n < 3; n++) {
    const again = await get(`${tab}/api/v1/me`);
    expect(again).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^[12]$/) });
    expect(again.ms).toBeLessThan(500);
  }
  const turn = await fetch(`http://localhost:${quick.ports.bot}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity('admin', 'personal-admin', { type: 'message', text: 'help' })),
  });
  expect(turn.status).toBe(503);
  expect(turn.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  const h = await fetch(`http://localhost:${quick.ports.tab}/healthz`);
  expect(h.status).toBe(503);
  expect(h.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  await quick.waitFor(
    (l) => l.graphBreaker === 'open' && l.level === 'error' && /Graph did not answer/.test(String(l.msg)),
    5000,
    from,
  );

  // The log: each failure with its error's type and stack; the three fast 503s alike are one line, not three.
  const failed = quick.lines.slice(from).filter(byMsg('the store did not answer'));
  expect(failed).toHaveLength(2);
  for (const l of failed)
    expect(l.err).toMatchObject({ type: 'GraphUnavailableError', stack: expect.stringMatching(/\n\s+at /) });

  // SIGTERM to the other while its calls are stalled on Graph (10 s each, more than the 9 s grace).
  const stalled = get(`http://localhost:${patient.ports.tab}/api/v1/me`).catch((e: Error) => e);
  await new Promise((r) => setTimeout(r, 500));
  const sent = Date.now();
  patient.child.kill('SIGTERM');
  const exit = await patient.exited;
  expect(exit.code).toBe(0);
  expect(exit.at - sent).toBeLessThan(9_000);
  expect(patient.lines).toContainEqual(expect.objectContaining({ msg: 'shutting down', signal: 'SIGTERM' }));
  expect(patient.lines).toContainEqual(
    expect.objectContaining({
      level: 'warn',
      msg: expect.stringMatching(/did not finish in time.*abandoned/),
    }),
  );
  expect(patient.lines).toContainEqual(expect.objectContaining({ msg: 'stopped', drained: false }));
  expect(patient.lines.at(-1)).toMatchObject({ msg: 'exiting', code: 0, signal: 'SIGTERM' });
  const answered = await stalled;
  if (!(answered instanceof Error)) expect(answered.status).toBe(503);

  // Graph answers again: the first instance recovers by itself (a probe after the breaker's time).
  server.setDelay(0);
  const until = Date.now() + BREAKER_MS + TIMEOUT_MS + 5000;
  let last = await get(`${tab}/api/v1/me`);
  while (last.status !== fine && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    last = await get(`${tab}/api/v1/me`);
  }
  expect(last.status).toBe(fine);
  await quick.waitFor((l) => l.graphBreaker === 'closed' && /answers again/.test(String(l.msg)), 2000, from);
  expect((await fetch(`http://localhost:${quick.ports.tab}/healthz`)).status).toBe(200);
  quick.child.kill('SIGTERM');
  expect((await quick.exited).code).toBe(0);
  expect(quick.lines.some(byMsg('stopped'))).toBe(true);
}, 180_000);
