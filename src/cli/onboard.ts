import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CommanderError, Option, type Command } from 'commander';
import { Role, type Staff, type Team } from '../store/records';
import type { Store } from '../store/store';
import { assignProfile, importCaseList, upsertStaff, upsertTeam, type Deps } from '../workflow';
import { flagsOf, StaffInput } from '../workflow/organisation';
import { teamVersion } from '../workflow/context';
import { BOUNDS } from '../workflow/input';
import { emailOf, openDirectory, type Directory, type DirectoryUser } from './directory';
import { firstAdministrator } from './first-admin';
import { openService } from './service';

/**
 * Onboarding a council: `overt admin init` (the first administrator, from OVERT_FIRST_ADMIN), `overt teams …`,
 * `overt staff …` (people from Entra ID users or groups, looked up through Graph) and `overt children import`
 * (the case system's CSV export, all or nothing). Every change goes through the workflow as the administrator
 * named by --as (default OVERT_FIRST_ADMIN), so each is checked and audited like any other.
 */

function fail(exitCode: number, message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(exitCode, 'overt.onboard', message);
}
const out = (s: string) => process.stdout.write(`${s}\n`);
const key = (what: string) => `cli:${what}:${randomUUID()}`;

type Common = { data?: string; as?: string };

async function withService<T>(
  opts: Common,
  run: (s: { store: Store; deps: Deps }) => Promise<T>,
): Promise<T> {
  const service = await openService(opts.data);
  try {
    return await run(service);
  } finally {
    await service.store.close();
  }
}

let directoryForTests: Directory | undefined;
/** Tests may hand the commands a directory; otherwise the Graph settings open one. */
export function useDirectory(d: Directory | undefined): void {
  directoryForTests = d;
}
function directory(): Directory {
  if (directoryForTests) return directoryForTests;
  const opened = openDirectory(process.env);
  if (!opened.ok) return fail(2, `Entra ID: ${opened.message}`);
  return opened.value;
}

/** The member of staff a person named on the command line is: a staff id, their email, or an Entra user. */
async function staffFor(store: Store, who: string): Promise<Staff | undefined> {
  const byId = await store.get('staff', who);
  if (byId) return byId.record;
  const byEmail = await store.query('staff', { where: { email: who }, limit: 1 });
  if (byEmail[0]) return byEmail[0].record;
  const user = await directory().user(who);
  if (!user.ok) return undefined;
  return (await store.get('staff', user.value.id))?.record;
}

async function actorOf(store: Store, opts: Common): Promise<string> {
  const who = (opts.as ?? process.env.OVERT_FIRST_ADMIN ?? '').trim();
  if (!who) return fail(2, '--as: who is making the change (an administrator); or set OVERT_FIRST_ADMIN');
  const staff = await staffFor(store, who);
  if (!staff) return fail(2, `--as ${who}: not a member of staff in Overt (run overt admin init first)`);
  return staff.id;
}

/** A command's outcome, or exit 1 with its reason — without the field's path the workflow puts first
 * ("team.id: …"): the command line has options, not fields. */
const checked = <T>(
  o: { ok: true; value: T } | { ok: false; error: { message: string; field?: string } },
  what: string,
): T =>
  o.ok
    ? o.value
    : fail(
        1,
        `${what}: ${o.error.field ? o.error.message.replace(`${o.error.field}: `, '') : o.error.message}`,
      );

/** What would refuse `staff add` part-way, found before anything is written (undefined: nothing). */
async function refusedBeforeWriting(
  store: Store,
  people: DirectoryUser[],
  role: Staff['role'],
  teams: Team[],
): Promise<string | undefined> {
  const ids = [...new Set(people.map((p) => p.id))];
  for (const person of people) {
    const email = emailOf(person);
    const given = StaffInput.shape.staff.safeParse({
      id: person.id,
      name: person.displayName,
      ...(email ? { email } : {}),
      role,
    });
    if (!given.success)
      return `${person.displayName || person.id}: ${given.error.issues[0]?.message ?? 'not a valid member of staff'}`;
  }
  if (role !== 'team-manager') return undefined;
  for (const team of teams) {
    const now = (await store.get('team', team.id))?.record ?? team;
    const managers = new Set([...now.managerIds, ...ids]);
    if (managers.size > BOUNDS.items)
      return `team ${now.name} would have ${managers.size} managers, and a team has at most ${BOUNDS.items}: make fewer of them its managers (the others another role, or managers of another team)`;
  }
  return undefined;
}

