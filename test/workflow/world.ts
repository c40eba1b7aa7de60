import type { Profile } from '../../src/policy/profile';
import { openStore } from '../../src/store/open';
import type { Kind } from '../../src/store/records';
import type { Store } from '../../src/store/store';
import {
  bootstrapAdministrator,
  createDeps,
  recordConsent,
  upsertStaff,
  upsertTeam,
  type Deps,
  type Outcome,
} from '../../src/workflow';
import { tempDirs } from '../store/temp-dirs';

/**
 * A small fictional organisation on a fresh SQLite store with a clock the test moves: one team per seed
 * profile, each with a case manager, a second case manager, and a team manager; a service manager, an
 * information-governance officer and an authorised officer span the teams.
 */
export interface World {
  deps: Deps;
  /** The data folder of its SQLite store (for the command line, `--data`). */
  dataDir: string;
  store: Store;
  at: (iso: string) => void;
  key: () => string;
  counts: () => Promise<Record<string, number>>;
  /** Notice given to the child of a team (`cm-<team>` records it), on a day; fails the test if refused. */
  consent: (team: TeamKey, date: string) => Promise<void>;
  close: () => Promise<void>;
}

const PROFILES = {
  notts: 'nottinghamshire-yjs',
  camden: 'camden-cfs',
  kent: 'kent-ics',
  ns: 'north-somerset-scb',
  west: 'westgate-youth-project',
} as const;
export type TeamKey = keyof typeof PROFILES;

const dirs = tempDirs('workflow');
export const cleanupWorlds = dirs.cleanup;

export const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`expected success, got ${o.error.code}: ${o.error.message}`);
  return o.value;
};

export async function world(
  start = '2026-03-01T10:00:00Z',
  opts: { customProfiles?: Profile[] } = {},
): Promise<World> {
  const dataDir = dirs.make();
  const opened = await openStore({ dataDir, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  let now = new Date(start);
  let n = 0;
  let k = 0;
  const deps = createDeps(store, {
    clock: () => now,
    ids: () => `id-${++n}`,
    ...(opts.customProfiles ? { customProfiles: opts.customProfiles } : {}),
  });
  const key = () => `test-key-${++k}`;
  must(await bootstrapAdministrator(deps, { id: 'admin', name: 'Ada Admin (demo)' }));
  const person = async (
    id: string,
    role: Parameters<typeof upsertStaff>[1]['staff']['role'],
    teamIds: string[],
    extra = {},
  ) =>
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: 'admin',
        staff: { id, name: `${id} (demo)`, role, teamIds, ...extra },
      }),
    );
  const all = Object.keys(PROFILES);
  await person('sm', 'service-manager', all);
  await person('ig', 'information-governance', all);
  await person('ao', 'authorised-officer', all);
  for (const [t, profileId] of Object.entries(PROFILES)) {
    await person(`cm-${t}`, 'case-manager', [t], t === 'camden' ? { designatedOfficer: true } : {});
    await person(`cm2-${t}`, 'case-manager', [t]);
    await person(`tm-${t}`, 'team-manager', [t]);
    must(
      await upsertTeam(deps, {
        key: key(),
        actorId: 'admin',
        team: { id: t, name: `Team ${t} (demo)`, profileId, managerIds: [`tm-${t}`] },
      }),
    );
    await store.commit({
      key: `child-${t}`,
      at: start,
      writes: [
        {
          kind: 'child',
          record: {
            id: `child-${t}`,
            caseRef: `CASE-${t.toUpperCase()}-1`,
            displayName: 'A.B. (demo)',
            teamId: t,
            workerId: `cm-${t}`,
            platforms: [{ platform: 'instagram', account: '@demo_ab' }],
            createdAt: start,
            consentStatus: 'none',
          },
          ifVersion: null,
        },
      ],
      audit: [
        {
          actor: { id: 'admin' },
          action: 'child.create',
          target: { kind: 'child', id: `child-${t}` },
          outcome: 'recorded',
        },
      ],
    });
  }
  const counts = async () => {
    const kinds: Kind[] = [
      'request',
      'decision',
      'check',
      'consent',
      'reminder',
      'objection',
      'ripa',
      'child',
    ];
    const out: Record<string, number> = {};
    for (const kind of kinds) out[kind] = (await store.count(kind))[0]?.count ?? 0;
    return out;
  };
  const consent = async (team: TeamKey, date: string) => {
    must(
      await recordConsent(deps, {
        key: key(),
        actorId: `cm-${team}`,
        childId: `child-${team}`,
        givenBy: 'child',
        date,
        scope: { platforms: [], purposes: [] },
      }),
    );
  };
  return {
    deps,
    dataDir,
    store,
    at: (iso) => (now = new Date(iso)),
    key,
    counts,
    consent,
    close: () => store.close(),
  };
}

/** The one team the single-team tests start from: the administrator ('admin'), a team manager ('tm') and a
 * case manager ('cm') of team 'north' (North (demo)), held to `profileId`. */
export async function seedNorth(deps: Deps, key: () => string, profileId: string): Promise<void> {
  must(await bootstrapAdministrator(deps, { id: 'admin', name: 'Ada Admin (demo)' }));
  for (const [id, role] of [
    ['tm', 'team-manager'],
    ['cm', 'case-manager'],
  ] as const)
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: 'admin',
        staff: { id, name: `${id} (demo)`, role, teamIds: ['north'] },
      }),
    );
  must(
    await upsertTeam(deps, {
      key: key(),
      actorId: 'admin',
      team: { id: 'north', name: 'North (demo)', profileId, managerIds: ['tm'] },
    }),
  );
}
