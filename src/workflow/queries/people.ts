/**
 * Who is who: the look-ups of staff (and a team's name) the bot and the workflow share. Reads only.
 */
import type { Request, Staff } from '../../store/records';
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

/** Who may be named on a record-the-check form: the team's managers (000 §17: keeping other people's
 * information needs a team manager's authorisation), and — when the request's route is the team manager with
 * social media responsibility viewing on the case manager's behalf (000 §13) — the managers who hold that
 * responsibility, by name. */
export type CheckPeople = {
  authorisers: { id: string; name: string }[];
  /** Present only on that route: who may have viewed. */
  viewers?: { id: string; name: string }[];
};

export async function checkPeople(
  deps: Deps,
  request: Pick<Request, 'teamId' | 'viewer'>,
): Promise<CheckPeople> {
  const managers = (await deps.store.query('staff', { where: { role: 'team-manager' } }))
    .map((s) => s.record)
    .filter((s) => s.teamIds.includes(request.teamId))
    .sort((a, b) => a.name.localeCompare(b.name));
  const pick = (s: Staff) => ({ id: s.id, name: s.name });
  return {
    authorisers: managers.map(pick),
    ...(request.viewer === 'social-media-responsible-manager'
      ? { viewers: managers.filter((s) => s.socialMediaResponsibility === true).map(pick) }
      : {}),
  };
}

/** Whether this person may record the check of a request: whoever asked, or — on the route where the team
 * manager with social media responsibility views on the case manager's behalf (000 §13) — that manager. */
export function mayRecordCheck(
  staff: Staff,
  request: Pick<Request, 'requesterId' | 'viewerId' | 'viewer' | 'teamId'>,
): boolean {
  return (
    staff.id === request.requesterId ||
    staff.id === request.viewerId ||
    (request.viewer === 'social-media-responsible-manager' && isResponsibleManager(staff, request.teamId))
  );
}

/** A team manager of the team who holds social media responsibility (000 §13). */
export const isResponsibleManager = (s: Staff, teamId: string): boolean =>
  s.role === 'team-manager' && s.socialMediaResponsibility === true && s.teamIds.includes(teamId);
