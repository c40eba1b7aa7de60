import { BUILTIN_IDS } from '../policy/builtin';
import { fingerprint } from '../policy/authority';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { Child, Delegation, Staff, Team } from '../store/records';
import { Role } from '../store/records';
import type { Write } from '../store/store';
import { actor, cmdOf, commit, nowIso, refuse, replayed } from './context';
import { BOUNDS, Id, Key, list, parse, ShortText, TeamId, tooLong, When } from './input';
import { caseListTooLarge, csvUnreadable, notUtf8, type CsvReadError } from '../vocabulary/case-list';
import { FORMAT_FLAGS, staffMarks, unreadMarks } from './staff-marks';
import { fail, ok, type Deps, type Outcome } from './types';
import { dateGb } from '../vocabulary';

/** Teams, staff, delegation and the case list: the organisation Overt works for. */

const ADMIN: Staff['role'][] = ['administrator', 'service-manager'];

async function adminCommand<T>(
  deps: Deps,
  i: { key: string; actorId: string },
  action: string,
  target: { kind: string; id: string },
  build: () => Promise<Outcome<{ writes: Write[]; value: T; details?: Record<string, unknown> }>>,
  /** Who may: administrators and service managers, unless the command is an administrator's alone. */
  only?: { roles: readonly string[]; message: string },
): Promise<Outcome<T>> {
  const c = cmdOf(action, i);
  const again = await replayed<T>(deps, c);
  if (again) return again;
  const staff = await actor(deps, i.actorId);
  if (!staff.ok) return staff;
  const who = { id: staff.value.id, role: staff.value.role };
  if (!(only?.roles ?? ADMIN).includes(staff.value.role))
    return refuse(
      deps,
      c,
      { actor: who, action, target },
      {
        code: 'FORBIDDEN',
        message: only?.message ?? 'only an administrator or service manager can change the organisation',
      },
    );
  const built = await build();
  // A change refused for its content (a bad case-list row, an unknown profile or manager) is on the record.
  if (!built.ok) return refuse(deps, c, { actor: who, action, target }, built.error);
  const r = await commit(
    deps,
    c,
    built.value.writes,
    [{ actor: who, action, target, outcome: 'recorded', details: (built.value.details ?? {}) as never }],
    built.value.value,
  );
  return 'conflict' in r ? fail('CONFLICT', 'the record changed meanwhile: retry') : r;
}

export const TeamInput = z.object({
  key: Key,
  actorId: Id,
  team: z.object({
    id: TeamId,
    name: ShortText,
    /** The profile in force for this team; without one, the tenant's default. */
    profileId: ShortText.optional(),
    managerIds: list(Id).default([]),
    deputyIds: list(Id).optional(),
  }),
});

/** Create or update a team: its name, its managers, and the policy profile in force for it. */
export async function upsertTeam(deps: Deps, input: z.input<typeof TeamInput>): Promise<Outcome<Team>> {
  const parsed = parse(TeamInput, input);
  if (!parsed.ok) return parsed;
  const team: Team = {
    ...parsed.value.team,
    profileId: parsed.value.team.profileId ?? deps.settings.defaultProfileId,
  };
  return adminCommand(deps, parsed.value, 'team.upsert', { kind: 'team', id: team.id }, async () => {
    if (!deps.profiles(team.profileId))
      return fail(
        'INVALID_INPUT',
        `team.profileId: no profile "${team.profileId}" is configured`,
        'team.profileId',
      );
    for (const m of team.managerIds)
      if (!(await deps.store.get('staff', m)))
        return fail('INVALID_INPUT', `team.managerIds: no member of staff "${m}"`, 'team.managerIds');
    // A team held to a version of its profile stays held to it while it keeps that profile.
    const was = (await deps.store.get('team', team.id))?.record;
    const held =
      was?.profileVersion !== undefined && was.profileId === team.profileId
        ? { ...team, profileVersion: was.profileVersion }
        : team;
    return ok({
      writes: [{ kind: 'team', record: held }],
      value: held,
      details: { profileId: team.profileId, managerIds: team.managerIds },
    });
  });
}

export const AssignProfileInput = z.object({
  key: Key,
  actorId: Id,
  teamId: Id,
  profileId: ShortText,
  /** The version the team is held to: a loaded version of the profile that has taken effect. Without one, the
   * team is judged by the version in force on each day. */
  version: ShortText.optional(),
});

