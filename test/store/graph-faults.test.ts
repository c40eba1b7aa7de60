import type { GraphStore } from '../../src/store/graph/graph-store';
import type { RecordOf } from '../../src/store/records';
import type { Unit } from '../../src/store/store';
import type { GraphServer } from '../../tools/graph-local/server';
import { draft, samples } from './fixtures';
import { freshStore, reopen, startServer } from './graph-harness';

/**
 * Graph without transactions, under faults: a scripted run of a few hundred operations with 20% of
 * requests (whole and inner) throttled must end exactly as the run without faults; and units cut
 * off at a random request (an inner 500, as if the process died there) are finished or undone.
 */

let server: GraphServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 3_600_000).toISOString();

/** Runs the script and returns what each operation answered. */
async function script(store: GraphStore, ops: number): Promise<string[]> {
  const rand = prng(42);
  const log: string[] = [];
  const requests: string[] = [];
  let n = 0;
  const commit = async (unit: Unit) => {
    const r = await store.commit(unit);
    log.push(`${unit.key}:${r.status}${r.status === 'conflict' ? `:${r.kind}/${r.id}` : ''}`);
    return r;
  };
  for (let i = 0; i < 20; i++) {
    await commit({
      key: `child-${i}`,
      at: day(i),
      writes: [
        {
          kind: 'child',
          record: { ...samples.child, id: `child-${i}`, caseRef: `YJ-${i}` },
          ifVersion: null,
        },
      ],
      audit: [draft('child.add', { kind: 'child', id: `child-${i}` })],
    });
  }
  while (n < ops) {
    n += 1;
    const pick = rand();
    const child = `child-${Math.floor(rand() * 20)}`;
    if (pick < 0.3 || requests.length === 0) {
      const id = `req-${n}`;
      const record: RecordOf<'request'> = {
        ...samples.request,
        id,
        childId: child,
        createdAt: day(n),
        updatedAt: day(n),
      };
      const r = await commit({
        key: `raise-${n}`,
        at: day(n),
        writes: [{ kind: 'request', record, ifVersion: null }],
        audit: [draft('request.raise', { kind: 'request', id }), draft('notify', { kind: 'request', id })],
        result: { id },
      });
      if (r.status === 'committed') requests.push(id);
    } else if (pick < 0.6) {
      // Two managers decide the same request from the same card: one wins, one conflicts.
      const id = requests[Math.floor(rand() * requests.length)]!;
      const seen = await store.get('request', id);
      if (!seen) throw new Error(`lost ${id}`);
      for (const [who, status] of [
        ['tm-1', 'approved'],
        ['tm-2', 'declined'],
      ] as const) {
        await commit({
          key: `decide-${n}-${who}`,
          at: day(n),
          writes: [
            {
              kind: 'request',
              record: { ...seen.record, status, decidedBy: who, updatedAt: day(n) },
              ifVersion: seen.version,
            },
            {
              kind: 'decision',
              record: { ...samples.decision, id: `dec-${n}-${who}`, requestId: id, deciderId: who },
              ifVersion: null,
            },
          ],
          audit: [draft('request.decide', { kind: 'request', id })],
        });
      }
    } else if (pick < 0.7) {
      // A blind write of the child's reminder date, with a reminder record and no audit event.
      const current = await store.get('child', child);
      await commit({
        key: `remind-${n}`,
        at: day(n),
        writes: [
          { kind: 'child', record: { ...current!.record, reminderDueAt: day(n + 2000) } },
          { kind: 'reminder', record: { ...samples.reminder, id: `rem-${n}`, childId: child } },
        ],
        audit: [],
      });
    } else if (pick < 0.8) {
      const key = log[Math.floor(rand() * log.length)]!.split(':')[0]!;
      const r = await store.commit({
        key,
        at: day(n),
        writes: [],
        audit: [draft('dup', { kind: 'child', id: child })],
      });
      log.push(`again ${key}:${r.status}`);
    } else if (pick < 0.9) {
      const [reqs, rems, byStatus] = await Promise.all([
        store.query('request', {
          where: { childId: child },
          orderBy: { field: 'createdAt', dir: 'desc' },
          limit: 3,
        }),
        store.query('reminder', { where: { childId: child } }),
        store.count('request', { groupBy: ['status'] }),
      ]);
      const statuses = byStatus.map((r) => `${String(r.group.status)}=${r.count}`).sort();
      log.push(
        `query ${child}: ${reqs.map((r) => `${r.record.id}/${r.record.status}`).join(',')} ${rems.length} ${statuses.join(',')}`,
      );
    } else {
      await commit({
        key: `refuse-${n}`,
        at: day(n),
        writes: [],
        audit: [draft('request.raise', { kind: 'child', id: child }, 'refuse')],
      });
    }
  }
  return log;
}

