import { DEFAULT_TIME_ZONE } from '../policy/profile';
import type { Deps } from './types';

/** The time zone a team's dates are read and shown in: its profile's (issue 15, one time zone). */
export async function teamZone(deps: Deps, teamId: string | undefined): Promise<string> {
  const team = teamId ? (await deps.store.get('team', teamId))?.record : undefined;
  return (team && deps.profiles(team.profileId)?.timeZone) ?? DEFAULT_TIME_ZONE;
}

/** The time zone of the team a child belongs to. */
export async function childZone(deps: Deps, childId: string): Promise<string> {
  return teamZone(deps, (await deps.store.get('child', childId))?.record.teamId);
}

/** A person's time zone: their first team's profile's, else the service's default profile's. */
export async function staffZone(deps: Deps, teamIds: readonly string[]): Promise<string> {
  if (teamIds[0]) return teamZone(deps, teamIds[0]);
  return deps.profiles(deps.settings.defaultProfileId)?.timeZone ?? DEFAULT_TIME_ZONE;
}
