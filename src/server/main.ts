import { existsSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isEmpty, seedDemo } from '../cli/service';
import { signInMode } from '../api/auth-config';
import {
  checkDefaultProfile,
  loadConfig,
  loadCustomProfiles,
  workflowSettings,
  type Config,
} from '../config';
import { openGuarded } from '../store/open';
import { graphConfig } from '../store/graph/config';
import { clientFor } from '../store/graph/connect';
import { breakerEvents } from '../store/graph/graph-client';
import { AuditTrailBrokenError, sameGuard, TRAIL_BROKEN_SENTENCE, type AuditGuard } from '../store/integrity';
import { StoreUnavailableError, type Store } from '../store/store';
import { createLogger, log, requestIdFrom, withRequest, type Logger } from '../util/log';
import { createDeps, type Deps } from '../workflow';
import { adoptProfiles } from '../workflow/profile-adoption';
import { fingerprint } from '../policy/authority';
import { startTimers } from './timers';
import { health, sendJson, type Handler } from './health';
import { botSurface } from '../bot/surface';
import { apiSurface } from '../api/surface';
import type { Surface } from './surface';
import { flushUnsigned, unsignedRefusals } from '../workflow/refusals';

/**
 * `npm start`: the whole service on this machine — the store (SQLite in ./.data by default, with the
 * fictional demo service created when the folder is empty), the timers, and the HTTP endpoints: the bot on
 * :3978 and the tab and its API on :53000. The deps are built here and handed to each surface.
 */
export interface Running {
  config: Config;
  store: Store;
  deps: Deps;
  servers: Server[];
  logger: Logger;
  /** Drains: no new calls, the calls under way finish, the timers stop (lease let go), the store closes —
   * within `withinMs` (default 7.5 s): past it, calls to the store still under way are abandoned. */
  stop: (withinMs?: number) => Promise<void>;
}

/** How long /healthz waits for the store before answering that it does not answer. */
// 0.7 s, leaving 0.3 s of the promised second for the answer on a loaded machine (1,009 ms was seen at 0.8 s).
const HEALTH_WITHIN_MS = 700;

/** The last broken-trail reason each guard's service logged: the details are logged once, not on every call. */
const reportedBroken = new WeakMap<AuditGuard, string>();

/** Logs a broken trail's details (which event or record, and why) once per guard and reason: they are for the
 * log, never for /healthz. Told by /healthz's check and by the guard's watch alike. */
function logBroken(guard: AuditGuard, logger: Logger, chain: { seq?: number; reason: string }): void {
  const said = `${chain.seq ?? ''}:${chain.reason}`;
  if (reportedBroken.get(guard) === said) return;
  reportedBroken.set(guard, said);
  logger.error(
    { seq: chain.seq, reason: chain.reason },
    `the audit trail is broken${chain.seq === undefined ? '' : ` at event ${chain.seq}`}: ${chain.reason}; Overt will take no changes until it is restored`,
  );
}

