import { onlyRoles } from '../vocabulary';
import { z } from 'zod';
import type { Objection, Staff } from '../store/records';
import { actor } from './context';
import { Id, parse } from './input';
import { fail, ok, type Deps, type Outcome } from './types';

/** Information governance's queue: objections not yet resolved, oldest first, and the latest resolved. */

export const ObjectionQueueInput = z.object({ actorId: Id });
const READERS: Staff['role'][] = ['information-governance', 'service-manager'];

export interface QueuedObjection extends Objection {
  caseRef: string;
  teamName: string;
}

export async function objectionQueue(
  deps: Deps,
  input: z.input<typeof ObjectionQueueInput>,
): Promise<Outcome<{ open: QueuedObjection[]; resolved: QueuedObjection[] }>> {
  const parsed = parse(ObjectionQueueInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  if (!READERS.includes(staff.value.role)) return fail('FORBIDDEN', onlyRoles(READERS));
  const [open, resolved, teams] = await Promise.all([
    deps.store.query('objection', {
      where: { status: ['open', 'with-ig', 'response-sent'] },
      orderBy: { field: 'raisedAt', dir: 'asc' },
    }),
    deps.store.query('objection', {
      where: { status: 'resolved' },
      orderBy: { field: 'raisedAt', dir: 'desc' },
      limit: 20,
    }),
    deps.store.query('team', {}),
  ]);
  const teamName = new Map(teams.map((t) => [t.record.id, t.record.name]));
  const withChild = async (xs: { record: Objection }[]) =>
    Promise.all(
      xs.map(async ({ record }) => ({
        ...record,
        caseRef: (await deps.store.get('child', record.childId))?.record.caseRef ?? record.childId,
        teamName: teamName.get(record.teamId) ?? record.teamId,
      })),
    );
  return ok({ open: await withChild(open), resolved: await withChild(resolved) });
}
