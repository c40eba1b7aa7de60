import * as server from '../server/main';
import { createApi } from './api';
import { loadAuthConfig } from './auth-config';

/**
 * Registers the tab and its API with `npm start` (src/server/main.ts imports this module). The auth settings
 * come from the environment the service was started with (OVERT_AUTH_*, OVERT_DEMO_AUTH).
 */
export const tabSurface: server.Surface = (deps, _config, env, logger) => ({
  tab: createApi(deps, loadAuthConfig(env), { log: (s) => logger.warn({ component: 'api' }, s) }).handlers,
});

// main.ts and this module import each other: register once both have finished loading.
queueMicrotask(() => {
  if (!server.surfaces.includes(tabSurface)) server.surfaces.push(tabSurface);
});
