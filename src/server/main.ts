import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { isEmpty, seedDemo } from '../cli/service';
import { signInMode } from '../api/auth-config';
import { loadConfig, loadCustomProfiles, workflowSettings, type Config } from '../config';
import { openStore } from '../store/open';
import type { Store } from '../store/store';
import { createDeps, runJobs, type Deps } from '../workflow';
import type { VerifyResult } from '../store/audit';
import { health, sendJson, type Handler } from './health';
import '../bot/surface';
import '../api/surface';

/**
 * `npm start`: the whole service on this machine — the store (SQLite in ./.data by default, with the
 * fictional demo service created when the folder is empty), the timers, and the HTTP endpoints: the bot on
 * :3978 and the tab and its API on :53000. Each surface adds its handlers to `surfaces`.
 */
export interface Running {
  config: Config;
  store: Store;
  deps: Deps;
  servers: Server[];
  stop: () => Promise<void>;
}

/** A Teams surface: its HTTP handlers, given the workflow, the parsed settings and the environment the
 * service was started with (each surface parses its own settings from it). */
export type Surface = (
  deps: Deps,
  config: Config,
  env: NodeJS.ProcessEnv,
) => { bot?: Handler[]; tab?: Handler[] };
export const surfaces: Surface[] = [];

function listen(
  port: number,
  name: string,
  store: Store,
  chain: VerifyResult,
  handlers: Handler[],
): Promise<Server> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
          const h = await health(store, name, chain);
          return sendJson(res, h.status, h.body);
        }
        for (const handle of handlers) if (await handle(req, res)) return;
        sendJson(res, 404, {
          type: 'about:blank',
          title: 'Not Found',
          status: 404,
          detail: `no route for ${req.method} ${req.url}`,
        });
      } catch (err) {
        if (!res.headersSent)
          sendJson(res, 500, {
            type: 'about:blank',
            title: 'Internal Server Error',
            status: 500,
            detail: (err as Error).message,
          });
        else res.end();
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}

export async function start(
  env: NodeJS.ProcessEnv = process.env,
  log: (s: string) => void = console.log,
): Promise<Running> {
  const config = loadConfig(env);
  if (!config.ok) throw new Error(config.message);
  // Demo personas only when asked for, never beside real sign-in: decided (and logged) before anything opens.
  const signIn = signInMode(env === process.env ? env : { ...process.env, ...env });
  if (!signIn.ok) throw new Error(signIn.message);
  log(signIn.line);
  const profiles = loadCustomProfiles(config.value.OVERT_PROFILE_FILES);
  if (!profiles.ok) throw new Error(profiles.message);
  const opened = await openStore({ dataDir: config.value.OVERT_DATA, kind: config.value.OVERT_STORE }, env);
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  const deps = createDeps(store, {
    customProfiles: profiles.value,
    settings: workflowSettings(config.value),
  });
  if (config.value.OVERT_DEMO === 'auto' && (await isEmpty(store))) {
    log(`creating the fictional demo service in ${config.value.OVERT_DATA} …`);
    const s = await seedDemo(store, deps);
    log(
      `demo service: ${s.teams} teams, ${s.children} children, ${s.requests} requests, ${s.checks} checks, ${s.auditEvents} audit events`,
    );
  }
  const chain = await store.audit.verify();
  if (!chain.ok) log(`WARNING: the audit chain is broken at event ${chain.seq}: ${chain.reason}`);
  // The surfaces read their own settings: from the environment given, over the process's own.
  const surfaceEnv = env === process.env ? env : { ...process.env, ...env };
  const handlers = surfaces.map((s) => s(deps, config.value, surfaceEnv));
  const servers = [
    await listen(
      config.value.BOT_PORT,
      'bot',
      store,
      chain,
      handlers.flatMap((h) => h.bot ?? []),
    ),
    await listen(
      config.value.TAB_PORT,
      'tab',
      store,
      chain,
      handlers.flatMap((h) => h.tab ?? []),
    ),
  ];
  const holder = `overt-${process.pid}`;
  const tick = async () => {
    try {
      const r = await runJobs(deps, holder);
      if (r.ran && (r.expired || r.notices.length))
        log(`timers: ${r.expired} expired, ${r.notices.length} notices`);
    } catch (err) {
      log(`timers failed: ${(err as Error).message}`);
    }
  };
  await tick();
  const timer = setInterval(() => void tick(), config.value.OVERT_JOBS_EVERY * 1000);
  const port = (s: Server) => (s.address() as { port: number }).port;
  log(
    `Overt is running: http://localhost:${port(servers[0]!)} (bot), http://localhost:${port(servers[1]!)} (tab and API); GET /healthz on both`,
  );
  return {
    config: config.value,
    store,
    deps,
    servers,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      await store.close();
    },
  };
}

if (require.main === module) {
  // Local debugging in Teams: the Agents Toolkit writes the bot's credentials to .localConfigs
  // (m365agents.local.yml); settings already in the environment win.
  if (existsSync('.localConfigs')) process.loadEnvFile('.localConfigs');
  start().then(
    (running) => {
      const shutdown = () => void running.stop().then(() => process.exit(0));
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    },
    (err: Error) => {
      console.error(`overt: ${err.message}`);
      process.exit(1);
    },
  );
}
