// Entra ID users and groups, for `overt staff` and the first administrator: GET /users[/{id | userPrincipalName}],
// GET /groups[/{id}], GET /groups/{id}/members and /transitiveMembers (optionally cast to microsoft.graph.user).
// Shapes from Learn "Get user", "Get group", "List group members", "List group transitive members" and "Limited
// information returned for inaccessible member objects" (user-get.md, group-get.md, group-list-members.md,
// group-list-transitivemembers.md, permissions-overview.md):
//   - the app's application permissions are checked as Graph checks the token's roles: /users needs
//     User.ReadBasic.All, User.Read.All or Directory.Read.All (or a ReadWrite one), else 403
//     Authorization_RequestDenied; /groups and their members need GroupMember.Read.All, Group.Read.All or
//     Directory.Read.All; a member the app may not read (a user without a User.* or Directory.* permission) is
//     returned with only @odata.type and id [U: the page names devices; users read as the same rule];
//   - 404 Request_ResourceNotFound for an unknown user or group; a group id that is not a GUID → 400
//     Request_BadRequest "Invalid object identifier";
//   - $select of a property the type does not have → 400; $top between 1 and 999 (default page 100 [U]), more
//     through @odata.nextLink with an opaque $skiptoken.
import { z } from 'zod';
import type { Ctx, GraphRequest } from './context';
import { graphError, json, type GraphResponse } from './errors';

/** What Overt's Graph app registration asks for (README, "Running it for your council"). */
export const DEFAULT_APP_PERMISSIONS = ['Sites.Selected', 'User.Read.All', 'GroupMember.Read.All'];

const READ_USERS = [
  'User.ReadBasic.All',
  'User.Read.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const READ_GROUPS = [
  'GroupMember.Read.All',
  'GroupMember.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_PROPERTIES = [
  'id',
  'displayName',
  'mail',
  'userPrincipalName',
  'givenName',
  'surname',
  'jobTitle',
  'accountEnabled',
];
const GROUP_PROPERTIES = ['id', 'displayName', 'description', 'mail', 'mailEnabled', 'securityEnabled'];
const DEFAULT_PAGE = 100;
const MAX_PAGE = 999;

export const DirectorySeed = z.object({
  users: z
    .array(
      z.object({
        id: z.string().min(1),
        displayName: z.string().min(1),
        mail: z.string().nullable().optional(),
        userPrincipalName: z.string().min(1),
      }),
    )
    .default([]),
  groups: z
    .array(
      z.object({
        id: z.string().min(1),
        displayName: z.string().min(1),
        /** Object ids of users or groups. */
        members: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});
export type DirectorySeed = z.output<typeof DirectorySeed>;
type User = DirectorySeed['users'][number];
type Group = DirectorySeed['groups'][number];

const notFound = (id: string): GraphResponse =>
  graphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
const denied = (): GraphResponse =>
  graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
const bad = (message: string): GraphResponse => graphError(400, 'Request_BadRequest', message);

class Refused extends Error {
  constructor(readonly response: GraphResponse) {
    super('refused');
  }
}

/** The $select fields, each one the type has (else 400, as Graph parses $select before anything). */
function selected(req: GraphRequest, type: 'user' | 'group'): string[] | undefined {
  const fields = req.query
    .get('$select')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (!fields) return undefined;
  // A member list may be of either type: a property of either is accepted there.
  const known = type === 'user' ? USER_PROPERTIES : [...GROUP_PROPERTIES, ...USER_PROPERTIES];
  for (const f of fields)
    if (!known.includes(f))
      throw new Refused(
        bad(
          `Parsing OData Select and Expand failed: Could not find a property named '${f}' on type 'microsoft.graph.${type === 'user' ? 'user' : 'directoryObject'}'.`,
        ),
      );
  return fields;
}

function pick(o: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields) return o;
  return Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith('@') || fields.includes(k)));
}

const asUser = (u: User) => ({
  '@odata.type': '#microsoft.graph.user',
  id: u.id,
  displayName: u.displayName,
  mail: u.mail ?? null,
  userPrincipalName: u.userPrincipalName,
});
const asGroup = (g: Group) => ({
  '@odata.type': '#microsoft.graph.group',
  id: g.id,
  displayName: g.displayName,
});

