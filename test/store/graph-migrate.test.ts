import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/run';
import { tempDirs } from './temp-dirs';
import { reopen, configFor, freshStore, startServer } from './graph-harness';
import { openStore } from '../../src/store/open';
import { kinds } from '../../src/store/records';
import type { GraphServer } from '../../tools/graph-local/server';

/** issue 6: `overt migrate --from sqlite --to graph` moves the demo service into SharePoint with its
 * records, its audit chain (same events, same hashes) and its idempotency keys intact. */
const dirs = tempDirs('migrate');
let server: GraphServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => {
  await server.stop();
  dirs.cleanup();
});

it('moves the demo service into a fresh site: every record, the same verified chain, replays intact', async () => {
  const data = dirs.make();
  expect((await runCli('demo', '--data', data)).code).toBe(0);
  const { store: empty, config } = await freshStore(server);
  await empty.close();
  const ca = join(dirs.make(), 'ca.pem');
  writeFileSync(ca, server.ca);

  const migrate = () =>
    runCli(
      'migrate',
      '--from',
      'sqlite',
      '--to',
      'graph',
      '--data',
      data,
      '--site',
      config.siteUrl,
      '--graph-url',
      server.url,
      '--ca-file',
      ca,
    );
  const r = await migrate();
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(
    /migrated .* → .*: \d+ records, \d+ audit events \(chain verified\), \d+ units\n$/,
  );

  const local = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!local.ok) throw new Error(local.error.message);
  const graph = await reopen(configFor(server, config.siteUrl));
  try {
    for (const kind of kinds.filter((k) => k !== 'lease'))
      expect([kind, (await graph.count(kind))[0]?.count ?? 0]).toEqual([
        kind,
        (await local.value.count(kind))[0]?.count ?? 0,
      ]);
    const [a, b] = [await local.value.audit.list(), await graph.audit.list()];
    expect(b.map((e) => e.hash)).toEqual(a.map((e) => e.hash));
    expect(await graph.audit.verify()).toEqual(await local.value.audit.verify());
    const key = a[a.length - 1]!.key;
    expect(await graph.replay(key)).toEqual(await local.value.replay(key));
  } finally {
    await graph.close();
    await local.value.close();
  }

  // Into a site that already holds records: refused, naming why.
  const again = await migrate();
  expect(again.code).toBe(2);
  expect(again.stderr).toMatch(/already holds Overt records/);
}, 120_000);