/**
 * Whether the team can be held to the version asked for: one that is loaded and has taken effect (today's, or
 * one it replaced); a version not yet in force would refuse everything until its day, so it is refused, saying
 * which are loaded and when each takes effect.
 */
function versionProblem(deps: Deps, profileId: string, asked: string): string | undefined {
  const versions = deps.profileVersions(profileId);
  const now = deps.profiles(profileId)!;
  const list = versions.map((v) => `${v.version} (in force from ${dateGb(v.effectiveDate)})`).join(', ');
  const wanted = versions.find((v) => v.version === asked);
  if (!wanted) return `${now.name} has no version "${asked}" loaded; the loaded versions are ${list}`;
  if (wanted.effectiveDate <= now.effectiveDate) return undefined;
  return `version ${asked} of ${now.name} takes effect on ${dateGb(wanted.effectiveDate)}; today version ${now.version} is in force. Give the team the profile without a version and version ${asked} applies from that day, or hold it to version ${now.version}`;
}

/** Give a team its policy profile (built in, or a custom one the service has loaded); audited `team.profile`. */
export async function assignProfile(
  deps: Deps,
  input: z.input<typeof AssignProfileInput>,
): Promise<Outcome<Team>> {
  const parsed = parse(AssignProfileInput, input);
  if (!parsed.ok) return parsed;
  const { teamId, profileId, version } = parsed.value;
  return adminCommand(
    deps,
    parsed.value,
    'team.profile',
    { kind: 'team', id: teamId },
    async () => {
      const found = await deps.store.get('team', teamId);
      if (!found) return fail('NOT_FOUND', `no team "${teamId}"`, 'teamId');
      const profile = deps.profiles(profileId);
      if (!profile)
        return fail(
          'INVALID_INPUT',
          `profileId: no profile "${profileId}" is loaded (built-in: ${BUILTIN_IDS.join(', ')}; custom: ${(deps.customProfileIds ?? []).join(', ') || 'none'}). A custom profile is loaded when the service starts: set OVERT_PROFILE_FILES to the file that holds it`,
          'profileId',
        );
      const wrong = version === undefined ? undefined : versionProblem(deps, profileId, version);
      if (wrong) return fail('INVALID_INPUT', `version: ${wrong}`, 'version');
      // Held to the version given; without one, judged by the version in force on each day.
      const { profileVersion: _was, ...rest } = found.record;
      const team: Team = {
        ...rest,
        profileId,
        ...(version !== undefined ? { profileVersion: version } : {}),
      };
      const judged =
        version === undefined ? profile : deps.profileVersions(profileId).find((v) => v.version === version)!;
      return ok({
        writes: [{ kind: 'team', record: team, ifVersion: found.version }],
        value: team,
        details: {
          from: found.record.profileId,
          to: profileId,
          profileVersion: judged.version,
          profileFingerprint: fingerprint(judged),
          heldToVersion: version !== undefined,
        },
      });
    },
    // Which policy judges a team's requests is the administrators' to say (as the API and the tab have it).
    { roles: ['administrator'], message: 'only an administrator can give a team its policy profile' },
  );
}

export const StaffInput = z.object({
  key: Key,
  actorId: Id,
  staff: z.object({
    id: Id,
    name: ShortText,
    email: z.email().max(BOUNDS.short, tooLong(BOUNDS.short)).optional(),
    role: Role,
    teamIds: list(Id).default([]),
    socialMediaResponsibility: z.boolean().optional(),
    designatedOfficer: z.boolean().optional(),
    /** Flags and named groups a team's policy may name (a Prevent lead, the Head of Service). */
    flags: list(ShortText).optional(),
    groups: list(ShortText).optional(),
  }),
});

export async function upsertStaff(deps: Deps, input: z.input<typeof StaffInput>): Promise<Outcome<Staff>> {
  const parsed = parse(StaffInput, input);
  if (!parsed.ok) return parsed;
  const given = parsed.value.staff;
  const staff = staffRecord(given);
  return adminCommand(deps, parsed.value, 'staff.upsert', { kind: 'staff', id: staff.id }, async () => {
    const unread = unreadMarks(staffMarks(deps), given);
    if (unread)
      return fail('INVALID_INPUT', `staff.${unread.field}: ${unread.message}`, `staff.${unread.field}`);
    return ok({
      writes: [{ kind: 'staff', record: staff }],
      value: staff,
      details: {
        role: staff.role,
        teamIds: staff.teamIds,
        flags: flagsOf(staff),
        groups: staff.groups ?? [],
      },
    });
  });
}

