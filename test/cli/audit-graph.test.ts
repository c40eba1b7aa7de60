import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openGuarded } from '../../src/store/open';
import type { GraphServer } from '../../tools/graph-local/server';
import { draft } from '../store/fixtures';
import { batcherFor, configFor, siteUrl, startServer } from '../store/graph-harness';
import { provision } from '../../src/store/graph/provision';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from './run';

/**
 * issue 19: `overt audit verify|export` on a SharePoint store. Their help named only --data, and with
 * OVERT_STORE=graph a `--data DIR` was silently ignored (the site was read, whatever folder was named). Now
 * both name --store/--site in their help, read a site given on the command line, say what --data is used for
 * (the signing key beside it), and refuse a --data they have no use for, naming it.
 */

const dirs = tempDirs('cli-audit-graph');
let server: GraphServer;
let site: string;
let caFile: string;
let anchorDir: string;
const saved = { ...process.env };

beforeAll(async () => {
  server = await startServer();
  site = siteUrl(0);
  const dir = dirs.make();
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, server.ca);
  const provisioned = await provision(batcherFor(server), configFor(server, site), false);
  if (!provisioned.ok) throw new Error(provisioned.error.message);
  anchorDir = join(dir, 'data');
  const opened = await openGuarded(
    { dataDir: anchorDir, kind: 'graph', graph: { siteUrl: site, graphUrl: server.url, caFile } },
    process.env,
    { create: true },
  );
  if (!opened.ok) throw new Error(opened.error.message);
  for (let i = 1; i <= 3; i++)
    await opened.value.store.commit({
      key: `g${i}`,
      at: `2026-03-0${i}T09:00:00.000Z`,
      writes: [],
      audit: [draft('record.view', { kind: 'child', id: `c-${i}` })],
    });
  await opened.value.store.close();
});
afterAll(async () => {
  process.env = saved;
  await server?.stop();
  dirs.cleanup();
});
afterEach(() => {
  process.env = { ...saved };
});

const graph = () => ['--site', site, '--graph-url', server.url, '--ca-file', caFile];

it('names --store and --site in the help of verify and export', async () => {
  for (const cmd of ['verify', 'export']) {
    const help = await runCli('audit', cmd, '--help');
    expect(help.stdout).toMatch(/--store <kind>\s+sqlite or graph/);
    expect(help.stdout).toMatch(/--site <url>\s+the SharePoint site/);
  }
});

it('verifies a SharePoint store given on the command line, against the checkpoints beside --data', async () => {
  const r = await runCli('audit', 'verify', ...graph(), '--data', anchorDir);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout).toContain(
    `checking the SharePoint store at ${site} against the checkpoints in ${anchorDir}.audit`,
  );
  expect(r.stdout).toMatch(/audit chain intact: 3 events, anchored by \d+ signed checkpoints?/);
});

it('exports from a SharePoint store; a --data it has no use for is refused, named', async () => {
  const r = await runCli('audit', 'export', ...graph(), '--format', 'jsonl');
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(r.stdout.trim().split('\n')).toHaveLength(3);

  const withData = await runCli('audit', 'export', ...graph(), '--format', 'jsonl', '--data', anchorDir);
  expect(withData.code).toBe(2);
  expect(withData.stdout).toBe('');
  expect(withData.stderr).toContain(
    `--data ${anchorDir}: this command reads the SharePoint store (${site}), not a data folder`,
  );
  const unanchored = await runCli('audit', 'verify', ...graph(), '--unanchored', '--data', anchorDir);
  expect(unanchored.code).toBe(2);
  expect(unanchored.stderr).toContain(`--data ${anchorDir}: this command reads the SharePoint store`);
});

it('with OVERT_STORE=graph in the environment, --data is not silently ignored', async () => {
  Object.assign(process.env, {
    OVERT_STORE: 'graph',
    OVERT_GRAPH_SITE: site,
    OVERT_GRAPH_URL: server.url,
    OVERT_GRAPH_CA_FILE: caFile,
  });
  const r = await runCli('audit', 'export', '--format', 'csv', '--data', dirs.make());
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/drop --data, or pass --store sqlite to read the SQLite store in it/);
  // Asked for SQLite in a folder with no store: said so, not an empty trail from the site.
  const sqlite = await runCli(
    'audit',
    'export',
    '--format',
    'csv',
    '--store',
    'sqlite',
    '--data',
    dirs.make(),
  );
  expect(sqlite.code).toBe(2);
  expect(sqlite.stderr).toMatch(/no Overt data in /);
});

it('refuses a store that is not one, and a site with --store sqlite', async () => {
  const bad = await runCli('audit', 'verify', '--store', 'postgres');
  expect(bad).toMatchObject({
    code: 2,
    stderr: 'overt: --store: postgres is not a store: sqlite or graph\n',
  });
  const mixed = await runCli('audit', 'export', '--format', 'csv', '--store', 'sqlite', '--site', site);
  expect(mixed.code).toBe(2);
  expect(mixed.stderr).toContain('--site is for a SharePoint store (--store graph), not SQLite');
  const noSite = await runCli('audit', 'export', '--format', 'csv', '--store', 'graph');
  expect(noSite.code).toBe(2);
  expect(noSite.stderr).toContain('a SharePoint store needs its site: --site <url> or OVERT_GRAPH_SITE');
});
