import { caseListCsv } from '../../bench/caselist';
import { benchOrganisation, must } from '../../bench/seed';
import type { GraphStore } from '../../src/store/graph/graph-store';
import { createDeps, importCaseList, type Deps } from '../../src/workflow';
import type { GraphServer } from '../../tools/graph-local/server';
import { freshStore, startServer } from './graph-harness';

/**
 * Issue 19: a big case list on SharePoint. A unit's intent is one multi-line column, capped at 63,999
 * characters, and a 300-child import was one unit: the local Graph server (as SharePoint) refused it with
 * a 400 after 15 s of retries. It is now written in parts, each its own all-or-nothing unit with its own
 * audit event, and importing the same file again adds only what is missing. `npx tsx bench/caselist.ts 1000`
 * runs 1,000 (docs/PERFORMANCE.md).
 */

let server: GraphServer;
let store: GraphStore;
let deps: Deps;
let n = 0;
const key = () => `caselist-key-${++n}`;

beforeAll(async () => {
  server = await startServer();
  ({ store } = await freshStore(server));
  deps = createDeps(store, { clock: () => new Date('2026-03-01T09:00:00Z'), ids: () => `cl-${++n}` });
  await benchOrganisation(deps, key);
}, 60_000);
afterAll(async () => {
  await store.close();
  await server.stop();
});

const imports = async () => (await store.audit.list()).filter((e) => e.action === 'caselist.import');

it('300 children: imported in parts, each audited, every child on the site', async () => {
  // The first half, then the whole file: the second import adds the other half and leaves the first as it is
  // (what an administrator does after an import stopped part way).
  const half = must(await importCaseList(deps, { key: key(), actorId: 'admin', csv: caseListCsv(150) }));
  expect(half).toMatchObject({ created: 150, updated: 0, unchanged: 0 });
  const before = (await imports()).length;
  const whole = must(await importCaseList(deps, { key: key(), actorId: 'admin', csv: caseListCsv(300) }));
  expect(whole).toMatchObject({ created: 150, updated: 0, unchanged: 150 });
  expect(whole.parts).toBeGreaterThan(1);
  expect((await store.count('child'))[0]?.count).toBe(300);
  const events = (await imports()).slice(before);
  expect(events).toHaveLength(whole.parts);
  expect(events.map((e) => e.details)).toEqual(
    events.map((_, i) => expect.objectContaining({ part: i + 1, parts: whole.parts })),
  );
  // The same file a third time writes nothing.
  const again = must(await importCaseList(deps, { key: key(), actorId: 'admin', csv: caseListCsv(300) }));
  expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 300, parts: 1 });
}, 180_000);

it('a unit too big for SharePoint is refused plainly before anything is sent, whatever command made it', async () => {
  const count = async () => (await store.count('child'))[0]?.count ?? 0;
  const before = await count();
  const events = (await store.audit.list()).length;
  server.resetStats();
  const started = Date.now();
  const writes = Array.from({ length: 600 }, (_, i) => ({
    kind: 'child' as const,
    record: {
      id: `too-big-${i}`,
      caseRef: `TOO-BIG-${i}`,
      displayName: 'T.B. (fictional)',
      teamId: 't',
      workerId: 'cm',
      platforms: [],
      createdAt: '2026-03-01T09:00:00Z',
    },
    ifVersion: null,
  }));
  await expect(
    store.commit({ key: 'too-big-unit', at: '2026-03-01T09:00:00Z', writes, audit: [] }),
  ).rejects.toThrow(
    /unit too-big-unit: its intent is [\d,]+ characters as JSON, over the 63,999 a SharePoint column holds \(600 writes\): nothing was written/,
  );
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(server.stats.requests).toBe(0);
  expect(await count()).toBe(before);
  expect((await store.audit.list()).length).toBe(events);
});
