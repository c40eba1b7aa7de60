import { draft, samples } from './fixtures';
import type { GraphServer } from '../../tools/graph-local/server';
import { freshStore, reopen, startServer } from './graph-harness';

/** What each use case costs in Graph requests (a `$batch` is one) and SharePoint resource units. */
let server: GraphServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

const at = '2026-02-01T12:00:00.000Z';

describe('lean requests', () => {
  it('decides with two requests: one batched read of everything the policy needs, one batched write', async () => {
    const { store: seed, config } = await freshStore(server);
    await seed.commit({
      key: 'seed',
      at,
      writes: [
        { kind: 'team', record: samples.team },
        { kind: 'staff', record: { ...samples.staff, id: 'tm-1', role: 'team-manager' } },
        { kind: 'child', record: samples.child },
        { kind: 'request', record: samples.request },
        { kind: 'consent', record: samples.consent },
        { kind: 'reminder', record: samples.reminder },
      ],
      audit: [draft('seed', { kind: 'child', id: 'child-1' })],
    });
    await seed.close();

    const store = await reopen(config); // a new process: nothing seen yet
    server.resetStats();
    const where = { childId: 'child-1' };
    const [replayed, request, staff, team, child, ...history] = await Promise.all([
      store.replay('decide-req-1'),
      store.get('request', 'req-1'),
      store.get('staff', 'tm-1'),
      store.get('team', 'team-1'),
      store.get('child', 'child-1'),
      store.query('consent', { where }),
      store.query('reminder', { where }),
      store.query('request', { where }),
      store.query('check', { where }),
      store.query('objection', { where }),
      store.query('ripa', { where }),
    ]);
    expect(replayed).toBeUndefined();
    expect([staff, team, child].every(Boolean)).toBe(true);
    expect(history.map((h) => h.length)).toEqual([1, 1, 1, 0, 0, 0]);
    expect(server.stats.requests).toBe(1);
    const readRu = server.stats.ru;

    const result = await store.commit({
      key: 'decide-req-1',
      at,
      writes: [
        { kind: 'request', record: { ...samples.request, status: 'approved' }, ifVersion: request!.version },
        { kind: 'decision', record: samples.decision, ifVersion: null },
      ],
      audit: [draft('request.decide', { kind: 'request', id: 'req-1' })],
      result: { ok: true },
    });
    expect(result.status).toBe('committed');
    expect(server.stats.requests).toBe(2);
    const ru = server.stats.ru;
    process.stdout.write(
      `graph per decision: ${server.stats.requests} requests, ${server.stats.batchItems} inner, ${ru} RU (read ${readRu}, write ${ru - readRu})\n`,
    );
    expect(ru).toBeLessThanOrEqual(30);

    // The second decision on the same request: the stale card is answered from the eTag, no write.
    server.resetStats();
    const stale = await store.commit({
      key: 'decide-req-1-again',
      at,
      writes: [
        { kind: 'request', record: { ...samples.request, status: 'declined' }, ifVersion: request!.version },
      ],
      audit: [draft('request.decide', { kind: 'request', id: 'req-1' })],
    });
    expect(stale).toMatchObject({
      status: 'conflict',
      kind: 'request',
      current: { record: { status: 'approved' } },
    });
    expect(server.stats.requests).toBe(1);
    expect((server.stats.byMethod.POST ?? 0) - server.stats.requests).toBe(0);

    // A retried card click: one read.
    server.resetStats();
    expect(await store.replay('decide-req-1')).toEqual({ result: { ok: true } });
    expect(server.stats.requests).toBe(1);
    await store.close();
  });

  it('costs one request for a get, a page of a query, a count, a replay, an audit-only unit', async () => {
    const { store } = await freshStore(server);
    await store.commit({ key: 'a', at, writes: [{ kind: 'child', record: samples.child }], audit: [] });
    const cost = async (f: () => Promise<unknown>) => {
      server.resetStats();
      await f();
      return server.stats.requests;
    };
    expect(await cost(() => store.get('child', 'child-1'))).toBe(1);
    expect(await cost(() => store.query('child', { where: { teamId: 'team-1' } }))).toBe(1);
    expect(await cost(() => store.count('child', { groupBy: ['teamId'] }))).toBe(1);
    expect(await cost(() => store.replay('a'))).toBe(1);
    expect(await cost(() => store.audit.list({ limit: 10 }))).toBe(1);
    expect(
      await cost(() =>
        store.commit({
          key: 'refused',
          at,
          writes: [],
          audit: [draft('x', { kind: 'child', id: 'child-1' })],
        }),
      ),
    ).toBe(1);
    expect(await cost(() => store.lease('jobs', 'a', 1000, new Date(at)))).toBe(2);
    await store.close();
  });
});
