import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { sqliteFile } from '../../src/store/open';
import { runCli } from '../cli/run';
import { freshStore, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import type { GraphServer } from '../../tools/graph-local/server';
import { byMsg, startInstance, type Instance } from './instances';

/**
 * issue 16: the timers on two service processes sharing one store — one holds the lease and renews it;
 * `jobs run-once` beside them asks the holder and exits 0 when it has done the work; `--now` never touches
 * the live store; the holder killed, the other takes over within a lease and says so; SIGTERM exits 0.
 */
const dirs = tempDirs('timers-instances');
const LEASE_S = 4;
let instances: Instance[] = [];
afterEach(() => {
  for (const i of instances) if (i.child.exitCode === null) i.child.kill('SIGKILL');
  instances = [];
});
afterAll(dirs.cleanup);

const holding = /^(holds|took over) the timers’ lease$/;

async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Whether an instance's last word on the lease is that it holds it. */
const holdsNow = (i: Instance) =>
  [...i.lines].reverse().find(byMsg(/the timers’ lease$/))?.msg !== 'lost the timers’ lease' &&
  i.lines.some(byMsg(holding));

/** Two instances on `env`; the one holding the timers' lease first. */
async function twoInstances(env: Record<string, string>): Promise<[Instance, Instance]> {
  const common = { OVERT_TIMERS_LEASE: String(LEASE_S), OVERT_JOBS_EVERY: '3600', ...env };
  instances = await Promise.all([startInstance(common), startInstance(common)]);
  // Started together, each found the trail sound, though the other was writing its start's timers meanwhile
  // (issue 12 walk: one of two, started at once on a demo folder, called it broken in 2 of 6 tries).
  for (const i of instances) {
    const health = await fetch(`http://localhost:${i.ports.tab}/healthz`);
    expect({ pid: i.pid, status: health.status }).toEqual({ pid: i.pid, status: 200 });
  }
  await Promise.race(instances.map((i) => i.waitFor(byMsg(holding))));
  const [a, b] = instances as [Instance, Instance];
  // Let a few renewals pass: exactly one holds it.
  await new Promise((r) => setTimeout(r, LEASE_S * 1000));
  const holders = instances.filter(holdsNow);
  expect(holders).toHaveLength(1);
  return holders[0] === a ? [a, b] : [b, a];
}

/** The holder is killed: the other takes over within a lease and a renewal, and logs whom from. */
async function killHolderAndWatch(holder: Instance, other: Instance): Promise<void> {
  const from = other.lines.length;
  holder.child.kill('SIGKILL');
  const killedAt = Date.now();
  const took = await other.waitFor(byMsg('took over the timers’ lease'), 20_000, from);
  const after = Date.now() - killedAt;
  expect(took).toMatchObject({ level: 'info', from: expect.stringContaining(`-${holder.pid}`) });
  expect(after).toBeLessThan(LEASE_S * 1000 * 2 + 3000);
  // The new holder runs the timers at once.
  await other.waitFor(byMsg('timers ran'), 20_000, from);
}

async function sigtermExitsZero(i: Instance): Promise<void> {
  const sent = Date.now();
  i.child.kill('SIGTERM');
  const exit = await i.exited;
  expect(exit.code).toBe(0);
  expect(exit.at - sent).toBeLessThan(10_000);
  expect(i.lines.some(byMsg('stopped'))).toBe(true);
}

describe('on one SQLite folder', () => {
  it('one holds the timers; run-once asks it and exits 0; --now runs on a copy; the holder killed, the other takes over', async () => {
    const data = dirs.make();
    // Only overt audit keygen makes the audit signing key (issue 19): made first.
    expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
    expect((await runCli('demo', '--data', data)).code).toBe(0);
    const [holder, other] = await twoInstances({ OVERT_DATA: data });

    // run-once beside the running service: the holder runs them, and the command says so, exit 0.
    const from = holder.lines.length;
    const once = await runCli('jobs', 'run-once', '--data', data, '--wait', '30');
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(
      new RegExp(
        `^the running service \\(overt-.+-${holder.pid}\\) ran the timers at .+ UTC: \\d+ expired, \\d+ notices\\n$`,
      ),
    );
    expect(await holder.waitFor(byMsg('timers ran'), 5000, from)).toMatchObject({ asked: true });
    expect(other.lines.some(byMsg('timers ran'))).toBe(false);

    // --now at a later moment: runs on a copy; the live store's lease and audit trail are as they were.
    const live = SqliteStore.open(sqliteFile(data));
    const eventsBefore = (await live.audit.verify()) as { ok: true; count: number };
    const later = new Date(Date.now() + 100 * 86_400_000).toISOString();
    const now = await runCli('jobs', 'run-once', '--data', data, '--now', later);
    expect(now.code).toBe(0);
    expect(now.stdout).toMatch(/^\d+ expired, [1-9]\d* notices\n/); // the copy had work to do…
    expect(now.stdout).toMatch(/run on a copy; .+ is unchanged/);
    // …the live one is untouched: intact, and nothing in it from that later moment (the running instances
    // may have written events of their own meanwhile — the notices they deliver — all dated now).
    expect(await live.audit.verify()).toMatchObject({ ok: true });
    const since = await live.audit.list({ afterSeq: eventsBefore.count });
    expect(since.filter((e) => e.at > new Date(Date.now() + 86_400_000).toISOString())).toEqual([]);
    const lease = (await live.get('lease', 'jobs'))!.record;
    expect(lease.holder).toContain(`-${holder.pid}`);
    expect(new Date(lease.until).getTime()).toBeLessThan(Date.now() + LEASE_S * 1000 + 1000);
    await live.close();

    await killHolderAndWatch(holder, other);
    await sigtermExitsZero(other);
  }, 240_000);
});

describe('on one local Graph site', () => {
  let server: GraphServer;
  beforeAll(async () => (server = await startServer()));
  afterAll(async () => server?.stop());

  it('one holds the timers; run-once asks it; --now is refused; the holder killed, the other takes over', async () => {
    const { store, config } = await freshStore(server);
    await store.close();
    const ca = join(dirs.make(), 'ca.pem');
    writeFileSync(ca, server.ca);
    const env = {
      OVERT_STORE: 'graph',
      OVERT_GRAPH_SITE: config.siteUrl,
      OVERT_GRAPH_URL: server.url,
      OVERT_GRAPH_CA_FILE: ca,
      OVERT_DATA: dirs.make(),
    };
    const [holder, other] = await twoInstances(env);

    // The commands sign with the service's audit key and checkpoints (the instances', beside their data folder).
    await withEnv(
      {
        ...env,
        OVERT_AUDIT_KEY: `${env.OVERT_DATA}.audit/signing-key.pem`,
        OVERT_AUDIT_CHECKPOINTS: `${env.OVERT_DATA}.audit/checkpoints.jsonl`,
      },
      async () => {
        const once = await runCli('jobs', 'run-once', '--wait', '30');
        // On a failure, what the holder logged says why it did not answer.
        expect({ stderr: once.stderr, holderLog: once.stderr ? holder.lines.slice(-12) : [] }).toEqual({
          stderr: '',
          holderLog: [],
        });
        expect(once.code).toBe(0);
        expect(once.stdout).toMatch(
          new RegExp(`^the running service \\(overt-.+-${holder.pid}\\) ran the timers`),
        );
        const now = await runCli('jobs', 'run-once', '--now', '2027-01-15T09:00:00Z');
        expect(now.code).toBe(2);
        expect(now.stderr).toMatch(/--now is for tests .* a SharePoint site is never run at another moment/);
      },
    );

    await killHolderAndWatch(holder, other);
    await sigtermExitsZero(other);
  }, 240_000);
});
