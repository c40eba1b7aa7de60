import { onlyRoles } from '../vocabulary';
import { TZDate } from '@date-fns/tz';
import { startOfMonth, startOfQuarter, startOfYear } from 'date-fns';
import { z } from 'zod';
import type { Child, Staff } from '../store/records';
import { SERIES, type AuditProjection } from './audit-projection';
import { mayRead } from './child-record';
import { actor, teamProfile } from './context';
import { Id, parse } from './input';
import { fail, ok, type Deps, type Outcome } from './types';

/**
 * The service dashboard. What is open now is an indexed count (`store.count` with groupBy: objections,
 * reminders due, requests awaiting a decision or a record); what happened in a period comes from the audit
 * projection's tallies by team and day in the team's profile's time zone (checks recorded, decisions,
 * refusals, near-misses), which
 * cost no store read. A team manager sees their own teams; the service
 * manager, information governance and the administrator see the service.
 */

export const PERIODS = ['month', 'quarter', 'year'] as const;
export type Period = (typeof PERIODS)[number];
const START = { month: startOfMonth, quarter: startOfQuarter, year: startOfYear } as const;

export const DashboardInput = z.object({ actorId: Id });
const READERS: Staff['role'][] = [
  'service-manager',
  'information-governance',
  'administrator',
  'team-manager',
];

export interface TeamFigures {
  checks: number;
  approvals: number;
  declines: number;
  refusals: number;
  repeatsStopped: number;
  escalatedToRipa: number;
  expiredUnrecorded: number;
  medianHoursToDecision: number | null;
}

export interface Dashboard {
  at: string;
  teams: { id: string; name: string; profileId: string }[];
  periods: {
    id: Period;
    from: string;
    to: string;
    byTeam: Record<string, TeamFigures>;
    total: TeamFigures;
  }[];
  /** Now, by team. */
  open: Record<
    string,
    { overdueReminders: number; openObjections: number; awaitingRecord: number; pending: number }
  >;
  /** Children needing attention: overdue consent reminders and open objections (links into the history). */
  attention: {
    childId: string;
    caseRef: string;
    teamId: string;
    why: 'reminder-overdue' | 'objection-open';
    since: string;
  }[];
}

/** The median of several lists, by selection (linear time), to a tenth. */
export function median(lists: number[][]): number | null {
  let n = 0;
  for (const xs of lists) n += xs.length;
  if (!n) return null;
  const a = new Float64Array(n);
  let i = 0;
  for (const xs of lists) for (const x of xs) a[i++] = x;
  const hi = select(a, n >> 1);
  const m = n % 2 ? hi : (hi + max(a, n >> 1)) / 2;
  return Math.round(m * 10) / 10;
}

/** The k-th smallest (0-based) of a, which it partly reorders (Hoare's selection). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** The largest of a[0..end) — after select(a, end), the element just below the median. */
function max(a: Float64Array, end: number): number {
  let m = -Infinity;
  for (let i = 0; i < end; i++) if (a[i]! > m) m = a[i]!;
  return m;
}

const OPEN_OBJECTION: ('open' | 'with-ig' | 'response-sent')[] = ['open', 'with-ig', 'response-sent'];

const empty = (): TeamFigures => ({
  checks: 0,
  approvals: 0,
  declines: 0,
  refusals: 0,
  repeatsStopped: 0,
  escalatedToRipa: 0,
  expiredUnrecorded: 0,
  medianHoursToDecision: null,
});