/**
 * The staff record for what was given: the case format's two flags (designated officer, social media
 * responsibility), given among the flags or as their own fields, are kept as their own fields; other flags and
 * groups as lists, left out when empty.
 */
function staffRecord(given: z.infer<typeof StaffInput>['staff']): Staff {
  const { flags = [], groups = [], designatedOfficer, socialMediaResponsibility, ...rest } = given;
  const has = (f: (typeof FORMAT_FLAGS)[number], own: boolean | undefined) => own || flags.includes(f);
  const others = [...new Set(flags.filter((f) => !(FORMAT_FLAGS as readonly string[]).includes(f)))];
  return {
    ...rest,
    ...(has('designatedOfficer', designatedOfficer) ? { designatedOfficer: true } : {}),
    ...(has('socialMediaResponsibility', socialMediaResponsibility)
      ? { socialMediaResponsibility: true }
      : {}),
    ...(others.length ? { flags: others } : {}),
    ...(groups.length ? { groups: [...new Set(groups)] } : {}),
  };
}

/** Every flag a member of staff has, the case format's two among them, as a profile spells them. */
export function flagsOf(
  s: Pick<Staff, 'flags' | 'designatedOfficer' | 'socialMediaResponsibility'>,
): string[] {
  return [
    ...(s.designatedOfficer ? ['designatedOfficer'] : []),
    ...(s.socialMediaResponsibility ? ['socialMediaResponsibility'] : []),
    ...(s.flags ?? []),
  ];
}

/** The first administrator, set up from the command line before anyone can act in Overt. */
export async function bootstrapAdministrator(
  deps: Deps,
  admin: { id: string; name: string; email?: string },
): Promise<Outcome<Staff>> {
  const staff: Staff = {
    id: admin.id,
    name: admin.name,
    ...(admin.email ? { email: admin.email } : {}),
    role: 'administrator',
    teamIds: [],
  };
  const r = await commit(
    deps,
    cmdOf('staff.bootstrap', { key: `bootstrap:${admin.id}`, actorId: 'system', ...admin }),
    [{ kind: 'staff', record: staff, ifVersion: null }],
    [
      {
        actor: { id: 'system' },
        action: 'staff.bootstrap',
        target: { kind: 'staff', id: admin.id },
        outcome: 'recorded',
        details: {},
      },
    ],
    staff,
  );
  return 'conflict' in r ? fail('CONFLICT', `staff "${admin.id}" already exists`) : r;
}

export const DelegationInput = z.object({
  key: Key,
  actorId: Id,
  fromId: Id,
  toId: Id,
  from: When,
  until: When,
});

