import { bootstrapAdministrator, type Deps } from '../workflow';
import { emailOf, openDirectory, type Directory } from './directory';

export const FIRST_ADMIN_HELP =
  'OVERT_FIRST_ADMIN: not set, and Overt has no staff yet: the Entra user (sign-in name or object id) who is to be the first administrator';

/**
 * The first administrator, from OVERT_FIRST_ADMIN (an Entra user's sign-in name or object id, looked up in
 * the directory): created only while Overt has no staff at all, and audited (`staff.bootstrap`).
 * Returns what was done, or throws naming the setting.
 */
export async function firstAdministrator(
  deps: Deps,
  env: NodeJS.ProcessEnv,
  directory?: Directory,
): Promise<string> {
  const staff = (await deps.store.count('staff'))[0]?.count ?? 0;
  if (staff > 0) return `${staff} staff already set up`;
  const who = (env.OVERT_FIRST_ADMIN ?? '').trim();
  if (!who) throw new Error(FIRST_ADMIN_HELP);
  let dir = directory;
  if (!dir) {
    const opened = openDirectory(env);
    if (!opened.ok)
      throw new Error(`OVERT_FIRST_ADMIN: cannot look ${who} up in Entra ID: ${opened.message}`);
    dir = opened.value;
  }
  const user = await dir.user(who);
  if (!user.ok) throw new Error(`OVERT_FIRST_ADMIN: ${user.message}`);
  const email = emailOf(user.value);
  const made = await bootstrapAdministrator(deps, {
    id: user.value.id,
    name: user.value.displayName,
    ...(email ? { email } : {}),
  });
  if (!made.ok) throw new Error(`OVERT_FIRST_ADMIN: ${made.error.message}`);
  return `first administrator: ${made.value.name}`;
}
