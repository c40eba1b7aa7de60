import { z } from 'zod';
import type { Request } from '../store/records';
import { actor } from './context';
import { Id, parse } from './input';
import { ok, type Deps, type Outcome } from './types';

/** The caller's own requests, newest first, with the child's case reference: where each one stands. */

export const MyRequestsInput = z.object({
  actorId: Id,
  limit: z.number().int().min(1).max(500).default(100),
});

export interface MyRequest extends Pick<
  Request,
  'id' | 'childId' | 'status' | 'reason' | 'authority' | 'createdAt' | 'updatedAt'
> {
  caseRef: string;
  platforms: string[];
  /** Who decided it, by name (null before a decision). */
  deciderName: string | null;
}

export async function myRequests(
  deps: Deps,
  input: z.input<typeof MyRequestsInput>,
): Promise<Outcome<MyRequest[]>> {
  const parsed = parse(MyRequestsInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  const rows = await deps.store.query('request', {
    where: { requesterId: staff.value.id },
    orderBy: { field: 'createdAt', dir: 'desc' },
    limit: parsed.value.limit,
  });
  const childIds = [...new Set(rows.map((r) => r.record.childId))];
  const children = await Promise.all(childIds.map((id) => deps.store.get('child', id)));
  const deciders = new Map(
    (
      await Promise.all(
        [...new Set(rows.flatMap((r) => (r.record.decidedBy ? [r.record.decidedBy] : [])))].map((id) =>
          deps.store.get('staff', id),
        ),
      )
    ).flatMap((s) => (s ? [[s.record.id, s.record.name] as const] : [])),
  );
  const caseRef = new Map(children.flatMap((c) => (c ? [[c.record.id, c.record.caseRef] as const] : [])));
  return ok(
    rows.map(({ record: r }) => ({
      id: r.id,
      childId: r.childId,
      caseRef: caseRef.get(r.childId) ?? r.childId,
      status: r.status,
      reason: r.reason,
      authority: r.authority,
      deciderName: r.decidedBy ? (deciders.get(r.decidedBy) ?? 'a former member of staff') : null,
      platforms: r.platforms.map((p) => p.platform),
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    })),
  );
}