export async function serviceDashboard(
  deps: Deps,
  projection: AuditProjection,
  input: z.input<typeof DashboardInput>,
): Promise<Outcome<Dashboard>> {
  const parsed = parse(DashboardInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  if (!READERS.includes(staff.value.role)) return fail('FORBIDDEN', onlyRoles(READERS));
  const now = deps.clock();
  const nowIso = now.toISOString();
  const [teamRows] = await Promise.all([deps.store.query('team', {}), projection.syncTallies()]);
  const all = staff.value.role === 'team-manager' ? staff.value.teamIds : teamRows.map((t) => t.record.id);
  const visible = new Set(all);
  const teams = teamRows
    .map((t) => t.record)
    .filter((t) => visible.has(t.id))
    .map((t) => ({ id: t.id, name: t.name, profileId: t.profileId }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const teamIds = teams.map((t) => t.id);
  // Service-wide readers count everything; a team manager's counts are their teams'.
  const where = staff.value.role === 'team-manager' ? { teamId: teamIds } : {};

  // A period starts on the team's own calendar (its profile's time zone); the headline window is the
  // calendar of the tenant's profile.
  const zone = deps.profiles(deps.settings.defaultProfileId)?.timeZone ?? projection.zoneOf('');
  const startIn = (id: Period, tz: string) => START[id](new TZDate(now, tz)).toISOString();
  const windows = PERIODS.map((id) => ({ id, from: startIn(id, zone), to: nowIso }));
  const [reminders, objections, awaiting, pending, overdueList, objectionList] = await Promise.all([
    deps.store.count('child', { where, range: { field: 'reminderDueAt', to: nowIso }, groupBy: ['teamId'] }),
    deps.store.count('objection', { where: { ...where, status: OPEN_OBJECTION }, groupBy: ['teamId'] }),
    deps.store.count('request', { where: { ...where, status: 'approved' }, groupBy: ['teamId'] }),
    deps.store.count('request', {
      where: { ...where, status: ['pending', 'escalated', 'more-info'] },
      groupBy: ['teamId'],
    }),
    deps.store.query('child', {
      where,
      range: { field: 'reminderDueAt', to: nowIso },
      orderBy: { field: 'reminderDueAt', dir: 'asc' },
      limit: 50,
    }),
    deps.store.query('objection', { where: { ...where, status: OPEN_OBJECTION }, limit: 50 }),
  ]);

  // The projection counts by the team's days: a window is the days from its first to today, on its calendar.
  const days = new Map(
    teamIds.map((team) => {
      const tz = projection.zoneOf(team);
      const first = PERIODS.map((id) => projection.dayFor(team, startIn(id, tz)));
      return [team, { today: projection.dayFor(team, nowIso), first }] as const;
    }),
  );
  const periods = windows.map((w, n) => {
    const byTeam: Record<string, TeamFigures> = {};
    const total = empty();
    const all: number[][] = [];
    for (const team of teamIds) {
      const { today, first } = days.get(team)!;
      const from = first[n]!;
      const f = (byTeam[team] = empty());
      for (const series of SERIES)
        for (const [day, k] of projection.counts[series].get(team) ?? [])
          if (day >= from && day <= today) f[series] += k;
      const hours: number[][] = [];
      for (const [day, xs] of projection.hours.get(team) ?? [])
        if (day >= from && day <= today) hours.push(xs);
      f.medianHoursToDecision = median(hours);
      all.push(...hours);
      for (const series of SERIES) total[series] += f[series];
    }
    total.medianHoursToDecision = median(all);
    return { ...w, byTeam, total };
  });

  const open: Dashboard['open'] = Object.fromEntries(
    teamIds.map((id) => [id, { overdueReminders: 0, openObjections: 0, awaitingRecord: 0, pending: 0 }]),
  );
  const put = (
    rows: { group: { teamId?: unknown }; count: number }[],
    field: keyof Dashboard['open'][string],
  ) => {
    for (const r of rows) {
      const o = open[String(r.group.teamId)];
      if (o) o[field] = r.count;
    }
  };
  put(reminders, 'overdueReminders');
  put(objections, 'openObjections');
  put(awaiting, 'awaitingRecord');
  put(pending, 'pending');

  // A child is named only to a reader who may see that child's record (the view rule of the child history
  // and the exports): the administrator, refused every child's record by Nottinghamshire, sees the counts only.
  const profiles = new Map<string, Promise<Awaited<ReturnType<typeof teamProfile>>>>();
  const maySee = async (c: Child): Promise<boolean> => {
    if (!profiles.has(c.teamId)) profiles.set(c.teamId, teamProfile(deps, c.teamId));
    const tp = await profiles.get(c.teamId)!;
    return tp.ok && (await mayRead(deps, staff.value, c, tp.value.profile)).ok;
  };
  const objectionChildren = await Promise.all(
    objectionList.map(async (o) => {
      const c = await deps.store.get('child', o.record.childId);
      return c && (await maySee(c.record)) ? c : undefined;
    }),
  );
  const overdueSeen = await Promise.all(overdueList.map(async (o) => ((await maySee(o.record)) ? o : [])));
  const attention: Dashboard['attention'] = [
    ...objectionList.flatMap((o, n) => {
      const c = objectionChildren[n]?.record;
      return c
        ? [
            {
              childId: c.id,
              caseRef: c.caseRef,
              teamId: c.teamId,
              why: 'objection-open' as const,
              since: o.record.raisedAt,
            },
          ]
        : [];
    }),
    ...overdueSeen.flat().map(({ record: c }) => ({
      childId: c.id,
      caseRef: c.caseRef,
      teamId: c.teamId,
      why: 'reminder-overdue' as const,
      since: c.reminderDueAt!,
    })),
  ];
  return ok({ at: nowIso, teams, periods, open, attention });
}
