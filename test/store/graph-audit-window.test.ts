import { chain, type AuditEvent } from '../../src/store/audit';
import { importEvents } from '../../src/store/graph/import';
import { AuditColumns } from '../../src/store/graph/lists';
import { freshStore, startServer } from './graph-harness';
import type { GraphServer } from '../../tools/graph-local/server';

/**
 * issue 16: SharePoint refuses an indexed filter spanning more than 5,000 items, however it is paged. The
 * local server does too now, so the adapter reads the audit trail in windows of seq under the threshold:
 * the whole trail, from a seq, by time, and verified, on a trail of 6,500 events.
 */
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => server.stop());

it('reads an audit trail of more than 5,000 events in windows under the threshold', async () => {
  const { store } = await freshStore(server);
  try {
    const N = 6500;
    const start = Date.parse('2026-01-01T00:00:00Z');
    let previous: { seq: number; hash: string } | undefined;
    const events: AuditEvent[] = [];
    for (let i = 0; i < N; i++) {
      const [e] = chain(
        [
          {
            actor: { id: 'system' },
            action: 'test.event',
            target: { kind: 'child', id: `c${i % 7}` },
            outcome: 'ok',
          },
        ],
        previous,
        { key: `k${i}`, at: new Date(start + i * 60_000).toISOString() },
        () => `e${i}`,
      );
      events.push(e!);
      previous = { seq: e!.seq, hash: e!.hash };
    }
    for (let i = 0; i < N; i += 1000) await importEvents(store, events.slice(i, i + 1000));

    // The server refuses the one wide range the adapter used to send.
    const [raw] = await store.ctx.batcher.parallel([
      {
        method: 'GET',
        url: `${store.ctx.items('audit')}?$filter=${encodeURIComponent(`fields/${AuditColumns.seq} gt 0`)}&$top=10`,
      },
    ]);
    expect(raw!.status).toBe(500);

    expect((await store.audit.list()).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    const after = await store.audit.list({ afterSeq: 100 });
    expect(after).toHaveLength(N - 100);
    expect(after[0]!.seq).toBe(101);
    expect(await store.audit.list({ afterSeq: 5990, limit: 20 })).toEqual(events.slice(5990, 6010));
    // 5,500 minutes from the 500th: a time range over the threshold.
    const from = new Date(start + 500 * 60_000).toISOString();
    const to = new Date(start + 6000 * 60_000).toISOString();
    const byTime = await store.audit.list({ from, to });
    expect(byTime.map((e) => e.seq)).toEqual(events.slice(500, 6000).map((e) => e.seq));
    expect(await store.audit.verify()).toEqual({ ok: true, count: N });
  } finally {
    await store.close();
  }
}, 240_000);
