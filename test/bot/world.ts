/**
 * The service started in-process on free ports with a temp data folder and a small fictional organisation
 * made through the workflow, using the demo service's staff ids (so the Playground's users map onto them):
 * North team (demo-tm-north, demo-cm-north-1, demo-cm-north-2), South team (demo-tm-south,
 * demo-cm-south-1), and demo-ao, demo-ig, demo-sm across teams; children DEMO-0001..0003 (north) and
 * DEMO-0101 (south), each with consent on record.
 */
import { botOf } from '../../src/bot/surface';
import { start, type Running } from '../../src/server/main';
import {
  bootstrapAdministrator,
  importCaseList,
  recordConsent,
  upsertStaff,
  upsertTeam,
  type Outcome,
} from '../../src/workflow';
import { tempDirs } from '../store/temp-dirs';

const dirs = tempDirs('bot');
export const cleanupBotWorlds = dirs.cleanup;

const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
};

export interface BotWorld {
  running: Running;
  /** The service's log lines (JSON). */
  logs: string[];
  url: string;
  childId: (caseRef: string) => Promise<string>;
  close: () => Promise<void>;
}

export async function botWorld(env: Record<string, string> = {}): Promise<BotWorld> {
  const logs: string[] = [];
  const running = await start(
    {
      OVERT_DATA: dirs.make(),
      OVERT_DEMO: 'off',
      BOT_PORT: '0',
      TAB_PORT: '0',
      OVERT_NOTICES_EVERY: '1',
      OVERT_BOT_TENANTS: 'demo-tenant',
      ...env,
    },
    (l) => logs.push(l),
  );
  const deps = running.deps;
  let k = 0;
  const key = () => `bot-world-${++k}`;
  must(await bootstrapAdministrator(deps, { id: 'demo-admin', name: 'Dana Admin (demo)' }));
  const person = async (
    id: string,
    name: string,
    role: Parameters<typeof upsertStaff>[1]['staff']['role'],
    teamIds: string[],
    extra = {},
  ) =>
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: 'demo-admin',
        staff: { id, name: `${name} (demo)`, role, teamIds, ...extra },
      }),
    );
  await person('demo-sm', 'Sol Marsh', 'service-manager', ['north', 'south']);
  await person('demo-ig', 'Ivy Gardner', 'information-governance', ['north', 'south']);
  await person('demo-ao', 'Orla Fenwick', 'authorised-officer', ['north', 'south']);
  await person('demo-tm-north', 'Arlo Ashdown', 'team-manager', ['north'], {
    socialMediaResponsibility: true,
  });
  await person('demo-cm-north-1', 'Dara Dunmore', 'case-manager', ['north']);
  await person('demo-cm-north-2', 'Eden Elmstead', 'case-manager', ['north']);
  await person('demo-tm-south', 'Bryn Birchwood', 'team-manager', ['south'], {
    socialMediaResponsibility: true,
  });
  await person('demo-cm-south-1', 'Gale Greywell', 'case-manager', ['south']);
  for (const t of ['north', 'south'])
    must(
      await upsertTeam(deps, {
        key: key(),
        actorId: 'demo-admin',
        team: {
          id: t,
          name: `${t[0]!.toUpperCase()}${t.slice(1)} Locality Team (demo)`,
          profileId: 'nottinghamshire-yjs',
          managerIds: [`demo-tm-${t}`],
        },
      }),
    );
  must(
    await importCaseList(deps, {
      key: key(),
      actorId: 'demo-admin',
      csv: [
        'case_reference,initials,team,worker,platforms',
        'DEMO-0001,A.B. (demo),north,demo-cm-north-1,instagram:@demo_north_1',
        'DEMO-0002,C.D. (demo),north,demo-cm-north-1,tiktok:@demo_north_2',
        'DEMO-0003,E.F. (demo),north,demo-cm-north-2,youtube:@demo_north_3',
        'DEMO-0101,G.H. (demo),south,demo-cm-south-1,instagram:@demo_south_1',
      ].join('\n'),
    }),
  );
  const childId = async (caseRef: string) =>
    (await running.store.query('child', { where: { caseRef } }))[0]!.record.id;
  const today = new Date().toISOString().slice(0, 10);
  for (const [ref, worker] of [
    ['DEMO-0001', 'demo-cm-north-1'],
    ['DEMO-0002', 'demo-cm-north-1'],
    ['DEMO-0003', 'demo-cm-north-2'],
    ['DEMO-0101', 'demo-cm-south-1'],
  ] as const)
    must(
      await recordConsent(deps, {
        key: key(),
        actorId: worker,
        childId: await childId(ref),
        givenBy: 'child and parent',
        date: today,
        scope: { platforms: [], purposes: ['000 §3 criteria'] },
      }),
    );
  const port = (running.servers[0]!.address() as { port: number }).port;
  return {
    running,
    logs,
    url: `http://127.0.0.1:${port}`,
    childId,
    close: async () => {
      // No more notice passes (what is left of one is in the store), then what follows the turns is awaited.
      const bot = botOf(deps);
      bot?.stop();
      bot?.outbox.stop();
      await bot?.outbox.settled();
      await running.stop();
    },
  };
}
