import type { Surface, SurfaceDeps } from '../server/surface';
import { createApi } from './api';
import { loadAuthConfig } from './auth-config';

/**
 * The tab and its API on the service's tab port (53000): `src/server/main.ts` builds it with the service's
 * deps. The auth settings come from the environment the service was started with (OVERT_AUTH_*,
 * OVERT_DEMO_AUTH).
 */
export const apiSurface = ({ deps, env, logger }: SurfaceDeps): Surface => ({
  tab: createApi(deps, loadAuthConfig(env), { log: (s) => logger.warn({ component: 'api' }, s) }).handlers,
});
