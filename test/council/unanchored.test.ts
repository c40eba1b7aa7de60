import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SITE, startCouncil, type Council } from './council';
import { tempDirs } from '../store/temp-dirs';
import Database from 'better-sqlite3';
import { sqliteFile } from '../../src/store/open';
import { batcherFor, configFor, reopen } from '../store/graph-harness';
import { bundled } from '../bundled';

/**
 * issue 19 (the newcomer's walk, finding 1): the audit trail's anchor never depends on the folder a command is
 * run from, and a store whose trail has events no checkpoint here vouches for is never signed over silently.
 * Before: with a SharePoint store and no OVERT_DATA the checkpoints defaulted to ./.data.audit, so the guide's
 * commands (one folder) and `serve` (another) disagreed, and a serve with a new key and an empty checkpoints
 * file over a store that held events signed a checkpoint over them (`newKey: true`, at info level). Now the
 * production start needs OVERT_AUDIT_CHECKPOINTS, every start and command refuses such a store with a message
 * an administrator can act on, and `overt audit adopt` is the one, audited way to anchor it after verifying.
 * Run as processes: `overt` and `npm run serve`'s script, against the local Graph server and SQLite.
 */
const ROOT = join(__dirname, '../..');
const dirs = tempDirs('unanchored');
let council: Council;
beforeAll(async () => {
  council = await startCouncil(dirs.make());
}, 60_000);
afterAll(async () => {
  await council.stop();
  dirs.cleanup();
});

type Env = Record<string, string | undefined>;

