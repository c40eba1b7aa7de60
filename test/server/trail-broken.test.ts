/**
 * While the audit trail is broken, every surface says so plainly (issue 12 walk, item 3): the store guard's
 * AuditTrailBrokenError was mapped only for changes, so a read such as `GET /api/v1/requests/mine` was a 500
 * "Internal Server Error … will not act" and the bot said "Something went wrong on our side". Now every route
 * (read or change) is a 503 with one plain sentence and every bot verb a card saying the same; the detail
 * (which event, why) stays in the log and `overt audit verify`.
 */
import Database from 'better-sqlite3';
import { sqliteFile } from '../../src/store/open';
import { execute, say, textOf } from '../bot/client';
import { botWorld, cleanupBotWorlds, type BotWorld } from '../bot/world';

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld({ OVERT_DEMO_AUTH: 'on', OVERT_BOT_TENANTS: '' });
});
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const SENTENCE = 'Overt has stopped taking changes while its record is checked; tell your administrator.';
const CM = 'demo-cm-north-1';

it('every route and bot verb answers plainly (503 / a card), never a 500 or “something went wrong”', async () => {
  const tab = (w.running.servers[1]!.address() as { port: number }).port;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`http://localhost:${tab}${path}`, {
      method,
      headers: { 'x-overt-demo-persona': CM, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  expect((await api('GET', '/api/v1/requests/mine')).status).toBe(200);

  // Someone edits an event in the live file, dropping the trigger that forbids it.
  const db = new Database(sqliteFile(w.running.config.OVERT_DATA));
  db.exec('DROP TRIGGER audit_no_update');
  db.prepare("UPDATE audit SET outcome = 'refused' WHERE seq = 2").run();
  db.close();
  // The guard finds it (health re-verifies on every call) and from then on the store refuses reads and units.
  expect((await fetch(`http://localhost:${tab}/healthz`)).status).toBe(503);

  for (const [method, path, body] of [
    ['GET', '/api/v1/requests/mine'],
    ['GET', '/api/v1/me'],
    ['GET', '/api/v1/dashboard'],
    ['POST', '/api/v1/requests', { childId: 'x' }],
  ] as [string, string, unknown?][]) {
    const res = await api(method, path, body);
    const json = (await res.json()) as Record<string, unknown>;
    expect({ path, status: res.status, detail: json['detail'] }).toEqual({
      path,
      status: 503,
      detail: SENTENCE,
    });
    expect(json['code']).toBe('AUDIT_TRAIL_BROKEN');
  }

  // Every bot verb, a read or a change, and a greeting (whose person is looked up before any verb runs, so it
  // fails outside the verb): 200 and a card with the sentence, never the 503 that Teams shows as a failure.
  for (const text of ['my requests', 'waiting for me', 'hi', 'help', 'new request']) {
    const r = await say(w.url, CM, text);
    expect(r.status).toBe(200);
    expect(textOf(r.cards[0])).toContain(SENTENCE);
    expect(textOf(r.cards[0])).not.toMatch(/went wrong/);
  }
  for (const [verb, data] of [
    ['requests.mine', {}],
    ['request.send', { childId: 'WK-000001', reason: 'x' }],
    ['request.approve', { requestId: 'r-none', reasons: 'ok' }],
  ] as [string, Record<string, unknown>][]) {
    const r = await execute(w.url, CM, verb, data);
    expect({ verb, status: r.status }).toEqual({ verb, status: 200 });
    expect(textOf(r.json.value)).toContain(SENTENCE);
    expect(textOf(r.json.value)).not.toMatch(/went wrong|event 2|hash/);
  }
}, 60_000);
