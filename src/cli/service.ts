import { CommanderError, type Command } from 'commander';
import { loadConfig, loadCustomProfiles, workflowSettings } from '../config';
import { createDemo } from '../demo/demo';
import { openStore } from '../store/open';
import type { Store } from '../store/store';
import { createDeps, runJobs, type Deps } from '../workflow';

/** `overt demo` and `overt jobs run-once`: the service's store, with the workflow over it. */

function fail(exitCode: number, message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(exitCode, 'overt.service', message);
}

export async function openService(
  data: string | undefined,
  clock?: () => Date,
): Promise<{ store: Store; deps: Deps }> {
  const config = loadConfig(process.env, data ? { OVERT_DATA: data } : {});
  if (!config.ok) return fail(2, config.message);
  const profiles = loadCustomProfiles(config.value.OVERT_PROFILE_FILES);
  if (!profiles.ok) return fail(2, profiles.message);
  const opened = await openStore({ dataDir: config.value.OVERT_DATA, kind: config.value.OVERT_STORE });
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
      'run every due timer once (for cron and tests); a lease keeps two instances from both firing',
    )
    .option('--data <dir>', 'data folder (default: $OVERT_DATA, else ./.data)')
    .option('--now <instant>', 'the moment to run at (default: now)')
    .option('--holder <name>', 'who holds the lease', `cli-${process.pid}`)
    .action(async (opts: { data?: string; now?: string; holder: string }) => {
      const at = opts.now ? new Date(opts.now) : new Date();
      if (Number.isNaN(at.getTime())) return fail(2, `--now: not an instant: ${opts.now}`);
      const { store, deps } = await openService(opts.data, () => at);
      try {
        const r = await runJobs(deps, opts.holder);
        if (!r.ran) return fail(1, 'another instance holds the timers’ lease: nothing run');
        process.stdout.write(`${r.expired} expired, ${r.notices.length} notices\n`);
        for (const n of r.notices) process.stdout.write(`  ${n.kind} → ${n.to.join(', ')}: ${n.text}\n`);
      } finally {
        await store.close();
      }
    });
}
