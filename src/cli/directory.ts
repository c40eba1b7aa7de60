import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { directoryConfig, type GraphOverrides } from '../store/graph/config';
import { clientFor } from '../store/graph/connect';

/**
 * Entra ID users and groups, read through Microsoft Graph, so that a member of staff in Overt is a real
 * account: the staff id is the user's Entra object id (what Teams puts in `from.aadObjectId` and in the SSO
 * token's `oid`). The same app registration and settings as the SharePoint store (OVERT_TENANT_ID,
 * OVERT_CLIENT_ID, OVERT_CLIENT_SECRET or OVERT_CLIENT_CERTIFICATE_PATH; OVERT_GRAPH_URL and
 * OVERT_GRAPH_CA_FILE for the local server); it needs the User.Read.All and GroupMember.Read.All
 * application permissions.
 */

export const DirectoryUser = z.object({
  id: z.string().min(1),
  displayName: z.string().min(1),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});
export type DirectoryUser = z.infer<typeof DirectoryUser>;

const Page = z.object({
  value: z.array(z.looseObject({ '@odata.type': z.string().optional() })),
  '@odata.nextLink': z.string().optional(),
});

const SELECT = '$select=id,displayName,mail,userPrincipalName';

export type Found<T> = { ok: true; value: T } | { ok: false; message: string };

export interface Directory {
  /** A user by object id or user principal name. */
  user(idOrUpn: string): Promise<Found<DirectoryUser>>;
  /** The users in a group, its nested groups' users included. */
  groupUsers(groupId: string): Promise<Found<{ name: string; users: DirectoryUser[] }>>;
}

function graphError(err: unknown): { status: number; message: string } {
  const e = err as { statusCode?: number; code?: string; message?: string };
  return { status: e.statusCode ?? 0, message: `${e.code ?? 'error'}: ${e.message ?? String(err)}` };
}

function explain(what: string, err: unknown): string {
  const { status, message } = graphError(err);
  if (status === 404) return `${what}: no such account in Entra ID`;
  if (status === 400 && /Invalid object identifier/i.test(message))
    return `${what}: not an object id; give the group's object id (a GUID, as Entra ID shows it)`;
  if (status === 403)
    return `${what}: Graph refused (${message}); the app registration needs the User.Read.All and GroupMember.Read.All application permissions, with admin consent`;
  return `${what}: ${message}`;
}

export function directoryOver(client: Client): Directory {
  return {
    async user(idOrUpn) {
      try {
        const body: unknown = await client.api(`/users/${encodeURIComponent(idOrUpn)}?${SELECT}`).get();
        const user = DirectoryUser.safeParse(body);
        if (!user.success) return { ok: false, message: `${idOrUpn}: Graph answered with no user` };
        return { ok: true, value: user.data };
      } catch (err) {
        return { ok: false, message: explain(`user ${idOrUpn}`, err) };
      }
    },
    async groupUsers(groupId) {
      try {
        const group = z
          .object({ displayName: z.string() })
          .parse(await client.api(`/groups/${encodeURIComponent(groupId)}?$select=id,displayName`).get());
        const users: DirectoryUser[] = [];
        let next: string | undefined =
          `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?${SELECT}&$top=999`;
        while (next) {
          const page = Page.parse(await client.api(next).get());
          for (const m of page.value) {
            const u = DirectoryUser.safeParse(m);
            // A member Graph gives with only its id is one the app may not read: never dropped silently.
            if (!u.success)
              return {
                ok: false,
                message: `group ${groupId}: Graph gave its members without their names; the app registration needs the User.Read.All application permission, with admin consent`,
              };
            users.push(u.data);
          }
          next = page['@odata.nextLink'];
        }
        return { ok: true, value: { name: group.displayName, users } };
      } catch (err) {
        return { ok: false, message: explain(`group ${groupId}`, err) };
      }
    },
  };
}

/** The directory through the configured Graph app registration; a missing setting is named. */
export function openDirectory(
  env: NodeJS.ProcessEnv = process.env,
  over: Omit<GraphOverrides, 'siteUrl'> = {},
): Found<Directory> {
  const config = directoryConfig(env, over);
  if (!config.ok) return { ok: false, message: config.error.message };
  return { ok: true, value: directoryOver(clientFor(config.value).client) };
}

/** The email Overt keeps for a user: their mail, else their sign-in name when it is an address. */
export function emailOf(u: DirectoryUser): string | undefined {
  const candidate = u.mail ?? u.userPrincipalName ?? undefined;
  return candidate && z.email().safeParse(candidate).success ? candidate : undefined;
}