function listen(
  host: string,
  port: number,
  name: string,
  store: Store,
  guard: AuditGuard,
  handlers: Handler[],
  logger: Logger,
  draining: () => boolean,
  timeouts: { requestMs: number; headersMs: number },
): Promise<Server> {
  // Bounds on the wire (issue 12, fault 10): a request whose headers or body stall is answered 408 and its
  // connection closed; idle keep-alive sockets close after 5 s. Node checks the bounds every
  // connectionsCheckingInterval, so that is kept well below them.
  const requestTimeout = timeouts.requestMs;
  const headersTimeout = Math.min(timeouts.headersMs, requestTimeout);
  const options = {
    requestTimeout,
    headersTimeout,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.max(250, Math.min(1_000, headersTimeout / 2)),
  };
  const server = createServer(options, (req, res) => {
    retryAfterOn503(res);
    const reqId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', reqId);
    const startedAt = performance.now();
    const path = req.url?.split('?')[0] ?? '';
    withRequest(() => {
      res.once('finish', () =>
        logger[res.statusCode >= 500 ? 'error' : 'info'](
          {
            port: name,
            method: req.method,
            path,
            status: res.statusCode,
            durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
          },
          'http',
        ),
      );
      void (async () => {
        try {
          if (req.method === 'GET' && path === '/healthz') {
            const h = await health(store, name, guard, {
              withinMs: HEALTH_WITHIN_MS,
              draining: draining(),
              onBroken: (chain) => logBroken(guard, logger, chain),
            });
            return sendJson(res, h.status, h.body);
          }
          // A broken audit trail: the store refuses every unit; the API and the bot answer a change with a
          // 503 once they know who asks (integrity.ts, changesRefused), never before: a stranger gets 401.
          for (const handle of handlers) if (await handle(req, res)) return;
          sendJson(res, 404, {
            type: 'about:blank',
            title: 'Not Found',
            status: 404,
            detail: `no route for ${req.method} ${path}`,
          });
        } catch (err) {
          const unavailable = err instanceof StoreUnavailableError;
          logger.error({ err, path }, unavailable ? 'the store did not answer' : 'the request failed');
          if (res.headersSent) res.end();
          // Reached only past a surface's own check of who asks: a read the guard stopped (trail broken).
          else if (err instanceof AuditTrailBrokenError)
            sendJson(res, 503, {
              type: 'about:blank',
              title: 'Service Unavailable',
              status: 503,
              code: 'AUDIT_TRAIL_BROKEN',
              detail: TRAIL_BROKEN_SENTENCE,
            });
          else if (unavailable)
            sendJson(
              res,
              503,
              {
                type: 'about:blank',
                title: 'Service Unavailable',
                status: 503,
                detail: 'the records could not be reached just now: try again shortly',
              },
              { 'retry-after': String(err.retryAfterSeconds) },
            );
          else
            sendJson(res, 500, {
              type: 'about:blank',
              title: 'Internal Server Error',
              status: 500,
              detail: (err as Error).message,
            });
        }
      })();
    }, reqId);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Every 503 this service answers carries `Retry-After` (issue 16 walk, finding 2): whichever surface wrote
 * it, a 503 that named no wait gets the default. Node writes implicit headers through `writeHead` too. */
const DEFAULT_RETRY_AFTER = '5';
function retryAfterOn503(res: ServerResponse): void {
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    const given = rest.find((r) => typeof r === 'object' && r !== null && !Array.isArray(r)) as
      Record<string, unknown> | undefined;
    const named =
      res.hasHeader('retry-after') || Object.keys(given ?? {}).some((k) => k.toLowerCase() === 'retry-after');
    if (status === 503 && !named) res.setHeader('retry-after', DEFAULT_RETRY_AFTER);
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}

/** The store with each unit logged: its key, what came of it and how long it took (never its records). */
function loggedStore(store: Store, logger: Logger): Store {
  const commit: Store['commit'] = async (unit) => {
    const began = performance.now();
    try {
      const r = await store.commit(unit);
      logger.info(
        {
          unit: unit.key,
          status: r.status,
          writes: unit.writes.length,
          events: unit.audit.length,
          durationMs: Math.round((performance.now() - began) * 10) / 10,
        },
        'unit',
      );
      return r;
    } catch (err) {
      logger.error(
        {
          unit: unit.key,
          err,
          durationMs: Math.round(performance.now() - began),
        },
        'unit failed',
      );
      throw err;
    }
  };
  return new Proxy(store, {
    get: (target, prop, receiver) => {
      if (prop === 'commit') return commit;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export interface StartOptions {
  /** Runs once the store is open and before anything listens (the production start sets up the first
   * administrator here); a throw stops the start. */
  prepare?: (deps: Deps, logger: Logger) => Promise<void>;
  /** `existing`: the audit signing key must already be there (the production start: made by `overt audit
   * keygen`, never by a start). Default: made when missing (the local demo). */
  auditKey?: 'create' | 'existing';
}

/** `sink`: where the JSON log lines go (default stdout). */
export async function start(
  env: NodeJS.ProcessEnv = process.env,
  sink?: (line: string) => void,
  options: StartOptions = {},
): Promise<Running> {
  const logger = sink ? createLogger({ write: (line: string) => sink(line.replace(/\n$/, '')) }) : log();
  const config = loadConfig(env);
  if (!config.ok) throw new Error(config.message);
  // Demo personas only when asked for, never beside real sign-in: decided (and logged) before anything opens.
  const signIn = signInMode(env === process.env ? env : { ...process.env, ...env });
  if (!signIn.ok) throw new Error(signIn.message);
  logger[signIn.mode === 'demo' ? 'warn' : 'info']({ auth: signIn.mode }, signIn.line);
  const profiles = loadCustomProfiles(config.value.OVERT_PROFILE_FILES);
  if (!profiles.ok) throw new Error(profiles.message);
  const profile = checkDefaultProfile(config.value, profiles.value);
  if (!profile.ok) throw new Error(profile.message);
  const opened = await openGuarded(
    { dataDir: config.value.OVERT_DATA, kind: config.value.OVERT_STORE },
    env,
    { create: options.auditKey !== 'existing' },
  );
  if (!opened.ok) throw new Error(opened.error.message);
  const { guard } = opened.value;
  // Every checkpoint signed is also a log line: the log, kept by the platform, is a witness the store's
  // administrators cannot cut (`overt audit verify --witness <saved log>`).
  guard.onCheckpoint = (c) =>
    logger.info({ auditCheckpoint: c }, `audit checkpoint signed: ${c.count} events`);
  const store = loggedStore(opened.value.store, logger);
  // The Graph breaker's opening and closing (graph-client.ts): one line each, not one per refused call.
  const onBreaker = (state: 'open' | 'closed', detail: string) =>
    logger[state === 'open' ? 'error' : 'info']({ graphBreaker: state }, detail);
  breakerEvents.on('change', onBreaker);
  sameGuard(store, opened.value.store);
  const surfaceEnv = env === process.env ? env : { ...process.env, ...env };
  logger.info(
    {
      store: config.value.OVERT_STORE,
      ...(config.value.OVERT_STORE === 'graph'
        ? {
            site: surfaceEnv.OVERT_GRAPH_SITE,
            graphUrl: surfaceEnv.OVERT_GRAPH_URL ?? 'https://graph.microsoft.com',
          }
        : { data: config.value.OVERT_DATA }),
      auth: {
        api: signIn.mode,
        bot: surfaceEnv.MicrosoftAppId ? 'Bot Framework (app id set)' : 'anonymous (local)',
      },
    },
    'starting',
  );
  const deps = createDeps(store, {
    customProfiles: profiles.value,
    settings: workflowSettings(config.value),
  });
  // Refusals before sign-in: one summary event per kind and window (refusals.ts), and its log line.
  const unsignedWindow = Number(surfaceEnv.OVERT_UNSIGNED_WINDOW_SECONDS);
  unsignedRefusals(deps, {
    log: (s) => logger.warn({ component: 'refusals' }, s),
    ...(Number.isFinite(unsignedWindow) && unsignedWindow > 0 ? { windowMs: unsignedWindow * 1000 } : {}),
  });
  // Which custom profiles this instance loaded, and whether the data folder agrees (profile-adoption.ts).
  if (profiles.value.length)
    logger.info(
      {
        customProfiles: profiles.value.map((p) => ({
          id: p.id,
          version: p.version,
          effectiveDate: p.effectiveDate,
          fingerprint: fingerprint(p),
        })),
      },
      `custom profiles loaded: ${profiles.value.map((p) => `${p.id} v${p.version}`).join(', ')}`,
    );
  const adoption = await adoptProfiles(deps);
  if (!adoption.ok) {
    await store.close();
    throw new Error(adoption.message);
  }
  if (adoption.adopted.length)
    logger.info({ adopted: adoption.adopted }, `adopted in this data folder: ${adoption.adopted.join(', ')}`);
  if (config.value.OVERT_DEMO === 'auto' && (await isEmpty(store))) {
    logger.info(`creating the fictional demo service in ${config.value.OVERT_DATA}`);
    const s = await seedDemo(store, deps);
    logger.info(
      { teams: s.teams, children: s.children, requests: s.requests, checks: s.checks, events: s.auditEvents },
      'demo service created',
    );
  }
  if (options.prepare) {
    try {
      await options.prepare(deps, logger);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const anchor = guard.anchor!.paths;
  logger.info(
    {
      key: anchor.keyFile,
      checkpoints: anchor.checkpointsFile,
      witnesses: anchor.witnessFiles,
      newKey: opened.value.anchorCreated,
    },
    opened.value.anchorCreated
      ? 'audit trail anchored outside the store, with a signing key made now (only the local demo’s start makes one; `npm run serve` and every command refuse without one, naming `overt audit keygen`)'
      : 'audit trail anchored outside the store',
  );
  const restored = (store as { restoredTriggers?: readonly string[] }).restoredTriggers ?? [];
  if (restored.length)
    logger.warn(
      { triggers: restored },
      `the audit trail's triggers were missing or altered and have been put back: ${restored.join(', ')}`,
    );
  const chain = await guard.verifyAll();
  if (!chain.ok)
    logger.warn(
      { seq: chain.seq, reason: chain.reason, problems: chain.problems },
      `the audit trail is broken${chain.seq === undefined ? '' : ` at event ${chain.seq}`}: ${chain.reason}; Overt will take no changes until it is restored`,
    );
  // A second instance anchoring the same store elsewhere (another checkpoints file, witness or key) is refused.
  const elsewhere = chain.ok ? await guard.sharedAnchor() : undefined;
  if (elsewhere) {
    logger.error({ checkpoints: anchor.checkpointsFile, witnesses: anchor.witnessFiles }, elsewhere);
    await store.close().catch(() => undefined);
    throw new Error(`Overt does not start: ${elsewhere}`);
  }
  // A change to the store by another connection (another instance, or someone editing the live file) is
  // checked within about a second, whether or not anyone asks /healthz; a break is logged once, as /healthz would.
  guard.watch((broken) => logBroken(guard, logger, broken));
  // The surfaces read their own settings: from the environment given, over the process's own.
  // The Graph client the bot's proactive installs use (made only if they are turned on).
  const graph = () => {
    const gc = graphConfig(surfaceEnv, {
      siteUrl: surfaceEnv.OVERT_GRAPH_SITE || 'https://directory.invalid/sites/none',
    });
    if (!gc.ok) throw new Error(gc.error.message);
    return clientFor(gc.value).client;
  };
  const surfaceDeps = { deps, config: config.value, env: surfaceEnv, logger, graph };
  const surfaces: Surface[] = [botSurface(surfaceDeps), apiSurface(surfaceDeps)];
  let draining = false;
  const timeouts = {
    requestMs: config.value.OVERT_REQUEST_TIMEOUT_SECONDS * 1000,
    headersMs: config.value.OVERT_HEADERS_TIMEOUT_SECONDS * 1000,
  };
  const host = config.value.OVERT_LISTEN_HOST;
  const bot = surfaces.flatMap((h) => h.bot ?? []);
  const tab = surfaces.flatMap((h) => h.tab ?? []);
  const on = (port: number, name: string, hs: Handler[]) =>
    listen(host, port, name, store, guard, hs, logger, () => draining, timeouts);
  // One port for both (App Service routes one port): the bot's /api/messages first, then the tab and API.
  const servers =
    config.value.BOT_PORT === config.value.TAB_PORT && config.value.BOT_PORT !== 0
      ? [await on(config.value.BOT_PORT, 'overt', [...bot, ...tab])]
      : [await on(config.value.BOT_PORT, 'bot', bot), await on(config.value.TAB_PORT, 'tab', tab)];
  const timers = await startTimers({
    deps,
    holder: `overt-${hostname()}-${process.pid}`,
    everyMs: config.value.OVERT_JOBS_EVERY * 1000,
    leaseMs: config.value.OVERT_TIMERS_LEASE * 1000,
    log: logger,
  });
  const port = (s: Server) => (s.address() as { port: number }).port;
  const local = ['0.0.0.0', '::', '::1', '127.0.0.1', 'localhost'].includes(host);
  const shown = local ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const [first, second = first] = servers.map(port);
  logger.info(
    { host, botPort: first, tabPort: second },
    servers.length === 1
      ? `Overt is running: http://${shown}:${first} (bot at /api/messages, tab and API); GET /healthz`
      : `Overt is running: http://${shown}:${first} (bot), http://${shown}:${second} (tab and API); GET /healthz on both`,
  );
  let stopping: Promise<void> | undefined;
  return {
    config: config.value,
    store,
    deps,
    servers,
    logger,
    stop: (withinMs = STOP_WITHIN_MS) =>
      (stopping ??= (async () => {
        const began = performance.now();
        draining = true;
        // No new connections; the calls under way (turns, units) finish; idle keep-alives are closed; the
        // timers and notices stop and let go of their leases.
        const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
        for (const s of servers) s.closeIdleConnections();
        const drained = (async () => {
          await timers.stop();
          for (const s of surfaces) await s.stop?.().catch(() => undefined);
          await flushUnsigned(deps).catch(() => undefined);
          await closed;
        })();
        // Whatever the store is doing (a Graph stall holds each call up to its timeout, and retries), the
        // drain has until its deadline; then the calls to the store under way are abandoned (they fail at
        // once, their callers answer 503), the connections closed, and the leases not let go run out.
        const inTime = await within(drained, Math.max(0, withinMs - ABANDON_MS));
        if (!inTime) {
          logger.warn(
            { afterMs: Math.round(performance.now() - began) },
            'stopping: the calls under way did not finish in time; those to the store are abandoned',
          );
          await store.abandon?.().catch(() => undefined);
          for (const s of servers) s.closeAllConnections();
          await within(drained, ABANDON_MS / 2);
        }
        const storeClosed = await within(
          store.close().then(
            () => true,
            () => false,
          ),
          Math.max(0, withinMs - (performance.now() - began)),
        );
        breakerEvents.off('change', onBreaker);
        logger.info(
          {
            durationMs: Math.round(performance.now() - began),
            drained: inTime,
            ...(storeClosed ? {} : { storeClosed: false }),
          },
          'stopped',
        );
      })()),
  };
}

/** How long a stop may take in all (within the platform's grace), and what of it is kept for abandoning
 * the calls still under way and closing the store. */
const STOP_WITHIN_MS = 7_500;
const ABANDON_MS = 1_500;

/** Whether `p` settled within `ms` (it goes on regardless). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** SIGTERM and SIGINT: drain, then exit 0, within `graceMs` whatever the store is doing (calls still under
 * way at the deadline are abandoned: see `stop`); only if even that hangs, exit 1 at the grace. */
export function exitOnSignals(running: Running, graceMs = 9000): void {
  const shutdown = (signal: string) => {
    running.logger.info({ signal, graceMs }, 'shutting down');
    const force = setTimeout(() => {
      running.logger.error({ graceMs }, 'did not stop in time: exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    void running.stop(Math.min(STOP_WITHIN_MS, graceMs - ABANDON_MS)).then(
      () => {
        running.logger.info({ signal, code: 0 }, 'exiting');
        process.exit(0);
      },
      (err: Error) => {
        running.logger.error({ err }, 'stopping failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  // Local debugging in Teams: the Agents Toolkit writes the bot's credentials to .localConfigs
  // (m365agents.local.yml); settings already in the environment win.
  if (existsSync('.localConfigs')) process.loadEnvFile('.localConfigs');
  start().then(exitOnSignals, (err: Error) => {
    log().fatal({ err }, 'could not start');
    process.exit(1);
  });
}
