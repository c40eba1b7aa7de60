/**
 * Who is who: the look-ups of staff (and a team's name) the bot and the workflow share. Reads only.
 */
import type { Staff } from '../../store/records';
import type { Deps } from '../types';

/** A member of staff by id. */
export async function staffById(deps: Deps, id: string): Promise<Staff | undefined> {
  return (await deps.store.get('staff', id))?.record;
}

export const nameOf = async (deps: Deps, id: string | undefined): Promise<string> =>
  id ? ((await deps.store.get('staff', id))?.record.name ?? id) : 'someone';

/** The ids of the staff who hold a role (information governance, told of every objection; the service
 * managers, told when nobody could be reached). */
export async function staffWithRole(deps: Deps, role: Staff['role']): Promise<string[]> {
  return (await deps.store.query('staff', { where: { role } })).map((s) => s.record.id);
}

/** A team's name, else the words given. */
export async function teamNameOf(deps: Deps, teamId: string, otherwise: string): Promise<string> {
  return (await deps.store.get('team', teamId))?.record.name ?? otherwise;
}
