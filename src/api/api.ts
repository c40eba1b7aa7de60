import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTVerifyGetKey } from 'jose';
import type { Handler } from '../server/health';
import type { Deps } from '../workflow';
import { AuditProjection } from '../workflow/audit-projection';
import { authenticator } from './auth';
import type { AuthConfig } from './auth-config';
import { router, type Route } from './router';
import { adminRoutes } from './routes-admin';
import { organisationRoutes } from './routes-organisation';
import { childRoutes } from './routes-children';
import { serviceRoutes } from './routes-service';
import { ripaRoutes } from './routes-ripa';
import { viewRoutes } from './routes-views';
import { staticHandler } from './static';

/** The tab's HTTP handlers: the page and its bundle, then `/api/v1/…`. */
export const routes: Route[] = [
  ...childRoutes,
  ...serviceRoutes,
  ...adminRoutes,
  ...organisationRoutes,
  ...ripaRoutes,
];
// Who may use which view is read from this same table.
routes.push(...viewRoutes(() => routes));

export function createApi(
  deps: Deps,
  auth: AuthConfig,
  options: { keys?: JWTVerifyGetKey; log?: (s: string) => void } = {},
): { handlers: Handler[]; projection: AuditProjection } {
  const projection = new AuditProjection(deps.store, deps.profiles, {
    ...(options.log ? { log: options.log } : {}),
  });
  // Warm the dashboard's tallies in the background (from the store's checkpoint); every route that needs
  // the projection syncs again first.
  projection.syncTallies().catch((err: Error) => options.log?.(`audit projection: ${err.message}`));
  const api = router(routes, deps, projection, authenticator(auth, options.keys, options.log));
  const page = staticHandler(deps.store, auth.OVERT_DEMO_AUTH === 'on');
  return {
    projection,
    handlers: [(req: IncomingMessage, res: ServerResponse) => page(req, res), api],
  };
}
