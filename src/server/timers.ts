import { z } from 'zod';
import { readSetting, writeSetting } from '../workflow/bookkeeping';
import type { Store } from '../store/store';
import type { Logger } from '../util/log';
import { withRequest } from '../util/log';
import { JOBS_LEASE, runJobs, type Deps, type JobsReport } from '../workflow';
import { guardOf } from '../store/integrity';
import { runRetentionIfDue } from '../workflow/retention';

/**
 * The timers of a running service, on many instances: one instance holds the `jobs` lease, on the real
 * clock, for a short time (`leaseMs`) and renews it every third of that; the others try to take it at the
 * same rate, so when the holder dies another takes over within `leaseMs` plus one renewal, and says so in
 * the log. The holder runs the due timers every `everyMs`, and at once when `overt jobs run-once` asks
 * (a `setting` record, `timers.ask`); after every run, asked for or not, it records what it did or why it
 * failed (`timers.last-run`), which is how the asking command learns that the work was done: any run that
 * began after the ask answers it, so an ask is never lost to a run (or a takeover) that started between
 * the asking and the reading. On a graceful stop the lease is let go at once.
 */

export const ASK = 'timers.ask';
export const LAST_RUN = 'timers.last-run';

export const Ask = z.object({ at: z.string(), by: z.string() });
export const LastRun = z.object({
  holder: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  expired: z.number(),
  notices: z.number(),
  /** Why the run stopped part-way, when it did (the asker reports it and exits 1). */
  failed: z.string().optional(),
});
export type LastRun = z.infer<typeof LastRun>;

/** Who holds the timers' lease and until when, if anyone does now. */
export async function leaseHolder(
  store: Store,
  now = new Date(),
): Promise<{ holder: string; until: string } | undefined> {
  const lease = await store.get('lease', JOBS_LEASE);
  if (!lease || new Date(lease.record.until).getTime() <= now.getTime()) return undefined;
  return { holder: lease.record.holder, until: lease.record.until };
}

export const readLastRun = (store: Store) => readSetting(store, LAST_RUN, LastRun);
export const readAsk = (store: Store) => readSetting(store, ASK, Ask);

export { writeSetting };

/** Lets go of a lease this holder has: taken again for a millisecond, so it has ended by the next look. */
export async function releaseLease(store: Store, name: string, holder: string): Promise<void> {
  await store.lease(name, holder, 1, new Date());
}

export interface Timers {
  /** Resolves once the timers have stopped (a run under way finished) and the lease is let go. */
  stop(): Promise<void>;
  /** True while this instance holds the lease. */
  holding(): boolean;
}

export async function startTimers(options: {
  deps: Deps;
  holder: string;
  everyMs: number;
  leaseMs: number;
  log: Logger;
}): Promise<Timers> {
  const { deps, holder, everyMs, leaseMs } = options;
  const store = deps.store;
  const log = options.log.child({ component: 'timers', holder });
  const renewMs = Math.max(100, Math.floor(leaseMs / 3));
  let held = false;
  let stopped = false;
  let lastStart = 0;
  let beat: Promise<void> | undefined;
  let run: Promise<void> | undefined;
  let retention: Promise<void> | undefined;

  /** The daily retention run, beside the other timers (it can take a while on a large site). */
  const retainNow = (): Promise<void> =>
    (retention ??= withRequest(async () => {
      const startedAt = Date.now();
      try {
        const r = await runRetentionIfDue(deps);
        if (r)
          log.info(
            {
              erased: r.erased,
              eventDetails: r.eventDetails,
              held: r.held,
              durationMs: Date.now() - startedAt,
            },
            'retention ran',
          );
      } catch (err) {
        log.error({ err }, 'retention failed');
      }
    }).finally(() => (retention = undefined)));

  const runNow = (asked: boolean): Promise<void> =>
    (run ??= withRequest(async () => {
      const startedAt = new Date();
      lastStart = startedAt.getTime();
      let last: LastRun;
      try {
        // Nothing acts on a trail found broken: the trail (and the records swept) is checked first, and the
        // records the jobs read are checked against their events as they are read.
        const trail = await guardOf(deps.store)?.check();
        if (trail && !trail.ok)
          throw new Error(
            `the audit trail is broken${trail.seq === undefined ? '' : ` at event ${trail.seq}`}: ${trail.reason}; nothing was run`,
          );
        const r: JobsReport = await runJobs(deps, holder, { leased: true });
        const finishedAt = new Date();
        log.info(
          {
            expired: r.expired,
            notices: r.notices.length,
            asked,
            durationMs: finishedAt.getTime() - startedAt.getTime(),
          },
          'timers ran',
        );
        last = {
          holder,
          startedAt: startedAt.toISOString(),
          finishedAt: finishedAt.toISOString(),
          expired: r.expired,
          notices: r.notices.length,
        };
      } catch (err) {
        const message = (err as Error).message;
        log.error({ err, asked }, 'timers failed');
        const finishedAt = new Date().toISOString();
        last = {
          holder,
          startedAt: startedAt.toISOString(),
          finishedAt,
          expired: 0,
          notices: 0,
          failed: message,
        };
      }
      // Every run is recorded, so whoever asked learns of it whichever run answered them.
      await writeSetting(store, LAST_RUN, last, last.finishedAt).catch((err: Error) =>
        log.error({ err }, 'the timers’ last run could not be recorded'),
      );
    }).finally(() => (run = undefined)));

  const heartbeat = async (): Promise<void> => {
    if (stopped) return;
    const now = new Date();
    try {
      const before = held ? undefined : (await store.get('lease', JOBS_LEASE))?.record;
      const ok = await store.lease(JOBS_LEASE, holder, leaseMs, now);
      if (ok && !held) {
        const from = before && before.holder !== holder ? before : undefined;
        log.info(
          { leaseMs, ...(from ? { from: from.holder, fromUntil: from.until } : {}) },
          from ? 'took over the timers’ lease' : 'holds the timers’ lease',
        );
      } else if (!ok && held) {
        const other = await leaseHolder(store, now);
        log.warn({ to: other?.holder, until: other?.until }, 'lost the timers’ lease');
      }
      held = ok;
      if (!held || run || stopped) return;
      const ask = await readAsk(store);
      const asked = !!ask && new Date(ask.at).getTime() > lastStart;
      if (asked || now.getTime() - lastStart >= everyMs) {
        void runNow(asked);
        void retainNow();
      }
    } catch (err) {
      log.error({ err }, 'timers’ lease could not be renewed');
    }
  };
  const tick = () => {
    if (!beat) beat = heartbeat().finally(() => (beat = undefined));
  };
  tick();
  await beat;
  await run;
  const timer = setInterval(tick, renewMs);
  timer.unref();
  return {
    holding: () => held,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await beat;
      await run;
      await retention;
      if (held) {
        held = false;
        // Best effort: a store that does not answer (a stall at shutdown) leaves the lease to run out.
        await releaseLease(store, JOBS_LEASE, holder).then(
          () => log.info('let go of the timers’ lease'),
          (err: Error) =>
            log.warn(
              { err, leaseMs },
              'could not let go of the timers’ lease: another instance takes it when it runs out',
            ),
        );
      }
    },
  };
}
