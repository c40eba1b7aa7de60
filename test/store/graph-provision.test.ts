import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { register } from '../../src/cli/provision';
import { errorOf } from '../../src/store/graph/batch';
import { listKeys, listSpecs } from '../../src/store/graph/lists';
import { planProvision, provision } from '../../src/store/graph/provision';
import { openStore } from '../../src/store/open';
import type { GraphServer } from '../../tools/graph-local/server';
import { batcherFor, configFor, freshStore, siteUrl, startServer } from './graph-harness';

let server: GraphServer;
let dir: string;
let caFile: string;
beforeAll(async () => {
  server = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'overt-provision-'));
  caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, server.ca);
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Inner writes: every request the adapter sends is a `$batch`, itself a POST. */
const writes = () =>
  (server.stats.byMethod.POST ?? 0) +
  (server.stats.byMethod.PATCH ?? 0) +
  (server.stats.byMethod.DELETE ?? 0) -
  server.stats.requests;

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const program = new Command('overt').exitOverride();
  register(program);
  try {
    await program.parseAsync(['node', 'overt', ...args]);
    return { code: 0, out };
  } catch (e) {
    return { code: (e as { exitCode?: number }).exitCode ?? 1, out };
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
}

describe('provisioning SharePoint lists', () => {
  it('plans every list on an empty site, creates them, and changes nothing the second time', async () => {
    const config = configFor(server, siteUrl(100));
    const batcher = batcherFor(server);
    const plan = await planProvision(batcher, config);
    if (!plan.ok) throw new Error(plan.error.message);
    expect(plan.value.steps).toHaveLength(listKeys.length);
    expect(plan.value.steps.every((s) => s.op === 'create-list')).toBe(true);

    const first = await provision(batcher, config, false);
    expect(first).toMatchObject({ ok: true });
    server.resetStats();
    const second = await provision(batcher, config, false);
    expect(second).toMatchObject({ ok: true, value: { steps: [] } });
    expect(writes()).toBe(0);
    expect(server.stats.requests).toBe(2); // the site with its lists; every list's columns
  });

  it('indexes every queried column, and the record id and unit key as unique', async () => {
    const config = configFor(server, siteUrl(101));
    const batcher = batcherFor(server);
    await provision(batcher, config, false);
    const plan = await planProvision(batcher, config);
    if (!plan.ok) throw new Error(plan.error.message);
    const columns = plan.value.columns.get(listSpecs.request.name)!;
    for (const name of ['ovRecordId', 'ovChildId', 'ovTeamId', 'ovStatus', 'ovCreatedAt', 'ovExpiresAt'])
      expect(columns.find((c) => c.name === name)).toMatchObject({ indexed: true });
    expect(columns.find((c) => c.name === 'ovRecordId')).toMatchObject({ enforceUniqueValues: true });
    expect(columns.find((c) => c.name === 'ovBody')).toMatchObject({ indexed: false });
    const units = plan.value.columns.get(listSpecs.units.name)!;
    expect(units.find((c) => c.name === 'ovKey')).toMatchObject({ indexed: true, enforceUniqueValues: true });
    const audit = plan.value.columns.get(listSpecs.audit.name)!;
    expect(audit.find((c) => c.name === 'ovSeq')).toMatchObject({ indexed: true, enforceUniqueValues: true });
  });

  it('completes a list made by hand: adds missing columns and indexes unindexed ones', async () => {
    const config = configFor(server, siteUrl(102));
    const batcher = batcherFor(server);
    const plan0 = await planProvision(batcher, config);
    if (!plan0.ok) throw new Error(plan0.error.message);
    const [made] = await batcher.parallel([
      {
        method: 'POST',
        url: `/sites/${plan0.value.siteId}/lists`,
        body: {
          displayName: 'OvertChild',
          columns: [
            { name: 'ovRecordId', text: {} },
            { name: 'ovTeamId', text: {} },
          ],
        },
      },
    ]);
    expect(made?.status).toBe(201);
    const plan = await planProvision(batcher, config);
    if (!plan.ok) throw new Error(plan.error.message);
    const child = plan.value.steps.filter((s) => s.list === 'OvertChild');
    expect(child).toEqual(
      expect.arrayContaining([
        { op: 'index-column', list: 'OvertChild', column: 'ovRecordId', unique: true },
        { op: 'index-column', list: 'OvertChild', column: 'ovTeamId', unique: false },
        { op: 'add-column', list: 'OvertChild', column: 'ovBody' },
        { op: 'add-column', list: 'OvertChild', column: 'ovCaseRef' },
      ]),
    );
    expect(await provision(batcher, config, false)).toMatchObject({ ok: true });
    expect(await provision(batcher, config, false)).toMatchObject({ ok: true, value: { steps: [] } });
  });

  it('runs as `overt provision`: --dry-run prints the plan and writes nothing; twice says nothing to change', async () => {
    const site = siteUrl(103);
    const args = ['provision', '--site', site, '--graph-url', server.url, '--ca-file', caFile];
    server.resetStats();
    const dry = await cli(...args, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`would make ${listKeys.length} change(s)`);
    expect(dry.out).toContain('create list OvertRequest with columns ovRecordId, ovBody, ovChildId');
    expect(writes()).toBe(0);
    expect((await cli(...args)).out).toContain(`made ${listKeys.length} change(s)`);
    expect((await cli(...args)).out).toContain('nothing to change');
  });

  it('answers a site without a grant, and an unprovisioned site, with error values', async () => {
    const denied = await cli(
      'provision',
      '--site',
      'https://contoso.sharepoint.com/sites/hr',
      '--graph-url',
      server.url,
      '--ca-file',
      caFile,
    );
    expect(denied.code).toBe(2);
    expect(denied.out).toMatch(/403 accessDenied.*Sites\.Selected/);
    const opened = await openStore({
      dataDir: dir,
      kind: 'graph',
      graph: { siteUrl: siteUrl(104), graphUrl: server.url, caFile },
    });
    expect(opened).toMatchObject({ ok: false, error: { code: 'STORE_CONFIG_INVALID' } });
    if (!opened.ok) expect(opened.error.message).toMatch(/run overt provision/);
  });

  it('opens through openStore once provisioned', async () => {
    await cli('provision', '--site', siteUrl(105), '--graph-url', server.url, '--ca-file', caFile);
    const opened = await openStore({
      dataDir: dir,
      kind: 'graph',
      graph: { siteUrl: siteUrl(105), graphUrl: server.url, caFile },
    });
    if (!opened.ok) throw new Error(opened.error.message);
    expect(await opened.value.get('child', 'nobody')).toBeUndefined();
    await opened.value.close();
  });
});

