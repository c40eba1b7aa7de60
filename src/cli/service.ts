import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { checkDefaultProfile, loadConfig, loadCustomProfiles, workflowSettings } from '../config';
import { createDemo } from '../demo/demo';
import { anchorPaths, checkpointsSettingProblem } from '../store/anchor';
import { openGuarded, openStore, sqliteFile } from '../store/open';
import { SqliteStore } from '../store/sqlite/sqlite-store';
import type { Store } from '../store/store';
import { ASK, leaseHolder, readLastRun, releaseLease, writeSetting } from '../server/timers';
import { createDeps, JOBS_LEASE, runJobs, type Deps, type JobsReport } from '../workflow';

/** The lease `jobs run-once` takes when nobody holds the timers: long enough for one run; let go after. */
const RUN_ONCE_LEASE_MS = 5 * 60_000;

/** `overt demo` and `overt jobs run-once`: the service's store, with the workflow over it. */

function fail(exitCode: number, message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(exitCode, 'overt.service', message);
}

/** The service's store (behind its audit guard, anchored outside the store, unless `anchored` is false:
 * a throwaway copy) with the workflow over it. */
export async function openService(
  data: string | undefined,
  clock?: () => Date,
  options: { anchored?: boolean } = {},
): Promise<{ store: Store; deps: Deps }> {
  const config = loadConfig(process.env, data ? { OVERT_DATA: data } : {});
  if (!config.ok) return fail(2, config.message);
  const profiles = loadCustomProfiles(config.value.OVERT_PROFILE_FILES);
  if (!profiles.ok) return fail(2, profiles.message);
  const profile = checkDefaultProfile(config.value, profiles.value);
  if (!profile.ok) return fail(2, profile.message);
  const where = { dataDir: config.value.OVERT_DATA, kind: config.value.OVERT_STORE };
  if (options.anchored !== false) sameKeyAsTheService(where);
  const opened =
    options.anchored === false
      ? await openStore(where)
      : await openGuarded(where, process.env, { create: false }).then((o) =>
          o.ok ? { ok: true as const, value: o.value.store } : o,
        );
  if (!opened.ok) return fail(2, opened.error.message);
  return {
    store: opened.value,
    deps: createDeps(opened.value, {
      customProfiles: profiles.value,
      settings: workflowSettings(config.value),
      ...(clock ? { clock } : {}),
    }),
  };
}

/**
 * The commands sign the audit trail with the service's own key, or not at all: a command that made a key of
 * its own (beside the data folder, the default) would leave checkpoints `npm run serve`, with its
 * OVERT_AUDIT_KEY, finds signed by another key — the trail "broken" and every write refused. So no command
 * makes a key: only `overt audit keygen` does, once (issue 19). A SharePoint store is written only with
 * OVERT_AUDIT_KEY set or the service's default key found; a key gone where checkpoints signed with one are
 * kept is to be restored, not made again; and a key never made is made with keygen, which the refusal names.
 */
function sameKeyAsTheService(where: { dataDir: string; kind: 'sqlite' | 'graph' }): void {
  const named = (process.env.OVERT_AUDIT_KEY ?? '').trim() !== '';
  const { keyFile, checkpointsFile } = anchorPaths(where.dataDir, process.env);
  const checkpoints = checkpointsSettingProblem(where.kind, process.env);
  if (checkpoints) return fail(2, checkpoints);
  // Beside a service that runs with the default key (`npm start` on the local Graph server) that key is used.
  if (where.kind === 'graph' && !named && !existsSync(keyFile))
    return fail(
      2,
      'OVERT_AUDIT_KEY: not set. A SharePoint store is written with the audit signing key of the service (the same OVERT_AUDIT_KEY as npm run serve, outside the data folder); set it before any overt command that changes the store. The key itself is made once, before the first start, by overt audit keygen',
    );
  // As `npm run serve` does: a key gone while checkpoints signed with one are there is never replaced.
  if (!existsSync(keyFile) && existsSync(checkpointsFile) && statSync(checkpointsFile).size > 0)
    return fail(
      2,
      `OVERT_AUDIT_KEY: no signing key at ${keyFile}, but checkpoints signed with one are at ${checkpointsFile}: set OVERT_AUDIT_KEY to the key file the service uses (a new key could not vouch for the trail)`,
    );
  if (!existsSync(keyFile))
    return fail(
      2,
      `OVERT_AUDIT_KEY: no audit signing key at ${keyFile}. Make it once with ${named ? 'overt audit keygen (with this OVERT_AUDIT_KEY and OVERT_AUDIT_CHECKPOINTS)' : `overt audit keygen --data ${where.dataDir}`}, then run this again: only keygen makes the key, and every command and the service sign with that one. Nothing was changed`,
    );
}

/** True when nobody has been set up yet: the demo may be created. */
export async function isEmpty(store: Store): Promise<boolean> {
  return ((await store.count('staff'))[0]?.count ?? 0) === 0;
}

export async function seedDemo(
  store: Store,
  deps: Deps,
  end = new Date(),
): Promise<Awaited<ReturnType<typeof createDemo>>> {
  let now = end;
  return createDemo({ ...deps, clock: () => now, setClock: (d) => (now = d) }, end);
}