/** An approver names a deputy for an absence (or a service manager does it for them). */
export async function delegate(
  deps: Deps,
  input: z.input<typeof DelegationInput>,
): Promise<Outcome<Delegation>> {
  const parsed = parse(DelegationInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const c = cmdOf('delegation.create', i);
  const again = await replayed<Delegation>(deps, c);
  if (again) return again;
  const staff = await actor(deps, i.actorId);
  if (!staff.ok) return staff;
  const who = { id: staff.value.id, role: staff.value.role };
  if (staff.value.id !== i.fromId && staff.value.role !== 'service-manager')
    return refuse(
      deps,
      c,
      { actor: who, action: 'delegation.create', target: { kind: 'staff', id: i.fromId } },
      { code: 'FORBIDDEN', message: 'only the approver or a service manager can name a deputy' },
    );
  if (!(await deps.store.get('staff', i.toId)))
    return fail('INVALID_INPUT', `toId: no member of staff "${i.toId}"`, 'toId');
  if (i.toId === i.fromId) return fail('INVALID_INPUT', 'toId: a deputy is someone else', 'toId');
  if (Date.parse(i.until) <= Date.parse(i.from))
    return fail('INVALID_INPUT', 'until: must be after from', 'until');
  const d: Delegation = { id: deps.ids(), fromId: i.fromId, toId: i.toId, from: i.from, until: i.until };
  const r = await commit(
    deps,
    c,
    [{ kind: 'delegation', record: d, ifVersion: null }],
    [
      {
        actor: who,
        action: 'delegation.create',
        target: { kind: 'delegation', id: d.id },
        outcome: 'recorded',
        details: { fromId: d.fromId, toId: d.toId, from: d.from, until: d.until },
      },
    ],
    d,
  );
  return 'conflict' in r ? fail('CONFLICT', 'retry') : r;
}

export const CaseListInput = z.object({
  key: Key,
  actorId: Id,
  // Its size is checked with the rows (planCaseList), so that a file too large is refused in the same words
  // everywhere and, when imported, on the audit trail; the API's body limit bounds what reaches here.
  csv: z.string().min(1, 'the CSV is empty'),
});

export interface CaseListReport {
  created: number;
  updated: number;
  /** Rows that matched the child on record: nothing written. */
  unchanged: number;
  /** The units it was written in (store/graph/units.ts: a unit's size is bounded). */
  parts: number;
}

const COLUMNS: Record<string, string[]> = {
  caseRef: ['case reference', 'case_reference', 'caseref', 'case ref', 'reference'],
  name: ['name', 'initials', 'display name', 'displayname'],
  team: ['team', 'team id', 'teamid'],
  worker: ['worker', 'case manager', 'allocated worker', 'workerid'],
  platforms: ['platforms', 'accounts'],
  dateOfBirth: ['date of birth', 'date_of_birth', 'dateofbirth', 'dob', 'birth date'],
};

/**
 * A date of birth as a case system exports it: day/month/year (en-GB) or year-month-day, as a day that
 * exists and is not after today; else the problem in words.
 */
function dateOfBirth(raw: string, today: string): { day: string } | { problem: string } {
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const [y, m, d] = uk ? [uk[3]!, uk[2]!, uk[1]!] : iso ? [iso[1]!, iso[2]!, iso[3]!] : [];
  const clip = raw.length > 30 ? `${raw.slice(0, 30)}…` : raw;
  if (!y) return { problem: `date of birth "${clip}" is not a day (write it as 31/01/2012)` };
  const day = `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
  const t = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(t.getTime()) || t.toISOString().slice(0, 10) !== day)
    return { problem: `date of birth "${clip}" is not a day that exists` };
  if (day > today) return { problem: `date of birth "${clip}" is after today` };
  return { day };
}

/** One row of a case list as it would be imported: what it would do, or its problems in plain words. */
export interface CaseListRow {
  line: number;
  caseRef: string;
  name: string;
  team: string;
  worker: string;
  /** What importing it would do; null when the row has problems. */
  action: 'add' | 'update' | null;
  problems: string[];
}

export interface CaseListPlan {
  rows: CaseListRow[];
  created: number;
  updated: number;
  /** Rows that match the child on record and would write nothing. */
  unchanged: number;
  /** Rows with problems. */
  bad: number;
}

/**
 * Read the case list (case reference, initials or name, team, worker; optionally platforms as
 * `instagram:@name; tiktok:@other`) against the teams, staff and children on record: every row with what
 * importing it would do, or its problems. A CSV that cannot be read at all is an error naming why.
 */
async function planCaseList(deps: Deps, csv: string): Promise<Outcome<CaseListPlan & { writes: Write[] }>> {
  const large = caseListTooLarge(new TextEncoder().encode(csv).length);
  if (large) return fail('INVALID_INPUT', `csv: ${large}`, 'csv');
  // A file read as UTF-8 that was not (Excel's plain "CSV" is Windows-1252) has its accented letters
  // replaced by U+FFFD on the way in (the tab's file.text(), the command's decoding): names would be
  // imported garbled, so the whole file is refused, saying how to save it. A UTF-8 BOM is accepted.
  const garbled = csv.split(/\r?\n/).findIndex((l) => l.includes('\uFFFD'));
  if (garbled >= 0) return fail('INVALID_INPUT', `csv: ${notUtf8(garbled + 1)}`, 'csv');
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(csv, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      info: true,
      bom: true,
    });
  } catch (err) {
    // The reader's own message ("Invalid Opening Quote: a quote is found on field …") in plain words.
    return fail('INVALID_INPUT', `csv: ${csvUnreadable(err as CsvReadError)}`, 'csv');
  }
  if (!rows.length) return fail('INVALID_INPUT', 'csv: no rows under the header', 'csv');
  const header = Object.keys(rows[0]!.record);
  const col = Object.fromEntries(
    Object.entries(COLUMNS).map(([k, names]) => [k, header.find((h) => names.includes(h))]),
  ) as Record<keyof typeof COLUMNS, string | undefined>;
  const missing = (['caseRef', 'name', 'team', 'worker'] as const).filter((k) => !col[k]);
  if (missing.length)
    return fail(
      'INVALID_INPUT',
      `csv: the header lacks ${missing.map((m) => COLUMNS[m]![0]).join(', ')}`,
      'csv',
    );

  const teams = new Map<string, Team>();
  for (const t of await deps.store.query('team', {})) {
    teams.set(t.record.id.toLowerCase(), t.record);
    teams.set(t.record.name.toLowerCase(), t.record);
  }
  const staffAll = (
    await deps.store.query('staff', { where: { role: ['case-manager', 'team-manager'] } })
  ).map((s) => s.record);
  const findWorker = (w: string) =>
    staffAll.find((s) => [s.id, s.email ?? '', s.name].some((x) => x.toLowerCase() === w.toLowerCase()));
  const seen = new Set<string>();
  const writes: Write[] = [];
  const out: CaseListRow[] = [];
  let created = 0;
  let updated = 0;
  let unchanged = 0;
  for (const { record: row, info } of rows) {
    const line = info.lines;
    const v = (k: keyof typeof COLUMNS) => (col[k] ? (row[col[k]!] ?? '').trim() : '');
    const caseRef = v('caseRef');
    const why: string[] = [];
    if (!caseRef) why.push('no case reference');
    else if (seen.has(caseRef.toLowerCase())) why.push(`case reference ${caseRef} appears twice`);
    if (!v('name')) why.push('no name or initials');
    for (const [k, label] of [
      ['caseRef', 'the case reference'],
      ['name', 'the name'],
    ] as const)
      if (v(k).length > BOUNDS.short) why.push(`${label} is over ${BOUNDS.short} characters`);
    const clip = (x: string) => (x.length > 60 ? `${x.slice(0, 60)}…` : x);
    const team = teams.get(v('team').toLowerCase());
    if (!team) why.push(`no team "${clip(v('team'))}"`);
    const worker = findWorker(v('worker'));
    if (!worker) why.push(`no case manager "${clip(v('worker'))}"`);
    else if (team && !worker.teamIds.includes(team.id))
      why.push(`${worker.name} is not in team ${team.name}`);
    const platforms: { platform: string; account: string }[] = [];
    for (const part of v('platforms')
      .split(/[;,]/)
      .map((p) => p.trim())
      .filter(Boolean)) {
      const m = /^([a-z0-9 ._-]+):\s*(\S.*)$/i.exec(part);
      if (m && part.length <= BOUNDS.short)
        platforms.push({ platform: m[1]!.trim().toLowerCase(), account: m[2]!.trim() });
      else if (m) why.push(`platform "${clip(part)}" is over ${BOUNDS.short} characters`);
      else why.push(`platform "${clip(part)}" is not platform:account`);
    }
    if (platforms.length > BOUNDS.items) why.push(`more than ${BOUNDS.items} platforms`);
    const born = v('dateOfBirth') ? dateOfBirth(v('dateOfBirth'), nowIso(deps).slice(0, 10)) : undefined;
    if (born && 'problem' in born) why.push(born.problem);
    const dob = born && 'day' in born ? { dateOfBirth: born.day } : {};
    const shown = {
      line,
      caseRef: clip(caseRef),
      name: clip(v('name')),
      team: team?.name ?? clip(v('team')),
      worker: worker?.name ?? clip(v('worker')),
    };
    if (why.length) {
      out.push({ ...shown, action: null, problems: why });
      continue;
    }
    seen.add(caseRef.toLowerCase());
    const existing = (await deps.store.query('child', { where: { caseRef }, limit: 1 }))[0];
    const child: Child = existing
      ? {
          ...existing.record,
          displayName: v('name'),
          teamId: team!.id,
          workerId: worker!.id,
          ...(platforms.length ? { platforms } : {}),
          ...dob,
          // The child's age is a fact the policy reads: a verdict computed on the old one is not kept.
          ...(dob.dateOfBirth && dob.dateOfBirth !== existing.record.dateOfBirth
            ? { stamp: deps.ids() }
            : {}),
        }
      : {
          id: deps.ids(),
          caseRef,
          displayName: v('name'),
          teamId: team!.id,
          workerId: worker!.id,
          platforms,
          ...dob,
          createdAt: nowIso(deps),
          consentStatus: 'none',
        };
    // A row that changes nothing writes nothing: importing the same file again (after an import that
    // stopped part way) adds only what is missing.
    if (existing && sameChild(existing.record, child)) {
      unchanged++;
      out.push({ ...shown, action: 'update', problems: [] });
      continue;
    }
    if (existing) updated++;
    else created++;
    out.push({ ...shown, action: existing ? 'update' : 'add', problems: [] });
    writes.push({ kind: 'child', record: child, ifVersion: existing ? existing.version : null });
  }
  const bad = out.filter((r) => r.problems.length).length;
  return ok({ rows: out, created, updated, unchanged, bad, writes });
}

/** What a case-list row sets on a child, unchanged. */
function sameChild(a: Child, b: Child): boolean {
  const pick = (c: Child) =>
    JSON.stringify([c.displayName, c.teamId, c.workerId, c.platforms, c.dateOfBirth ?? null]);
  return pick(a) === pick(b);
}

/**
 * A unit's writes as JSON stay under this many characters. SharePoint keeps a unit's whole intent (each
 * write with its before-image) in one multi-line column of at most 63,999 characters (store/graph/units.ts),
 * so a case list is imported in parts of at most this size: each part all or nothing, in the file's order.
 */
export const CASE_LIST_PART_CHARS = 24_000;

function inParts(writes: Write[]): Write[][] {
  const parts: Write[][] = [[]];
  let size = 0;
  for (const w of writes) {
    const n = JSON.stringify(w.record).length + 200;
    if (size + n > CASE_LIST_PART_CHARS && parts.at(-1)!.length) {
      parts.push([]);
      size = 0;
    }
    parts.at(-1)!.push(w);
    size += n;
  }
  return parts;
}

/** What importing a case list would do, row by row, writing nothing: for the administrator to check first. */
export async function previewCaseList(
  deps: Deps,
  input: z.input<typeof CaseListInput>,
): Promise<Outcome<CaseListPlan>> {
  const parsed = parse(CaseListInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  if (!ADMIN.includes(staff.value.role))
    return fail('FORBIDDEN', 'only an administrator or service manager can change the organisation');
  const plan = await planCaseList(deps, parsed.value.csv);
  if (!plan.ok) return plan;
  const { writes: _writes, ...shown } = plan.value;
  return ok(shown);
}

/**
 * Import the case list. Every bad row is named with its line and reason, and then nothing is written: a
 * case list is imported whole or not at all.
 */
export async function importCaseList(
  deps: Deps,
  input: z.input<typeof CaseListInput>,
): Promise<Outcome<CaseListReport>> {
  const parsed = parse(CaseListInput, input);
  if (!parsed.ok) return parsed;
  return adminCommand(deps, parsed.value, 'caselist.import', { kind: 'child', id: '*' }, async () => {
    const plan = await planCaseList(deps, parsed.value.csv);
    if (!plan.ok) return plan;
    const { rows, created, updated, unchanged, bad, writes } = plan.value;
    if (bad)
      return fail(
        'INVALID_INPUT',
        `csv: ${bad} bad row${bad > 1 ? 's' : ''}, nothing imported:\n${rows
          .filter((r) => r.problems.length)
          .map((r) => `line ${r.line}: ${r.problems.join('; ')}`)
          .join('\n')}`,
        'csv',
      );
    // A big list is written in parts, each its own unit and audit event, all but the last here, under a key
    // made of this command's key and the part's children (so importing the same file again after a stop
    // writes the parts still missing: what landed is unchanged and drops out of the plan); the last part is
    // this command's own unit, which answers a replay.
    const parts = inParts(writes);
    const who = await actor(deps, parsed.value.actorId);
    if (!who.ok) return who;
    let done = 0;
    for (const [n, part] of parts.slice(0, -1).entries()) {
      const ids = part.map((w) => (w.record as { id: string }).id);
      const c = cmdOf(`caselist.import#${ids.join(',')}`, parsed.value);
      const counts = { created: part.filter((w) => w.ifVersion === null).length };
      const r = await commit(
        deps,
        c,
        part,
        [
          {
            actor: { id: who.value.id, role: who.value.role },
            action: 'caselist.import',
            target: { kind: 'child', id: '*' },
            outcome: 'recorded',
            details: { part: n + 1, parts: parts.length, ...counts, updated: part.length - counts.created },
          },
        ],
        counts,
      );
      if ('conflict' in r || !r.ok)
        return fail(
          'CONFLICT',
          `csv: ${done} of ${writes.length} children imported (parts 1 to ${n} of ${parts.length}); part ${n + 1} changed meanwhile and was not written: import the same file again to finish (what was imported is left as it is)`,
          'csv',
        );
      done += part.length;
    }
    const last = parts.at(-1)!;
    return ok({
      writes: last,
      value: { created, updated, unchanged, parts: parts.length },
      details: {
        created,
        updated,
        unchanged,
        ...(parts.length > 1 ? { part: parts.length, parts: parts.length } : {}),
      },
    });
  });
}
