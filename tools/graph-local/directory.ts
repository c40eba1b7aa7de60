// Entra ID users and groups, for `overt staff` and the first administrator: GET /users/{id | userPrincipalName},
// GET /groups/{id}, GET /groups/{id}/members and /transitiveMembers (optionally cast to microsoft.graph.user).
// Shapes from Learn "Get user", "Get group", "List group transitive members" (user-get.md, group-get.md,
// group-list-transitivemembers.md): 404 Request_ResourceNotFound for an unknown id. $select is honoured for
// the fields kept here; paging is not needed for the sizes a test uses (all members on one page) [U].
import { z } from 'zod';
import type { Ctx, GraphRequest } from './context';
import { graphError, json, type GraphResponse } from './errors';

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

function select(req: GraphRequest, o: Record<string, unknown>): Record<string, unknown> {
  const fields = req.query
    .get('$select')
    ?.split(',')
    .map((f) => f.trim());
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

export function isDirectoryPath(path: string): boolean {
  return /^\/(users|groups)(\/|$)/i.test(path);
}

export function directoryRoute(ctx: Ctx, req: GraphRequest): GraphResponse {
  const dir = ctx.state.directory ?? { users: [], groups: [] };
  if (req.method !== 'GET') return graphError(405, 'BadRequest', `${req.method} is not supported here.`);
  const seg = req.path.split('/').filter(Boolean);
  const findUser = (key: string) =>
    dir.users.find(
      (u) =>
        u.id.toLowerCase() === key.toLowerCase() || u.userPrincipalName.toLowerCase() === key.toLowerCase(),
    );
  const findGroup = (key: string) => dir.groups.find((g) => g.id.toLowerCase() === key.toLowerCase());
  if (seg[0] === 'users') {
    if (seg.length === 1) return json(200, { value: dir.users.map((u) => select(req, asUser(u))) });
    const user = findUser(seg[1]!);
    if (!user || seg.length > 2) return notFound(seg[1]!);
    return json(200, select(req, asUser(user)));
  }
  const group = seg[1] ? findGroup(seg[1]) : undefined;
  if (seg.length === 1) return json(200, { value: dir.groups.map((g) => select(req, asGroup(g))) });
  if (!group) return notFound(seg[1]!);
  if (seg.length === 2) return json(200, select(req, asGroup(group)));
  const which = seg[2]?.toLowerCase();
  if (which !== 'members' && which !== 'transitivemembers') return notFound(seg[2]!);
  const usersOnly = seg[3]?.toLowerCase() === 'microsoft.graph.user';
  const out: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  const walk = (g: Group, deep: boolean) => {
    for (const id of g.members) {
      if (seen.has(id)) continue;
      seen.add(id);
      const u = findUser(id);
      if (u) out.push(select(req, asUser(u)));
      const inner = findGroup(id);
      if (inner) {
        if (!usersOnly) out.push(select(req, asGroup(inner)));
        if (deep) walk(inner, true);
      }
    }
  };
  walk(group, which === 'transitivemembers');
  return json(200, { value: out });
}