function commonOptions(c: Command): Command {
  return c
    .option('--data <dir>', 'data folder of the SQLite store (default: $OVERT_DATA, else ./.data)')
    .option('--as <user>', 'the administrator making the change (default: $OVERT_FIRST_ADMIN)');
}

export function register(cli: Command): void {
  const admin = cli.command('admin').description('the first administrator');
  admin
    .command('init')
    .description(
      'make the first administrator from OVERT_FIRST_ADMIN (an Entra user), while Overt has no staff',
    )
    .option('--data <dir>', 'data folder of the SQLite store (default: $OVERT_DATA, else ./.data)')
    .option('--user <user>', 'the Entra user (sign-in name or object id) instead of OVERT_FIRST_ADMIN')
    .action(async (opts: { data?: string; user?: string }) =>
      withService(opts, async ({ deps }) => {
        const env = opts.user ? { ...process.env, OVERT_FIRST_ADMIN: opts.user } : process.env;
        try {
          out(await firstAdministrator(deps, env, directory()));
        } catch (err) {
          fail(1, (err as Error).message);
        }
      }),
    );

  const teams = cli.command('teams').description('the teams and the policy profile each works under');
  commonOptions(
    teams
      .command('add')
      .description('create or update a team')
      .argument('<id>', 'a short id, e.g. east')
      .requiredOption('--name <name>', 'the team’s name, as staff know it')
      .option('--profile <id>', 'the policy profile in force (default: OVERT_DEFAULT_PROFILE)')
      .option('--manager <user...>', 'its managers (staff already added)'),
  ).action(async (id: string, opts: Common & { name: string; profile?: string; manager?: string[] }) =>
    withService(opts, async ({ store, deps }) => {
      const actorId = await actorOf(store, opts);
      const existing = (await store.get('team', id))?.record;
      const managerIds: string[] = [];
      for (const m of opts.manager ?? []) {
        const s = await staffFor(store, m);
        if (!s)
          return fail(1, `--manager ${m}: not a member of staff in Overt (add them with overt staff add)`);
        managerIds.push(s.id);
      }
      const team = checked(
        await upsertTeam(deps, {
          key: key('team'),
          actorId,
          team: {
            id,
            name: opts.name,
            ...((opts.profile ?? existing?.profileId)
              ? { profileId: opts.profile ?? existing!.profileId }
              : {}),
            managerIds: opts.manager ? managerIds : (existing?.managerIds ?? []),
            ...(existing?.deputyIds ? { deputyIds: existing.deputyIds } : {}),
          },
        }),
        `team ${id}`,
      );
      out(`team ${team.id}: ${team.name}, profile ${team.profileId}, ${team.managerIds.length} manager(s)`);
    }),
  );
  commonOptions(
    teams
      .command('set-profile')
      .alias('profile')
      .description('give a team its policy profile (audited, with the profile it had)')
      .argument('<team>', 'the team')
      .argument('<profile>', 'a profile id (overt policy list, or a custom one in OVERT_PROFILE_FILES)')
      .option(
        '--version <version>',
        'hold the team to this version (one that has taken effect): later versions do not apply to it until it is given the profile again without --version',
      ),
  ).action(async (id: string, profile: string, opts: Common & { version?: string }) =>
    withService(opts, async ({ store, deps }) => {
      const actorId = await actorOf(store, opts);
      const team = checked(
        await assignProfile(deps, {
          key: key('team-profile'),
          actorId,
          teamId: id,
          profileId: profile,
          ...(opts.version !== undefined ? { version: opts.version } : {}),
        }),
        `team ${id}`,
      );
      const p = teamVersion(deps, team)!;
      out(
        `team ${team.id}: profile ${team.profileId} (${p.name}, version ${p.version}${team.profileVersion !== undefined ? ', held to this version' : ''})`,
      );
    }),
  );
  teams
    .command('list')
    .description('the teams, their profiles and managers')
    .option('--data <dir>', 'data folder of the SQLite store (default: $OVERT_DATA, else ./.data)')
    .action(async (opts: { data?: string }) =>
      withService(opts, async ({ store }) => {
        for (const { record: t } of await store.query('team', {})) {
          const managers = await Promise.all(
            t.managerIds.map(async (m) => (await store.get('staff', m))?.record.name ?? m),
          );
          out(`${t.id}\t${t.name}\t${t.profileId}\t${managers.join(', ') || '(no manager)'}`);
        }
      }),
    );

  const staff = cli
    .command('staff')
    .description('the staff: people from Entra ID, each with a role and teams');
  commonOptions(
    staff
      .command('add')
      .description(
        'add or update staff from Entra ID users or a group (a team manager also becomes a manager of the team)',
      )
      .option('--user <user...>', 'Entra users: sign-in names or object ids')
      .option('--group <id>', 'an Entra group: every user in it, nested groups included')
      .addOption(
        new Option('--role <role>', 'their role in Overt').choices(Role.options).makeOptionMandatory(),
      )
      .option('--team <id...>', 'their teams')
      .option('--designated-officer', 'a designated officer (Camden)')
      .option('--social-media-responsibility', 'responsible for social media checks (Kent)')
      .option(
        '--flag <flag...>',
        'flags on their staff record a loaded policy profile reads (e.g. preventLead); replaces their flags',
      )
      .option(
        '--in-group <name...>',
        'named groups a loaded policy profile reads (e.g. "Head of Service"); replaces their groups',
      )
      .option('--no-flags', 'take away every flag and group they have'),
  ).action(
    async (
      opts: Common & {
        user?: string[];
        group?: string;
        role: Staff['role'];
        team?: string[];
        designatedOfficer?: boolean;
        socialMediaResponsibility?: boolean;
        flag?: string[];
        inGroup?: string[];
        flags: boolean;
      },
    ) =>
      withService(opts, async ({ store, deps }) => {
        if (!opts.user?.length && !opts.group)
          return fail(2, 'name the people: --user <user…> or --group <id>');
        const actorId = await actorOf(store, opts);
        const teamsById = new Map<string, Team>();
        for (const t of opts.team ?? []) {
          const team = (await store.get('team', t))?.record;
          if (!team) return fail(1, `--team ${t}: no such team (overt teams add ${t} --name …)`);
          teamsById.set(t, team);
        }
        const dir = directory();
        const people: DirectoryUser[] = [];
        for (const u of opts.user ?? []) {
          const found = await dir.user(u);
          if (!found.ok) return fail(1, found.message);
          people.push(found.value);
        }
        if (opts.group) {
          const found = await dir.groupUsers(opts.group);
          if (!found.ok) return fail(1, found.message);
          if (!found.value.users.length) return fail(1, `group ${found.value.name}: it has no users`);
          people.push(...found.value.users);
        }
        // All or nothing: everything that would refuse one of them is checked before anything is written —
        // a team would have more managers than it may (a big group of managers), or someone's name or email
        // does not fit — so a refusal never leaves the first people added and the rest not.
        const problem = await refusedBeforeWriting(store, people, opts.role, [...teamsById.values()]);
        if (problem) return fail(1, `${problem}; nobody was added or changed`);
        for (const person of people) {
          const existing = (await store.get('staff', person.id))?.record;
          const email = emailOf(person);
          const teamIds = [...new Set([...(existing?.teamIds ?? []), ...teamsById.keys()])];
          // Flags and groups given replace theirs; none given keeps theirs (--no-flags takes them all away).
          const kept = opts.flags && existing ? existing : undefined;
          const flags = [
            ...(opts.flag ?? (kept ? flagsOf(kept) : [])),
            ...(opts.designatedOfficer ? ['designatedOfficer'] : []),
            ...(opts.socialMediaResponsibility ? ['socialMediaResponsibility'] : []),
          ];
          const groups = opts.inGroup ?? kept?.groups ?? [];
          const s = checked(
            await upsertStaff(deps, {
              key: key('staff'),
              actorId,
              staff: {
                id: person.id,
                name: person.displayName,
                ...(email ? { email } : {}),
                role: opts.role,
                teamIds,
                flags,
                groups,
              },
            }),
            person.displayName,
          );
          const marks = [...flagsOf(s), ...(s.groups ?? [])];
          out(
            `${s.name}: ${s.role}${s.teamIds.length ? `, teams ${s.teamIds.join(', ')}` : ''}${marks.length ? `; ${marks.join(', ')}` : ''}`,
          );
          if (opts.role === 'team-manager')
            for (const team of teamsById.values()) {
              const now = (await store.get('team', team.id))!.record;
              if (now.managerIds.includes(s.id)) continue;
              checked(
                await upsertTeam(deps, {
                  key: key('team'),
                  actorId,
                  team: { ...now, managerIds: [...now.managerIds, s.id] },
                }),
                `team ${team.id}`,
              );
              out(`  now a manager of ${now.name}`);
            }
        }
      }),
  );
  staff
    .command('list')
    .description('the staff, their roles and teams')
    .option('--data <dir>', 'data folder of the SQLite store (default: $OVERT_DATA, else ./.data)')
    .action(async (opts: { data?: string }) =>
      withService(opts, async ({ store }) => {
        for (const { record: s } of await store.query('staff', {}))
          out(
            `${s.name}\t${s.email ?? ''}\t${s.role}\t${s.teamIds.join(', ')}\t${[...flagsOf(s), ...(s.groups ?? [])].join(', ')}`,
          );
      }),
    );

  const children = cli.command('children').description('the children on the case list');
  children
    .command('list')
    .description('the children loaded: case reference, name, team, worker and platforms')
    .option('--data <dir>', 'data folder of the SQLite store (default: $OVERT_DATA, else ./.data)')
    .option('--team <id>', 'only this team’s')
    .action(async (opts: { data?: string; team?: string }) =>
      withService(opts, async ({ store }) => {
        if (opts.team && !(await store.get('team', opts.team)))
          return fail(1, `--team ${opts.team}: no such team (overt teams list)`);
        const teamName = new Map((await store.query('team', {})).map(({ record: t }) => [t.id, t.name]));
        const staffName = new Map((await store.query('staff', {})).map(({ record: s }) => [s.id, s.name]));
        const rows = (await store.query('child', opts.team ? { where: { teamId: opts.team } } : {})).map(
          ({ record: c }) => c,
        );
        rows.sort((a, b) => a.caseRef.localeCompare(b.caseRef));
        for (const c of rows)
          out(
            [
              c.caseRef,
              c.displayName,
              teamName.get(c.teamId) ?? c.teamId,
              staffName.get(c.workerId) ?? '(worker no longer on the staff list)',
              c.platforms.map((p) => `${p.platform}:${p.account}`).join('; '),
            ].join('\t'),
          );
        out(`${rows.length} children`);
      }),
    );
  commonOptions(
    children
      .command('import')
      .description(
        'import the case system’s CSV export (case reference, name or initials, team, worker; optional platforms and date of birth, as 31/01/2012): all rows or none, every bad row named',
      )
      .argument('<csv>', 'the CSV file'),
  ).action(async (file: string, opts: Common) =>
    withService(opts, async ({ store, deps }) => {
      let csv: string;
      try {
        csv = readFileSync(file, 'utf8');
      } catch (err) {
        return fail(
          2,
          `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
        );
      }
      const actorId = await actorOf(store, opts);
      // Each run is its own import, counted against the children as they are now: the same file again says
      // every child is already as listed (a key made from the file answered with the first run's counts,
      // "20 children added", and would not restore a child changed since). A run cut off part-way is finished
      // by running it again: the parts that landed are already as listed.
      const r = await importCaseList(deps, { key: `cli:children:${randomUUID()}`, actorId, csv });
      if (!r.ok) return fail(1, `${file}: ${r.error.message.replace(/^csv: /, '')}`);
      out(
        `${file}: ${r.value.created} children added, ${r.value.updated} updated, ${r.value.unchanged} already as listed${r.value.parts > 1 ? ` (written in ${r.value.parts} parts)` : ''}`,
      );
    }),
  );
}
