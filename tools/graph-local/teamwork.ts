// Teams apps in the tenant's catalog and their installation in users' personal scope, for a bot that installs
// itself for a person it has to reach (proactive installation):
//   GET  /appCatalogs/teamsApps?$filter=externalId eq '{manifest id}'            (appcatalogs-list-teamsapps.md)
//   GET  /users/{id}/teamwork/installedApps[?$expand=teamsApp,teamsAppDefinition][&$filter=teamsApp/externalId
//        eq '…' | teamsApp/id eq '…']                                           (userteamwork-list-installedapps.md)
//   POST /users/{id}/teamwork/installedApps {"teamsApp@odata.bind": "…/appCatalogs/teamsApps/{id}"} → 201, no
//        body                                                                    (userteamwork-post-installedapps.md)
//   GET  /users/{id}/teamwork/installedApps/{installation id}[/chat]   (userscopeteamsappinstallation-get-chat.md)
// Source read: the request and response shapes above (microsoftgraph/microsoft-graph-docs-contrib, v1.0). Chosen
// here [U]: an app already installed for the user → 409 `Conflict` (the Teams platform guide says a second
// install is a conflict; the body is ours); a user whose app setup policy blocks the app → 403 `Forbidden`;
// an unknown user → 404 `Request_ResourceNotFound` as the directory answers; an unknown catalog app → 404
// `NotFound`; any other `$filter` or `$expand` → 400, so a client depending on one not served here fails loudly.
import { z } from 'zod';
import type { Ctx, GraphRequest } from './context';
import { badRequest, fail, graphError, json, type GraphResponse } from './errors';

export const TeamworkSeed = z.object({
  /** The tenant's app catalog: `id` is the catalog id, `externalId` the manifest's id, `botId` its bot. */
  apps: z
    .array(
      z.object({
        id: z.string().min(1),
        externalId: z.string().min(1),
        displayName: z.string().min(1),
        botId: z.string().min(1),
        distributionMethod: z.enum(['organization', 'sideloaded', 'store']).default('organization'),
      }),
    )
    .default([]),
  /** User ids for whom the tenant's app permission policy does not allow the app (install → 403). */
  blockedUsers: z.array(z.string()).default([]),
  /** Installations by user id (filled by POST; may be seeded). */
  installs: z.record(z.string(), z.array(z.object({ id: z.string(), teamsAppId: z.string() }))).default({}),
});
export type TeamworkSeed = z.output<typeof TeamworkSeed>;

const TEAMWORK = /^\/users\/([^/]+)\/teamwork\/installedapps(?:\/([^/]+))?(?:\/([^/]+))?$/i;

export function isTeamworkPath(path: string): boolean {
  return /^\/appcatalogs\/teamsapps(\/|$)/i.test(path) || TEAMWORK.test(path);
}

const userNotFound = (id: string): GraphResponse =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

type App = TeamworkSeed['apps'][number];

const asApp = (a: App) => ({
  id: a.id,
  externalId: a.externalId,
  displayName: a.displayName,
  distributionMethod: a.distributionMethod,
});
const asDefinition = (a: App) => ({
  id: Buffer.from(`${a.id}##1.0.0`).toString('base64'),
  teamsAppId: a.id,
  displayName: a.displayName,
  version: '1.0.0',
  publishingState: 'published',
  bot: { id: a.botId },
});

