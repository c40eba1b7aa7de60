import { TZDate } from '@date-fns/tz';
import { startOfMonth, startOfQuarter, startOfYear } from 'date-fns';
import { z } from 'zod';
import type { Staff } from '../store/records';
import type { AuditProjection, Tally } from './audit-projection';
import { actor } from './context';
import { Id, parse } from './input';
import { fail, ok, type Deps, type Outcome } from './types';

/**
 * The service dashboard: every figure is an indexed count (`store.count` with groupBy) or comes from the
 * audit projection; no record is read one by one. A team manager sees their own teams; the service
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

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = Float64Array.from(xs).sort();
  const m = s.length >> 1;
  return Math.round((s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2) * 10) / 10;
};

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
  if (!READERS.includes(staff.value.role))
    return fail('FORBIDDEN', `the dashboard is for ${READERS.join(', ')}`);
  const now = deps.clock();
  const nowIso = now.toISOString();
  const [teamRows] = await Promise.all([deps.store.query('team', {}), projection.sync()]);
  const all = staff.value.role === 'team-manager' ? staff.value.teamIds : teamRows.map((t) => t.record.id);
  const visible = new Set(all);
  const teams = teamRows
    .map((t) => t.record)
    .filter((t) => visible.has(t.id))
    .map((t) => ({ id: t.id, name: t.name, profileId: t.profileId }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const teamIds = teams.map((t) => t.id);
  const where = { teamId: teamIds };

  const local = new TZDate(now, 'Europe/London');
  const windows = PERIODS.map((id) => ({ id, from: START[id](local).toISOString(), to: nowIso }));
  const [checkCounts, decisionCounts] = await Promise.all([
    Promise.all(
      windows.map((w) =>
        deps.store.count('check', {
          where,
          range: { field: 'viewedAt', from: w.from, to: w.to },
          groupBy: ['teamId'],
        }),
      ),
    ),
    Promise.all(
      windows.map((w) =>
        deps.store.count('decision', {
          where,
          range: { field: 'at', from: w.from, to: w.to },
          groupBy: ['teamId', 'outcome'],
        }),
      ),
    ),
  ]);
  const [reminders, objections, awaiting, pending, overdueList, objectionList] = await Promise.all([
    deps.store.count('child', { where, range: { field: 'reminderDueAt', to: nowIso }, groupBy: ['teamId'] }),
    deps.store.count('objection', {
      where: { ...where, status: ['open', 'with-ig', 'response-sent'] },
      groupBy: ['teamId'],
    }),
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
    deps.store.query('objection', {
      where: { ...where, status: ['open', 'with-ig', 'response-sent'] },
      limit: 50,
    }),
  ]);

  const inWindow = (w: { from: string; to: string }) => (t: Tally) =>
    t.at >= w.from && t.at < w.to && t.teamId !== null && visible.has(t.teamId);
  const periods = windows.map((w, n) => {
    const byTeam: Record<string, TeamFigures> = Object.fromEntries(teamIds.map((id) => [id, empty()]));
    const total = empty();
    const add = (
      teamId: string | null | undefined,
      field: keyof Omit<TeamFigures, 'medianHoursToDecision'>,
      k = 1,
    ) => {
      if (!teamId || !byTeam[teamId]) return;
      byTeam[teamId][field] += k;
      total[field] += k;
    };
    for (const row of checkCounts[n]!) add(row.group.teamId as string, 'checks', row.count);
    for (const row of decisionCounts[n]!) {
      if (row.group.outcome === 'approve') add(row.group.teamId as string, 'approvals', row.count);
      if (row.group.outcome === 'decline') add(row.group.teamId as string, 'declines', row.count);
    }
    const keep = inWindow(w);
    for (const r of projection.refusals)
      if (keep(r)) {
        add(r.teamId, 'refusals');
        if (r.repeat) add(r.teamId, 'repeatsStopped');
      }
    for (const e of projection.escalatedToRipa) if (keep(e)) add(e.teamId, 'escalatedToRipa');
    for (const e of projection.expiredUnrecorded) if (keep(e)) add(e.teamId, 'expiredUnrecorded');
    const hours = new Map<string, number[]>();
    const everyone: number[] = [];
    for (const d of projection.decisions)
      if (keep(d)) {
        everyone.push(d.hours);
        const xs = hours.get(d.teamId!) ?? [];
        if (!hours.has(d.teamId!)) hours.set(d.teamId!, xs);
        xs.push(d.hours);
      }
    for (const id of teamIds) byTeam[id]!.medianHoursToDecision = median(hours.get(id) ?? []);
    total.medianHoursToDecision = median(everyone);
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

  const objectionChildren = await Promise.all(
    objectionList.map((o) => deps.store.get('child', o.record.childId)),
  );
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
    ...overdueList.map(({ record: c }) => ({
      childId: c.id,
      caseRef: c.caseRef,
      teamId: c.teamId,
      why: 'reminder-overdue' as const,
      since: c.reminderDueAt!,
    })),
  ];
  return ok({ at: nowIso, teams, periods, open, attention });
}
