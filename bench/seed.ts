import type { Store } from '../src/store/store';
import { bootstrapAdministrator, upsertStaff, upsertTeam, type Deps, type Outcome } from '../src/workflow';

/** The benches' organisation: an administrator, team `t` on the Nottinghamshire profile, its case manager
 * `cm` and team manager `tm`, and children made one at a time (each child's first check is a clean one). */

export const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
};

export async function benchOrganisation(deps: Deps, key: () => string): Promise<void> {
  must(await bootstrapAdministrator(deps, { id: 'admin', name: 'Bench Admin (demo)' }));
  for (const [id, role] of [
    ['cm', 'case-manager'],
    ['tm', 'team-manager'],
  ] as const)
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: 'admin',
        staff: { id, name: `${id} (demo)`, role, teamIds: ['t'] },
      }),
    );
  must(
    await upsertTeam(deps, {
      key: key(),
      actorId: 'admin',
      team: { id: 't', name: 'Bench team (demo)', profileId: 'nottinghamshire-yjs', managerIds: ['tm'] },
    }),
  );
}

/** A child of team `t`, written straight to the store (the case list's effect, without its CSV). */
export async function benchChild(store: Store, key: string, n: number, at: string): Promise<string> {
  const id = `child-${n}`;
  await store.commit({
    key,
    at,
    writes: [
      {
        kind: 'child',
        record: {
          id,
          caseRef: `BENCH-${n}`,
          displayName: 'B.B. (demo)',
          teamId: 't',
          workerId: 'cm',
          platforms: [],
          createdAt: at,
        },
        ifVersion: null,
      },
    ],
    audit: [
      { actor: { id: 'admin' }, action: 'child.create', target: { kind: 'child', id }, outcome: 'recorded' },
    ],
  });
  return id;
}