async function finalState(store: GraphStore) {
  const kinds = ['child', 'request', 'decision', 'reminder'] as const;
  const records = Object.fromEntries(
    await Promise.all(
      kinds.map(
        async (k) =>
          [k, (await store.query(k)).map((v) => v.record).sort((a, b) => a.id.localeCompare(b.id))] as const,
      ),
    ),
  );
  let units = 0;
  for await (const page of store.ctx.pages('units', { select: '$expand=fields($select=ovKey)' }))
    units += page.length;
  return { records, audit: await store.audit.list(), verify: await store.audit.verify(), units };
}

const OPS = 250;

describe('the SharePoint store under faults', () => {
  it('ends a scripted run with 20% of requests throttled exactly as the run without faults', async () => {
    const clean = (await freshStore(server)).store;
    server.resetStats();
    const cleanLog = await script(clean, OPS);
    const cleanRequests = server.stats.requests;
    const expected = await finalState(clean);
    await clean.close();
    expect(expected.verify).toEqual({ ok: true, count: expected.audit.length });
    expect(cleanLog.some((l) => l.includes(':conflict:request/'))).toBe(true);
    expect(cleanLog.filter((l) => l.includes(':replayed')).length).toBeGreaterThan(5);

    server.setFaults({ rate: 0.2, retryAfterSeconds: 0.01, statuses: [429, 503], target: 'all', seed: 7 });
    try {
      const faulty = (await freshStore(server)).store;
      server.resetStats();
      const faultyLog = await script(faulty, OPS);
      const stats = { ...server.stats };
      server.setFaults({ rate: 0 });
      const got = await finalState(faulty);
      await faulty.close();
      process.stdout.write(
        `fault run: ${OPS} ops, ${cleanRequests} requests clean, ${stats.requests} with faults, ${stats.throttled} throttled\n`,
      );
      expect(stats.throttled).toBeGreaterThan(50);
      expect(faultyLog).toEqual(cleanLog);
      expect(got.records).toEqual(expected.records);
      expect(got.audit).toEqual(expected.audit);
      expect(got.verify).toEqual(expected.verify);
      expect(got.units).toBe(expected.units);
    } finally {
      server.setFaults({ rate: 0 });
    }
  }, 60_000);

  it('finishes or undoes units cut off at a random request, all or nothing', async () => {
    const { store, config } = await freshStore(server, { staleMs: 0 });
    await store.commit({
      key: 'seed',
      at: day(0),
      writes: [
        { kind: 'child', record: samples.child },
        { kind: 'request', record: samples.request },
      ],
      audit: [draft('seed', { kind: 'child', id: 'child-1' })],
    });
    let current = store;
    const cut = { finished: 0, undone: 0 };
    for (let i = 1; i <= 12; i++) {
      const child = await current.get('child', 'child-1');
      const request = await current.get('request', 'req-1');
      const unit: Unit = {
        key: `u-${i}`,
        at: day(i),
        writes: [
          { kind: 'child', record: { ...child!.record, displayName: `v${i}` }, ifVersion: child!.version },
          {
            kind: 'request',
            record: { ...request!.record, rationale: `v${i}` },
            ifVersion: request!.version,
          },
          { kind: 'reminder', record: { ...samples.reminder, id: `rem-${i}` }, ifVersion: null },
        ],
        audit: [draft('a', { kind: 'child', id: 'child-1' }), draft('b', { kind: 'child', id: 'child-1' })],
      };
      server.setFaults({ rate: 0.3, statuses: [500], target: 'batchItems', seed: i });
      let died = false;
      try {
        await current.commit(unit);
      } catch {
        died = true; // the process "dies" here: nothing more is sent for this unit
      }
      server.setFaults({ rate: 0 });
      current = await reopen(config); // reconciles pending units on open
      const [c, r, rem, events] = await Promise.all([
        current.get('child', 'child-1'),
        current.get('request', 'req-1'),
        current.get('reminder', `rem-${i}`),
        current.audit.list(),
      ]);
      const mine = events.filter((e) => e.key === unit.key);
      const applied = c!.record.displayName === `v${i}`;
      if (died) cut[applied ? 'finished' : 'undone'] += 1;
      expect(r!.record.rationale === `v${i}`).toBe(applied);
      expect(rem !== undefined).toBe(applied);
      expect(mine.map((e) => e.action)).toEqual(applied ? ['a', 'b'] : []);
      expect((await current.replay(unit.key)) !== undefined).toBe(applied);
      expect(await current.audit.verify()).toEqual({ ok: true, count: events.length });
    }
    process.stdout.write(`cut-off units: ${JSON.stringify(cut)}\n`);
    expect(cut.finished + cut.undone).toBeGreaterThan(3);
    await current.close();
  }, 30_000);
});
