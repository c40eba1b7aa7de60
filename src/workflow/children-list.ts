import { z } from 'zod';
import { actor } from './context';
import { Id, parse } from './input';
import { fail, ok, type Deps, type Outcome } from './types';

/** The children a member of staff may look up: their teams' children, or every child for a role that spans
 * teams. Names only (case reference, initials, team): opening a record is `childTimeline`, and is audited. */

export const ChildrenInput = z.object({ actorId: Id, teamId: Id.optional() });

export interface ChildRow {
  id: string;
  caseRef: string;
  displayName: string;
  teamId: string;
  openObjection: boolean;
  reminderDueAt: string | null;
  /** The caller is the child's case manager. */
  yours: boolean;
}

const SPANS = ['service-manager', 'information-governance', 'authorised-officer'];

export async function childrenList(
  deps: Deps,
  input: z.input<typeof ChildrenInput>,
): Promise<Outcome<ChildRow[]>> {
  const parsed = parse(ChildrenInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  const teams = SPANS.includes(staff.value.role) ? undefined : staff.value.teamIds;
  if (teams && !teams.length)
    return fail('FORBIDDEN', 'you work in no team, so no child is yours to look up');
  const teamId = parsed.value.teamId;
  if (teamId && teams && !teams.includes(teamId))
    return fail('FORBIDDEN', `teamId: ${teamId} is not your team`, 'teamId');
  const where = teamId ? { teamId } : teams ? { teamId: teams } : {};
  const rows = await deps.store.query('child', { where });
  return ok(
    rows
      .map(({ record: c }) => ({
        id: c.id,
        caseRef: c.caseRef,
        displayName: c.displayName,
        teamId: c.teamId,
        openObjection: Boolean(c.openObjectionId),
        reminderDueAt: c.reminderDueAt ?? null,
        yours: c.workerId === staff.value.id,
      }))
      .sort((a, b) => a.caseRef.localeCompare(b.caseRef)),
  );
}