/** One page of a collection: $top (1..999, default 100) and an opaque $skiptoken for the next. */
function page(ctx: Ctx, req: GraphRequest, all: Record<string, unknown>[]): GraphResponse {
  const topText = req.query.get('$top');
  const top = topText === null ? DEFAULT_PAGE : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE)
    return bad(`Invalid page size specified: '${topText}'. Must be between 1 and ${MAX_PAGE} inclusive.`);
  const token = req.query.get('$skiptoken');
  let from = 0;
  if (token !== null) {
    const m = /^dir:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
    if (!m) return bad('Invalid $skiptoken.');
    from = Number(m[1]);
  }
  const body: Record<string, unknown> = { value: all.slice(from, from + top) };
  if (from + top < all.length) {
    // As Graph writes it: the query's own options kept, `$` not escaped.
    const parts = [...req.query]
      .filter(([k]) => k !== '$skiptoken')
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    parts.push(`$skiptoken=${Buffer.from(`dir:${from + top}`).toString('base64url')}`);
    body['@odata.nextLink'] = `${ctx.baseUrl}${req.path}?${parts.join('&')}`;
  }
  return json(200, body);
}

export function isDirectoryPath(path: string): boolean {
  return /^\/(users|groups)(\/|$)/i.test(path);
}

export function directoryRoute(ctx: Ctx, req: GraphRequest): GraphResponse {
  try {
    return answer(ctx, req);
  } catch (e) {
    if (e instanceof Refused) return e.response;
    throw e;
  }
}

function answer(ctx: Ctx, req: GraphRequest): GraphResponse {
  const dir = ctx.state.directory ?? { users: [], groups: [] };
  const roles = ctx.settings.appPermissions;
  const mayReadUsers = READ_USERS.some((p) => roles.includes(p));
  const mayReadGroups = READ_GROUPS.some((p) => roles.includes(p));
  if (req.method !== 'GET') return graphError(405, 'BadRequest', `${req.method} is not supported here.`);
  const seg = req.path.split('/').filter(Boolean);
  const findUser = (key: string) =>
    dir.users.find(
      (u) =>
        u.id.toLowerCase() === key.toLowerCase() || u.userPrincipalName.toLowerCase() === key.toLowerCase(),
    );
  const findGroup = (key: string) => dir.groups.find((g) => g.id.toLowerCase() === key.toLowerCase());
  if (seg[0]!.toLowerCase() === 'users') {
    if (!mayReadUsers) return denied();
    const fields = selected(req, 'user');
    if (seg.length === 1)
      return page(
        ctx,
        req,
        dir.users.map((u) => pick(asUser(u), fields)),
      );
    const user = findUser(seg[1]!);
    if (!user || seg.length > 2) return notFound(seg[1]!);
    return json(200, pick(asUser(user), fields));
  }
  if (!mayReadGroups) return denied();
  if (seg.length === 1)
    return page(
      ctx,
      req,
      dir.groups.map((g) => pick(asGroup(g), selected(req, 'group'))),
    );
  if (!GUID.test(seg[1]!)) return bad(`Invalid object identifier '${seg[1]}'.`);
  const group = findGroup(seg[1]!);
  if (!group) return notFound(seg[1]!);
  if (seg.length === 2) return json(200, pick(asGroup(group), selected(req, 'group')));
  const which = seg[2]?.toLowerCase();
  if (which !== 'members' && which !== 'transitivemembers') return notFound(seg[2]!);
  const cast = seg[3]?.toLowerCase();
  if (cast !== undefined && cast !== 'microsoft.graph.user' && cast !== 'microsoft.graph.group')
    return bad(`Resource not found for the segment '${seg[3]}'.`);
  const fields = selected(req, cast === 'microsoft.graph.user' ? 'user' : 'group');
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const walk = (g: Group, deep: boolean) => {
    for (const id of g.members) {
      if (seen.has(id)) continue;
      seen.add(id);
      const u = findUser(id);
      if (u && cast !== 'microsoft.graph.group')
        // A member the app may not read comes back with only its type and id.
        out.push(
          mayReadUsers ? pick(asUser(u), fields) : { '@odata.type': '#microsoft.graph.user', id: u.id },
        );
      const inner = findGroup(id);
      if (inner) {
        if (cast !== 'microsoft.graph.user') out.push(pick(asGroup(inner), fields));
        if (deep) walk(inner, true);
      }
    }
  };
  walk(group, which === 'transitivemembers');
  return page(ctx, req, out);
}