describe('queries on columns that are not indexed', () => {
  it('are refused by the store before any request, and would be refused by the server', async () => {
    const { store } = await freshStore(server);
    server.resetStats();
    const anyQuery = store.query as (kind: string, q: unknown) => Promise<unknown>;
    await expect(anyQuery('request', { where: { reason: 'risk-of-cce' } })).rejects.toThrow(/not indexed/);
    await expect(anyQuery('request', { orderBy: { field: 'decidedAt', dir: 'asc' } })).rejects.toThrow(
      /not indexed/,
    );
    expect(server.stats.requests).toBe(0);

    // The same filter sent anyway, on a column that exists but is not indexed: SharePoint's 400.
    const items = store.ctx.items('request');
    const [sent, ordered] = await store.ctx.batcher.parallel([
      { method: 'GET', url: `${items}?$filter=${encodeURIComponent("fields/ovBody eq 'x'")}` },
      { method: 'GET', url: `${items}?$orderby=${encodeURIComponent('fields/Title asc')}` },
    ]);
    expect(sent?.status).toBe(400);
    expect(errorOf(sent!)).toMatchObject({ code: 'invalidRequest' });
    expect(errorOf(sent!).message).toMatch(
      /^Field 'ovBody' cannot be referenced in filter or orderby as it is not indexed/,
    );
    expect(ordered?.status).toBe(400);
    await store.close();
  });
});
