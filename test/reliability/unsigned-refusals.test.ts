/**
 * Refusals before anyone is known are on the record without letting a stranger fill it (issue 12, fault 4; walk
 * finding 4): the bot's envelope refusals — 5,000 and 65 deep, a 100,000-long `[` array, a 5 MB body, not JSON,
 * not an activity — and the API's 401s, through the real endpoints of a running service on both stores. Each kind
 * is one summary event per window (here 1 s), with how many, the first and last time, and the sender the text
 * claimed, marked as not trusted; a flood of 300 in one window is still one event; a log line says the same.
 */
import { auditCsv } from '../../src/api/audit-csv';
import { start, type Running } from '../../src/server/main';
import type { AuditEvent } from '../../src/store/audit';
import { startServer } from '../store/graph-harness';
import { serviceEnv } from '../server/seeded-service';
import { tempDirs } from '../store/temp-dirs';
import type { GraphServer } from '../../tools/graph-local/server';

const dirs = tempDirs('unsigned-refusals');
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.stop();
  dirs.cleanup();
});

async function service(kind: 'sqlite' | 'graph') {
  const base = dirs.make();
  const { env } = await serviceEnv(kind, server, base, { OVERT_UNSIGNED_WINDOW_SECONDS: '1' });
  const logs: string[] = [];
  const running = await start(env, (l) => logs.push(l));
  const port = (i: number) => (running.servers[i]!.address() as { port: number }).port;
  return { running, logs, bot: `http://localhost:${port(0)}`, tab: `http://localhost:${port(1)}` };
}

const refusedBefore = async (running: Running): Promise<AuditEvent[]> =>
  (await running.store.audit.list()).filter((e) => /:before-sign-in$/.test(e.action));

/** An activity's text claiming a sender, nested `depth` deep inside its value. */
const nested = (depth: number) =>
  `{"type":"message","from":{"id":"29:claimed-by-stranger"},"value":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe.each(['sqlite', 'graph'] as const)('on the %s store', (kind) => {
  it('every refusal before sign-in is counted into one event per kind and window, the claimed sender not trusted', async () => {
    const s = await service(kind);
    try {
      const before = (await s.running.store.audit.list()).length;
      const post = (body: string) =>
        fetch(`${s.bot}/api/messages`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        }).then(async (r) => ({ status: r.status, text: await r.text() }));
      const answers = [
        await post(nested(5_000)),
        await post(nested(65)),
        await post('['.repeat(100_000)),
        await post('x'.repeat(5 * 1024 * 1024)),
        await post('{not json'),
        await post(JSON.stringify({ not: 'an activity', from: { id: '29:someone-else' } })),
      ];
      expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 413, 400, 400]);
      const api = [
        await fetch(`${s.tab}/api/v1/me`),
        await fetch(`${s.tab}/api/v1/me`, { headers: { 'x-overt-demo-persona': 'demo-sm' } }),
        await fetch(`${s.tab}/api/v1/review`, { method: 'POST', body: '{}' }),
      ];
      expect(api.map((r) => r.status)).toEqual([401, 401, 401]);
      // Counted, then written once per kind at the window's end (a slow run may split a kind over two windows).
      const want = {
        'api:before-sign-in no-sign-in': 3,
        'bot:before-sign-in not-an-activity': 1,
        'bot:before-sign-in not-json': 1,
        'bot:before-sign-in too-deep': 3,
        'bot:before-sign-in too-large': 1,
      };
      const sums = (events: AuditEvent[]) => {
        const n: Record<string, number> = {};
        for (const e of events) {
          const k = `${e.action} ${(e.details as { code: string }).code}`;
          n[k] = (n[k] ?? 0) + (e.details as { refused: number }).refused;
        }
        return n;
      };
      let events: AuditEvent[] = [];
      for (let i = 0; i < 40 && JSON.stringify(sums(events)) !== JSON.stringify(want); i++) {
        await new Promise((r) => setTimeout(r, 250));
        events = await refusedBefore(s.running);
      }
      expect(sums(events)).toEqual(want);
      expect(events.length).toBeLessThanOrEqual(7);
      const deep = events.find((e) => (e.details as { code: string }).code === 'too-deep')!;
      expect(deep).toMatchObject({
        actor: { id: 'unsigned:bot' },
        outcome: 'refuse',
        target: { kind: 'route', id: '/api/messages' },
        details: {
          status: 400,
          message: expect.stringMatching(/^\d bot requests refused before sign-in: nested too deeply ×\d$/),
          claimedSenders: ['29:claimed-by-stranger'],
          claimedNotTrusted: true,
        },
      });
      const d = deep.details as { first: string; last: string };
      expect(d.first <= d.last).toBe(true);
      const of = (code: string) => events.find((e) => (e.details as { code: string }).code === code)!;
      expect(of('too-large').details).toMatchObject({ refused: 1, status: 413 });
      expect(of('not-an-activity').details).toMatchObject({
        refused: 1,
        claimedSenders: ['29:someone-else'],
      });
      expect(of('no-sign-in')).toMatchObject({
        actor: { id: 'unsigned:api' },
        details: {
          status: 401,
          message: expect.stringMatching(/^\d API requests refused before sign-in: not signed in ×\d$/),
          claimedNotTrusted: true,
        },
      });
      expect(
        events.flatMap((e) => (e.details as { claimedSenders?: string[] }).claimedSenders ?? []),
      ).toContain('demo-sm');
      expect(s.logs.join('\n')).toMatch(
        /\d bot requests refused before sign-in: nested too deeply ×\d \(first/,
      );
      const summaries = events.length;
      // The audit export says it in words: who (nobody known), what, and the count.
      const csv = await auditCsv(s.running.deps, [deep]);
      expect(csv).toMatch(/Someone not signed in,.*Requests to the bot refused before sign-in \(counted\)/);
      expect(csv).toMatch(
        /nested too deeply.*How many were refused: \d.*Senders they claimed to be \(not checked\): 29:claimed-by-stranger/,
      );
      expect(csv).not.toMatch(/unsigned:bot|former member of staff/);

      // A flood: 300 in one window is one more event, not 300.
      const floodStarted = Date.now();
      const flood = await Promise.all(Array.from({ length: 300 }, () => post(nested(70))));
      const floodMs = Date.now() - floodStarted;
      expect(flood.every((a) => a.status === 400)).toBe(true);
      let more: AuditEvent[] = [];
      const counted = () => more.reduce((n, e) => n + (e.details as { refused: number }).refused, 0);
      for (let i = 0; i < 40 && counted() < 300; i++) {
        await new Promise((r) => setTimeout(r, 250));
        more = (await refusedBefore(s.running)).slice(summaries);
      }
      expect(counted()).toBe(300);
      // One event per window the flood lasted into (1 s windows here; a minute by default), never one per request.
      expect(more.length).toBeLessThanOrEqual(Math.ceil(floodMs / 1000) + 1);
      expect(more.length).toBeLessThan(30);
      const total = (await s.running.store.audit.list()).length - before;
      process.stdout.write(
        `${kind}: ${answers.length + api.length + 300} refusals before sign-in provoked, ${total} audit events written (${summaries + more.length} summaries; the flood took ${floodMs} ms)\n`,
      );
    } finally {
      await s.running.stop();
    }
  }, 120_000);
});
