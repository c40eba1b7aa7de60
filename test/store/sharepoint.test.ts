import type { GraphServer } from '../../tools/graph-local/server';
import { storeContract } from './contract';
import { draft, samples } from './fixtures';
import { batcherFor, freshStore, startServer } from './graph-harness';

let server: GraphServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

storeContract('sharepoint (Graph, local server)', async () => (await freshStore(server)).store);

/** issue 15 (retention): a unit's intent is a copy of every record it wrote, of what they were before and of
 * its events' details. Once the unit is done nothing needs it, and kept it outlived what retention erased. */
it('keeps none of a unit’s intent once the unit is done', async () => {
  const { store } = await freshStore(server);
  const child = { ...samples.child, displayName: 'Intent Copy (demo)' };
  const r = await store.commit({
    key: 'intent-1',
    at: '2026-02-01T12:00:00.000Z',
    writes: [{ kind: 'child', record: child, ifVersion: null }],
    audit: [draft('child.write', { kind: 'child', id: child.id })],
  });
  expect(r.status).toBe('committed');
  await store.close(); // marks this instance's units done
  const [units] = await batcherFor(server).chain([
    { method: 'GET', url: `${store.ctx.items('units')}?$expand=fields` },
  ]);
  const items = (units!.body as { value: { fields: Record<string, unknown> }[] }).value;
  expect(items).toHaveLength(1);
  expect(items[0]!.fields).toMatchObject({ ovKey: 'intent-1', ovState: 'done' });
  expect(JSON.parse(String(items[0]!.fields.ovIntent))).toMatchObject({ writes: [], audit: [] });
  expect(JSON.stringify(items)).not.toContain('Intent Copy');
});
