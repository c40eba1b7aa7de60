/**
 * The bot's own look-ups: the member of staff an activity comes from (by the Entra id Teams sends) and
 * the options a request form offers. Everything else the bot shows is a workflow query
 * (src/workflow/queries).
 */
import { profileOptions } from '../policy/profile';
import type { Staff } from '../workflow/queries';
import type { Deps } from '../workflow';
import { staffById } from '../workflow/queries/people';
import { staffIdOf } from './identity';

/** The member of staff an activity comes from: found only by the Entra object id Teams sends
 * (`from.aadObjectId`), through the configured map; `from.id` is never used (any channel can claim one). Roles come from the store, never from a card. */
export async function staffOf(
  deps: Deps,
  from: { aadObjectId?: string },
  map: Readonly<Record<string, string>> = {},
): Promise<Staff | undefined> {
  if (!from.aadObjectId) return undefined;
  return staffById(deps, staffIdOf(from.aadObjectId, map));
}

/** The reasons and viewing methods a profile lists (policy/profile.ts: the workflow checks a request against them). */
export { profileOptions };
