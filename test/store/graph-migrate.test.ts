import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli/run';
import { bundled } from '../bundled';
import { tempDirs } from './temp-dirs';
import { reopen, configFor, freshStore, startServer } from './graph-harness';
import { openStore } from '../../src/store/open';
import { kinds } from '../../src/store/records';
import type { GraphConfig } from '../../src/store/graph/config';
import { existingUnitKeys } from '../../src/store/graph/import';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store';
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
  // Only overt audit keygen makes the audit signing key (issue 19): made first.
  expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
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
    /migrated .* → .*: \d+ records, \d+ audit events \(chain verified\), \d+ units; \d+ items copied by this run\n$/,
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

  // Again over the finished site: nothing left to copy, the same answer.
  const again = await migrate();
  expect(again.stderr).toBe('');
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/nothing left to copy\n$/);

  // Another service's data into that site: refused, naming why, nothing written.
  const other = dirs.make();
  // Only overt audit keygen makes the audit signing key (issue 19): made first.
  expect((await runCli('audit', 'keygen', '--data', other)).code).toBe(0);
  expect((await runCli('demo', '--data', other)).code).toBe(0);
  const foreign = await runCli(
    'migrate',
    '--from',
    'sqlite',
    '--to',
    'graph',
    '--data',
    other,
    '--site',
    config.siteUrl,
    '--graph-url',
    server.url,
    '--ca-file',
    ca,
  );
  expect(foreign.code).toBe(2);
  expect(foreign.stderr).toMatch(/holds \d+ \w+ record\(s\) that this data folder does not/);
}, 180_000);

/** Everything a site holds, in a comparable form: records by kind and id, events, unit replays. */
async function contents(config: GraphConfig, keys: string[]) {
  const graph = await reopen(config);
  try {
    const records: Record<string, unknown[]> = {};
    for (const kind of kinds.filter((k) => k !== 'lease'))
      records[kind] = (await graph.query(kind)).map((v) => v.record).sort((a, b) => a.id.localeCompare(b.id));
    const units = await existingUnitKeys(graph);
    return {
      records,
      events: await graph.audit.list(),
      verify: await graph.audit.verify(),
      unitCount: units.size,
      replays: await Promise.all(keys.map((k) => graph.replay(k))),
    };
  } finally {
    await graph.close();
  }
}

it('a migration cut off twice at random, under throttling and dropped connections, and run again ends identical to an uncut one', async () => {
  const data = dirs.make();
  // Only overt audit keygen makes the audit signing key (issue 19): made first.
  expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
  expect((await runCli('demo', '--data', data)).code).toBe(0);
  const slow = await startServer({ delayMs: 15 });
  try {
    const ca = join(dirs.make(), 'ca.pem');
    writeFileSync(ca, slow.ca);
    const args = (site: string) => [
      'migrate',
      '--from',
      'sqlite',
      '--to',
      'graph',
      '--data',
      data,
      '--site',
      site,
      '--graph-url',
      slow.url,
      '--ca-file',
      ca,
    ];
    const uncut = await freshStore(slow);
    await uncut.store.close();
    const whole = await runCli(...args(uncut.config.siteUrl));
    expect(whole.stderr).toBe('');
    expect(whole.code).toBe(0);

    const cut = await freshStore(slow);
    await cut.store.close();
    slow.setFaults({ rate: 0.1, retryAfterSeconds: 0.05 });
    slow.setDropRate(0.05);
    const cuts: string[] = [];
    for (let n = 0; n < 2; n++) {
      // Killed after a random number of progress lines and a random moment more.
      const after = 1 + Math.floor(Math.random() * 8);
      const child = fork(await bundled('test/cli/overt-process.ts'), args(cut.config.siteUrl), {
        execArgv: [],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      let out = '';
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      await new Promise<void>((resolve) => {
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString('utf8');
          if (out.split('\n').length > after) {
            setTimeout(() => {
              child.kill('SIGKILL');
              resolve();
            }, Math.random() * 300);
          }
        });
        void exited.then(() => resolve());
      });
      const code = await exited;
      expect(code).toBeNull(); // killed, not finished
      cuts.push(out.trim().split('\n').at(-1)!);
    }
    const resumed = await runCli(...args(cut.config.siteUrl));
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/already there|\d+\/\d+/);
    expect(slow.stats.throttled).toBeGreaterThan(0);
    expect(slow.stats.dropped).toBeGreaterThan(0);
    slow.setFaults({ rate: 0 });
    slow.setDropRate(0);

    const local = await openStore({ dataDir: data, kind: 'sqlite' });
    if (!local.ok) throw new Error(local.error.message);
    const keys: string[] = [];
    for await (const u of (local.value as SqliteStore).units()) keys.push(u.key);
    await local.value.close();
    const [a, b] = [await contents(uncut.config, keys), await contents(cut.config, keys)];
    expect(b.verify).toEqual(a.verify);
    expect(b.verify.ok).toBe(true);
    expect(b.events).toEqual(a.events);
    expect(b.records).toEqual(a.records);
    expect(b.unitCount).toBe(a.unitCount);
    expect(b.unitCount).toBe(keys.length);
    expect(b.replays).toEqual(a.replays);
  } finally {
    await slow.stop();
  }
}, 300_000);