/** The single equality a `$filter` may be here: `field eq 'value'`, field among `allowed`. */
function filterOf(req: GraphRequest, allowed: string[]): { field: string; value: string } | undefined {
  const raw = req.query.get('$filter');
  if (raw === null) return undefined;
  const m = /^\s*([\w/]+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(raw);
  const field = m?.[1]?.toLowerCase();
  const match = allowed.find((a) => a.toLowerCase() === field);
  if (!m || !match) fail(badRequest(`Invalid filter clause: '${raw}' is not supported.`));
  return { field: match, value: m[2]!.replace(/''/g, "'") };
}

function expandOf(req: GraphRequest): Set<string> {
  const raw = req.query.get('$expand');
  const out = new Set<string>();
  for (const part of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const known = ['teamsApp', 'teamsAppDefinition'].find((k) => k.toLowerCase() === part.toLowerCase());
    if (!known)
      fail(
        badRequest(
          `Could not find a property named '${part}' on type 'microsoft.graph.teamsAppInstallation'.`,
        ),
      );
    out.add(known);
  }
  return out;
}

/** Failures are thrown as `GraphFailure` (errors.ts#fail) for the router to answer. */
export function teamworkRoute(ctx: Ctx, req: GraphRequest): GraphResponse {
  const tw = (ctx.state.teamwork ??= TeamworkSeed.parse({}));
  const seg = req.path.split('/').filter(Boolean);
  if (seg[0]?.toLowerCase() === 'appcatalogs') {
    if (req.method !== 'GET') return graphError(405, 'BadRequest', `${req.method} is not supported here.`);
    if (seg.length === 2) {
      const f = filterOf(req, ['externalId', 'id', 'displayName', 'distributionMethod']);
      const apps = tw.apps.filter((a) => !f || String(a[f.field as keyof App]) === f.value);
      return json(200, { value: apps.map(asApp) });
    }
    const app = tw.apps.find((a) => a.id === seg[2]);
    return app && seg.length === 3 ? json(200, asApp(app)) : graphError(404, 'NotFound', 'App not found.');
  }
  const m = TEAMWORK.exec(req.path)!;
  const userKey = decodeURIComponent(m[1]!);
  const user = (ctx.state.directory?.users ?? []).find(
    (u) =>
      u.id.toLowerCase() === userKey.toLowerCase() ||
      u.userPrincipalName.toLowerCase() === userKey.toLowerCase(),
  );
  if (!user) return userNotFound(userKey);
  const installs = (tw.installs[user.id] ??= []);
  const [, , installationId, sub] = m;
  const view = (i: { id: string; teamsAppId: string }, expand: Set<string>) => {
    const app = tw.apps.find((a) => a.id === i.teamsAppId)!;
    return {
      id: i.id,
      ...(expand.has('teamsApp') ? { teamsApp: asApp(app) } : {}),
      ...(expand.has('teamsAppDefinition') ? { teamsAppDefinition: asDefinition(app) } : {}),
    };
  };
  if (installationId === undefined) {
    if (req.method === 'GET') {
      const expand = expandOf(req);
      const f = filterOf(req, ['teamsApp/externalId', 'teamsApp/id']);
      const found = installs.filter((i) => {
        if (!f) return true;
        const app = tw.apps.find((a) => a.id === i.teamsAppId)!;
        return (f.field === 'teamsApp/id' ? app.id : app.externalId) === f.value;
      });
      return json(200, { value: found.map((i) => view(i, expand)) });
    }
    if (req.method === 'POST') {
      const body = z
        .object({ 'teamsApp@odata.bind': z.string() })
        .safeParse(typeof req.body === 'object' && req.body !== null ? req.body : {});
      if (!body.success)
        return badRequest("The request body must bind the app to install: 'teamsApp@odata.bind'.");
      const bound = /\/appCatalogs\/teamsApps\/([^/?#]+)$/i.exec(body.data['teamsApp@odata.bind']);
      if (!bound) return badRequest(`Invalid odata.bind URL: '${body.data['teamsApp@odata.bind']}'.`);
      const app = tw.apps.find((a) => a.id === decodeURIComponent(bound[1]!));
      if (!app) return graphError(404, 'NotFound', 'The app was not found in the app catalog.');
      if (tw.blockedUsers.includes(user.id))
        return graphError(
          403,
          'Forbidden',
          'The app is blocked for this user by the tenant’s app permission policy.',
        );
      if (installs.some((i) => i.teamsAppId === app.id))
        return graphError(409, 'Conflict', 'The app is already installed for this user.');
      installs.push({ id: Buffer.from(`${user.id}##${app.id}`).toString('base64'), teamsAppId: app.id });
      return { status: 201, headers: {} };
    }
    return graphError(405, 'BadRequest', `${req.method} is not supported here.`);
  }
  const install = installs.find((i) => i.id === decodeURIComponent(installationId));
  if (!install) return graphError(404, 'NotFound', 'The app installation was not found.');
  if (req.method !== 'GET') return graphError(405, 'BadRequest', `${req.method} is not supported here.`);
  if (sub === undefined) return json(200, view(install, expandOf(req)));
  if (sub.toLowerCase() !== 'chat') return badRequest(`Resource not found for the segment '${sub}'.`);
  const app = tw.apps.find((a) => a.id === install.teamsAppId)!;
  return json(200, {
    '@odata.context': `${ctx.baseUrl}/$metadata#chats/$entity`,
    id: `19:${user.id}_${app.botId}@unq.gbl.spaces`,
    chatType: 'oneOnOne',
  });
}