async function run(script: string, env: Env, args: string[]) {
  const clean = Object.fromEntries(
    Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
  // Not spawnSync: the local Graph server and the key set answer from this process. The current sources,
  // bundled (test/bundled.ts).
  const p = spawn(process.execPath, [await bundled(script), ...args], {
    cwd: ROOT,
    env: clean,
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // A serve that starts is stopped once it says it is running.
  p.stdout.on('data', () => {
    if (/Overt is running/.test(stdout)) p.kill('SIGTERM');
  });
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    p.once('close', (status) => resolve({ status, stdout, stderr })),
  );
}
const overt = (env: Env, ...args: string[]) => run('test/cli/overt-process.ts', env, args);
const serve = (env: Env) => run('src/server/serve.ts', env, []);

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;

/** The refusal an administrator can act on, and no checkpoint written where the start looked. */
function refusedUnanchored(
  r: { status: number | null; stdout: string; stderr: string },
  checkpoints: string,
) {
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(
    /this store's audit trail has \d+ events? but no checkpoints here \(.*\): point OVERT_AUDIT_CHECKPOINTS .*`overt audit adopt`/,
  );
  expect(r.stderr + r.stdout).not.toMatch(/broken|restore/);
  expect(r.stdout).not.toMatch(/newKey|audit checkpoint signed/);
  expect(lines(checkpoints)).toBe(0);
}

describe.each(['graph', 'sqlite'] as const)('a %s store', (kind) => {
  let data: string;
  let env: Env;
  let written: string;
  beforeAll(async () => {
    data = dirs.make();
    const audit = dirs.make();
    written = join(audit, 'checkpoints.jsonl');
    env = {
      ...council.env(data),
      OVERT_AUDIT_KEY: join(audit, 'signing-key.pem'),
      OVERT_AUDIT_CHECKPOINTS: written,
      ...(kind === 'sqlite' ? { OVERT_STORE: 'sqlite', OVERT_GRAPH_SITE: undefined } : {}),
    };
    if (kind === 'graph') {
      const made = await overt(env, 'provision', '--site', SITE);
      expect({ code: made.status, stderr: made.stderr }).toEqual({ code: 0, stderr: '' });
    }
    // The guide's commands: the key (only keygen makes it), the first administrator and a team, signed into
    // the checkpoints file given.
    for (const args of [
      ['audit', 'keygen'],
      ['admin', 'init'],
      ['teams', 'add', 'east', '--name', 'East Youth Justice'],
    ]) {
      const r = await overt(env, ...args);
      expect({ args, code: r.status, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
    expect(lines(written)).toBeGreaterThan(0);
  }, 120_000);

  it('the production start needs OVERT_AUDIT_CHECKPOINTS, naming it', async () => {
    const r = await serve({ ...env, OVERT_AUDIT_CHECKPOINTS: undefined });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /\n {2}OVERT_AUDIT_CHECKPOINTS: not set: the file of the audit trail's signed checkpoints/,
    );
    if (kind === 'graph') {
      // …and so does every command against the SharePoint store: no default in the folder it is run from.
      const c = await overt({ ...env, OVERT_AUDIT_CHECKPOINTS: undefined }, 'teams', 'list');
      const w = await overt(
        { ...env, OVERT_AUDIT_CHECKPOINTS: undefined },
        'teams',
        'add',
        'west',
        '--name',
        'West',
      );
      // Reading or changing: both would sign (or check) the trail against a file in the folder they run from.
      for (const x of [c, w])
        expect({ code: x.status, stderr: x.stderr }).toEqual({
          code: 2,
          stderr: expect.stringMatching(/^overt: OVERT_AUDIT_CHECKPOINTS: not set\./),
        });
      const v = await overt(
        { ...env, OVERT_AUDIT_CHECKPOINTS: undefined },
        'audit',
        'verify',
        '--site',
        SITE,
      );
      expect({ code: v.status, stderr: v.stderr }).toEqual({
        code: 2,
        stderr: expect.stringMatching(/^overt: OVERT_AUDIT_CHECKPOINTS: not set\./),
      });
    }
  }, 120_000);

  it('a start given another checkpoints file (the same key) is refused, saying what to do', async () => {
    const elsewhere = join(dirs.make(), 'checkpoints.jsonl');
    refusedUnanchored(await serve({ ...env, OVERT_AUDIT_CHECKPOINTS: elsewhere }), elsewhere);
    // A command too: it would otherwise sign over the events it did not check.
    const c = await overt(
      { ...env, OVERT_AUDIT_CHECKPOINTS: elsewhere },
      'teams',
      'add',
      'west',
      '--name',
      'West',
    );
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/this store's audit trail has \d+ events? but no checkpoints here/);
    expect(lines(elsewhere)).toBe(0);
  }, 120_000);

  it('a start with a new key and an empty checkpoints file (a lost audit volume) is refused, and signs nothing', async () => {
    const lost = dirs.make();
    const empty = join(lost, 'checkpoints.jsonl');
    writeFileSync(empty, '');
    // The new key is made deliberately (a start never makes one).
    const k = await overt(
      { ...env, OVERT_AUDIT_KEY: join(lost, 'signing-key.pem'), OVERT_AUDIT_CHECKPOINTS: empty },
      'audit',
      'keygen',
    );
    expect({ code: k.status, stderr: k.stderr }).toEqual({ code: 0, stderr: '' });
    const r = await serve({
      ...env,
      OVERT_AUDIT_KEY: join(lost, 'signing-key.pem'),
      OVERT_AUDIT_CHECKPOINTS: empty,
    });
    refusedUnanchored(r, empty);
  }, 120_000);

  it('overt audit adopt anchors it deliberately, after the chain verifies, as an audit event; then it starts', async () => {
    const fresh = dirs.make();
    mkdirSync(fresh, { recursive: true });
    const moved = {
      ...env,
      OVERT_AUDIT_KEY: join(fresh, 'signing-key.pem'),
      OVERT_AUDIT_CHECKPOINTS: join(fresh, 'cp.jsonl'),
    };
    const where = kind === 'graph' ? ['--site', SITE] : ['--data', data];
    // The new volume's key, made deliberately (adopt, like every command but keygen, never makes one).
    const k = await overt(moved, 'audit', 'keygen');
    expect({ code: k.status, stderr: k.stderr }).toEqual({ code: 0, stderr: '' });
    // Its words are required: who verified, and why.
    const bare = await overt(moved, 'audit', 'adopt', ...where);
    expect(bare.status).not.toBe(0);
    const a = await overt(
      moved,
      'audit',
      'adopt',
      ...where,
      '--by',
      'Priya Shah',
      '--reason',
      'audit volume lost',
    );
    expect({ code: a.status, stderr: a.stderr }).toEqual({ code: 0, stderr: '' });
    expect(a.stdout).toMatch(
      /^audit trail adopted: (\d+) events verified by the chain alone, the adoption recorded as event \d+/,
    );
    // Only once: the trail is anchored here now.
    const again = await overt(moved, 'audit', 'adopt', ...where, '--by', 'Priya Shah', '--reason', 'again');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/nothing to adopt/);
    const v = await overt(moved, 'audit', 'verify', ...where);
    expect({ code: v.status, stderr: v.stderr }).toEqual({ code: 0, stderr: '' });
    expect(v.stdout).toMatch(/audit chain intact: \d+ events?, anchored by \d+ signed checkpoints?/);
    const ex = await overt(
      moved,
      'audit',
      'export',
      ...(kind === 'graph' ? ['--site', SITE] : ['--data', data]),
      '--format',
      'jsonl',
    );
    const adopted = ex.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string; actor: { id: string }; details: { reason?: string } })
      .filter((e) => e.action === 'audit.adopt');
    expect(adopted).toEqual([
      expect.objectContaining({
        actor: { id: 'Priya Shah' },
        details: expect.objectContaining({ reason: 'audit volume lost' }),
      }),
    ]);
    const s = await serve(moved);
    expect(s.stdout).toMatch(/Overt is running/);
  }, 180_000);

  // Last in its store's run: it breaks the trail.
  it('overt audit adopt refuses a broken chain, naming where it breaks, and anchors nothing', async () => {
    // Someone with the store but not the key removes an event from the middle of the trail.
    if (kind === 'sqlite') {
      const db = new Database(sqliteFile(data));
      db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; DROP TRIGGER audit_erase_only');
      expect(db.prepare('DELETE FROM audit WHERE seq = 2').run().changes).toBe(1);
      db.close();
    } else {
      const site = await reopen(configFor(council.graph, SITE));
      const batcher = batcherFor(council.graph);
      const [found] = await batcher.chain([
        { method: 'GET', url: `${site.ctx.items('audit')}?$filter=fields/ovSeq eq 2&$expand=fields` },
      ]);
      const itemId = (found!.body as { value: { id: string }[] }).value[0]!.id;
      const [deleted] = await batcher.chain([
        { method: 'DELETE', url: `${site.ctx.items('audit')}/${itemId}` },
      ]);
      expect(deleted!.status).toBe(204);
      await site.close();
    }
    const fresh = dirs.make();
    const moved = {
      ...env,
      OVERT_AUDIT_KEY: join(fresh, 'signing-key.pem'),
      OVERT_AUDIT_CHECKPOINTS: join(fresh, 'cp.jsonl'),
    };
    const where = kind === 'graph' ? ['--site', SITE] : ['--data', data];
    const a = await overt(
      moved,
      'audit',
      'adopt',
      ...where,
      '--by',
      'Priya Shah',
      '--reason',
      'audit volume lost',
    );
    expect(a.status).toBe(1);
    expect(a.stdout).toMatch(/^audit trail broken at event \d+: .+; not adopted$/m);
    expect(a.stdout).not.toMatch(/adopted:/);
    // Nothing anchored: no checkpoint, no key made, and the start still refuses the store.
    expect(lines(join(fresh, 'cp.jsonl'))).toBe(0);
    expect(existsSync(join(fresh, 'signing-key.pem'))).toBe(false);
    const s = await serve(moved);
    expect(s.status).toBe(1);
    expect(s.stdout).not.toMatch(/Overt is running/);
  }, 180_000);
});
