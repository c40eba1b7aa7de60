import { BatchRequestContent, BatchResponseContent } from '@microsoft/microsoft-graph-client';
import { Agent } from 'undici';
import { createList, graphErrorOf, startHarness, type Harness } from './harness';

let h: Harness;
let items: string;
beforeAll(async () => {
  h = await startHarness({ retryAfterSeconds: 0.05 });
  const listId = await createList(h, 'Batched', [{ name: 'Qty', number: {} }]);
  items = `/sites/${h.siteId}/lists/${listId}/items`;
  await h.client.api(items).post({ fields: { Title: 'seed' } });
});
afterEach(() => h.server.setFaults({ rate: 0, next: 0, target: 'all', statuses: [429, 503] }));
afterAll(() => h.server.stop());

const abs = (path: string): string => `${h.server.url}${path}`; // the SDK strips origin to make it relative
const postStep = (id: string, title: string) => ({
  id,
  request: new Request(abs(items), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ fields: { Title: title } }),
  }),
});

async function sendBatch(content: BatchRequestContent): Promise<BatchResponseContent> {
  return new BatchResponseContent(await h.client.api('/$batch').post(await content.getContent()));
}

describe('$batch', () => {
  it('runs 20 requests through the same handlers; outer 200, inner statuses and JSON bodies', async () => {
    const steps = Array.from({ length: 20 }, (_, i) => postStep(String(i + 1), `b${i + 1}`));
    const res = await sendBatch(new BatchRequestContent(steps));
    const all = [...res.getResponses().values()];
    expect(all).toHaveLength(20);
    expect(all.every((r) => r.status === 201)).toBe(true);
    const one = await res.getResponseById('7')!.json();
    expect(one.fields.Title).toBe('b7');
    expect(one.eTag).toMatch(/^"\{[0-9A-F-]+\},1"$/);
  });

  it('rejects 21 requests (the SDK refuses to build it; the server answers 400)', async () => {
    const steps = Array.from({ length: 21 }, (_, i) => postStep(String(i + 1), 'x'));
    expect(() => new BatchRequestContent(steps)).toThrow(/Maximum requests limit exceeded/);
    const raw = {
      requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `${items}/1` })),
    };
    const e = await graphErrorOf(h.client.api('/$batch').post(raw));
    expect(e.statusCode).toBe(400);
  });

  it('rejects duplicate ids (case-insensitive) and a write without Content-Type', async () => {
    const dup = {
      requests: [
        { id: 'a', method: 'GET', url: `${items}/1` },
        { id: 'A', method: 'GET', url: `${items}/1` },
      ],
    };
    expect((await graphErrorOf(h.client.api('/$batch').post(dup))).statusCode).toBe(400);
    const noType = { requests: [{ id: '1', method: 'PATCH', url: `${items}/1/fields`, body: { Qty: 1 } }] };
    const e = await graphErrorOf(h.client.api('/$batch').post(noType));
    expect([e.statusCode, e.message]).toEqual([
      400,
      'Write request id : 1 does not contain Content-Type header or body.',
    ]);
  });

  it('answers 424 for a request whose dependsOn failed, and runs dependants of successes', async () => {
    const content = new BatchRequestContent([
      { id: '1', request: new Request(abs(`${items}/9999`), { method: 'GET' }) },
      { id: '2', dependsOn: ['1'], request: new Request(abs(`${items}/1`), { method: 'GET' }) },
    ]);
    const res = await sendBatch(content);
    expect(res.getResponseById('1')!.status).toBe(404);
    expect(res.getResponseById('2')!.status).toBe(424);
    const ok = await sendBatch(
      new BatchRequestContent([
        { id: '1', request: new Request(abs(`${items}/1`), { method: 'GET' }) },
        { id: '2', dependsOn: ['1'], request: new Request(abs(`${items}/1`), { method: 'DELETE' }) },
      ]),
    );
    expect([ok.getResponseById('1')!.status, ok.getResponseById('2')!.status]).toEqual([200, 204]);
  });
});

describe('throttling', () => {
  it("retries a whole-request 429 and 503 honouring Retry-After through the SDK's RetryHandler", async () => {
    for (const status of [429, 503]) {
      h.server.setFaults({ next: 1, statuses: [status], target: 'requests' });
      h.server.resetStats();
      const started = Date.now();
      const page = await h.client.api(items).get();
      expect(page.value.length).toBeGreaterThan(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(h.server.stats).toMatchObject({
        requests: 2,
        throttled: 1,
        ru: 4,
        byStatus: { [status]: 1, 200: 1 },
      });
    }
  });

  it('shows inner 429s with Retry-After to the caller; the SDK does not retry them', async () => {
    h.server.setFaults({ next: 2, statuses: [429], target: 'batchItems' });
    const res = await sendBatch(
      new BatchRequestContent([postStep('1', 'p'), postStep('2', 'q'), postStep('3', 'r')]),
    );
    expect(res.getResponseById('1')!.status).toBe(429);
    expect(res.getResponseById('1')!.headers.get('Retry-After')).toBe('0.05');
    expect((await res.getResponseById('2')!.json()).error.code).toBe('TooManyRequests');
    expect(res.getResponseById('3')!.status).toBe(201);
    expect(h.server.stats.throttled).toBeGreaterThanOrEqual(2);
  });

  it('is deterministic for a given seed and rate', async () => {
    const dispatcher = new Agent({ connect: { ca: h.server.ca } });
    const run = async (): Promise<number[]> => {
      h.server.setFaults({ rate: 0.5, seed: 42, target: 'requests' });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const r = await fetch(abs(`/v1.0${items}`), {
          headers: { Authorization: 'Bearer t' },
          dispatcher,
        } as RequestInit);
        await r.arrayBuffer();
        statuses.push(r.status);
      }
      return statuses;
    };
    const first = await run();
    expect(first.some((s) => s === 429 || s === 503)).toBe(true);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });
});

describe('resource units', () => {
  it('charges 1 per single-item get, 2 per query/create/update/delete, 5 for permissions; batch items individually', async () => {
    const made = await h.client.api(items).post({ fields: { Title: 'ru' } });
    h.server.resetStats();
    await h.client.api(`${items}/${made.id}`).get(); // 1
    await h.client.api(items).get(); // 2
    await h.client.api(`${items}/${made.id}/fields`).patch({ Qty: 1 }); // 2
    await h.client.api(`/sites/${h.siteId}/permissions`).get(); // 5
    expect(h.server.stats.ru).toBe(10);
    await sendBatch(
      new BatchRequestContent([
        { id: '1', request: new Request(abs(`${items}/${made.id}`), { method: 'GET' }) }, // 1
        postStep('2', 'ru2'), // 2
      ]),
    );
    expect(h.server.stats).toMatchObject({ ru: 13, requests: 5, batchItems: 2 });
    h.server.setFaults({ next: 1, statuses: [429], target: 'requests' });
    await h.client.api(`${items}/${made.id}`).delete(); // 2, throttled once and retried: 4
    expect(h.server.stats.ru).toBe(17);
  });
});