export function register(cli: Command): void {
  cli
    .command('demo')
    .description(
      'create the fictional demo service in an empty data folder (three teams, forty children, a year)',
    )
    .option('--data <dir>', 'data folder (default: $OVERT_DATA, else ./.data)')
    .action(async (opts: { data?: string }) => {
      const { store, deps } = await openService(opts.data);
      try {
        if (!(await isEmpty(store)))
          return fail(1, 'the data folder already holds a service: the demo is created only in an empty one');
        const s = await seedDemo(store, deps);
        process.stdout.write(
          `demo service created: ${s.teams} teams, ${s.staff} staff, ${s.children} children, ${s.requests} requests, ${s.checks} checks, ${s.refusals} refusals, ${s.auditEvents} audit events\n`,
        );
      } finally {
        await store.close();
      }
    });

  const jobs = cli.command('jobs').description('the timers: reminders, expiry, escalation, RIPA review');
  jobs
    .command('run-once')
    .description(
      'run every due timer once (for cron): beside a running service, asks the instance holding the timers to run them and waits for it',
    )
    .option('--data <dir>', 'data folder (default: $OVERT_DATA, else ./.data)')
    .option(
      '--now <instant>',
      'for tests only: run at another moment, on a copy of the SQLite store (nothing is written to it)',
    )
    .option('--wait <seconds>', 'how long to wait for a running service to do it', '60')
    .option('--holder <name>', 'who holds the lease', `cli-${hostname()}-${process.pid}`)
    .action(async (opts: { data?: string; now?: string; wait: string; holder: string }) => {
      const waitS = Number(opts.wait);
      if (!Number.isFinite(waitS) || waitS < 0)
        return fail(2, `--wait: not a number of seconds: ${opts.wait}`);
      if (opts.now !== undefined) return runOnCopy(opts.data, opts.now, opts.holder);
      const { store, deps } = await openService(opts.data);
      try {
        await runOrAsk(store, deps, opts.holder, waitS * 1000);
      } finally {
        await store.close();
      }
    });
}

function printReport(r: JobsReport, prefix = ''): void {
  process.stdout.write(`${prefix}${r.expired} expired, ${r.notices.length} notices\n`);
  for (const n of r.notices) process.stdout.write(`  ${n.kind} → ${n.to.join(', ')}: ${n.text}\n`);
  if (r.retention) {
    const erased = Object.values(r.retention.erased).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `${prefix}retention: ${erased} records erased, ${r.retention.eventDetails} audit events’ details erased, ${r.retention.held} past their period kept\n`,
    );
  }
}

const at = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

/**
 * Without `--now`: take the timers' lease (on the real clock) and run; if a running instance holds it, ask
 * it to run now and wait for its record of a run that began after asking (exit 0: the work was done, by
 * the holder; exit 1 if that run failed, with its reason). If nobody answers in time, say who holds the lease until when (exit 1).
 */
async function runOrAsk(store: Store, deps: Deps, holder: string, waitMs: number): Promise<void> {
  const asked = new Date();
  const until = asked.getTime() + waitMs;
  let wrote = false;
  for (;;) {
    const now = new Date();
    if (await store.lease(JOBS_LEASE, holder, RUN_ONCE_LEASE_MS, now)) {
      try {
        printReport(await runJobs(deps, holder, { leased: true, retention: true }));
      } finally {
        await releaseLease(store, JOBS_LEASE, holder);
      }
      return;
    }
    const last = await readLastRun(store);
    if (wrote && last && last.startedAt >= asked.toISOString()) {
      if (last.failed)
        return fail(
          1,
          `the running service (${last.holder}) tried to run the timers at ${at(last.startedAt)} and could not finish: ${last.failed}`,
        );
      process.stdout.write(
        `the running service (${last.holder}) ran the timers at ${at(last.startedAt)}: ${last.expired} expired, ${last.notices} notices\n`,
      );
      return;
    }
    if (!wrote) {
      await writeSetting(store, ASK, { at: asked.toISOString(), by: holder }, asked.toISOString());
      wrote = true;
    }
    if (Date.now() >= until) {
      const h = await leaseHolder(store);
      return fail(
        1,
        h
          ? `the timers are held by ${h.holder} until ${at(h.until)} (renewed while it runs); it was asked to run them and did not answer within ${waitMs / 1000} s: nothing run here`
          : `the timers' lease was held by another instance that did not answer within ${waitMs / 1000} s: nothing run here`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(500, Math.max(0, until - Date.now()))));
  }
}

/**
 * `--now` is for tests: the moment is not now, so nothing it does may reach the live store (its lease or
 * its audit trail). It runs on a copy of the SQLite file, prints what would happen, and leaves the copy.
 */
async function runOnCopy(data: string | undefined, nowIso: string, holder: string): Promise<void> {
  const moment = new Date(nowIso);
  if (Number.isNaN(moment.getTime())) return fail(2, `--now: not an instant: ${nowIso}`);
  const config = loadConfig(process.env, data ? { OVERT_DATA: data } : {});
  if (!config.ok) return fail(2, config.message);
  if (config.value.OVERT_STORE !== 'sqlite')
    return fail(
      2,
      '--now is for tests and runs on a copy of a SQLite data folder; a SharePoint site is never run at another moment',
    );
  const source = sqliteFile(config.value.OVERT_DATA);
  if (!existsSync(source)) return fail(2, `no store in ${config.value.OVERT_DATA}`);
  const copyDir = mkdtempSync(join(tmpdir(), 'overt-now-'));
  try {
    await SqliteStore.copy(source, sqliteFile(copyDir));
    const { store, deps } = await openService(copyDir, () => moment, { anchored: false });
    try {
      const r = await runJobs(deps, holder, { retention: true });
      printReport(r);
      process.stdout.write(`(--now ${moment.toISOString()}: run on a copy; ${source} is unchanged)\n`);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(copyDir, { recursive: true, force: true });
  }
}
