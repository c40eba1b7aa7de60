import { builtinProfile } from '../policy/builtin';
import { dayOf } from '../policy/days';
import { DEFAULT_TIME_ZONE, type Profile } from '../policy/profile';
import type { AuditEvent } from '../store/audit';
import type { Store } from '../store/store';
import { NearMissTally } from './near-miss';

/**
 * What the tab needs from the audit trail, kept in memory and brought up to date incrementally: the store's
 * audit log has no query by target (SharePoint's list has only `seq` in order), so each instance reads the
 * events after the last one it has seen (`afterSeq`) and files them. The trail is append-only, so this is
 * exact: two instances reading the same trail hold the same figures.
 *
 * Filed: each child's audit events (refusals, views, exports: the access log and the refused requests of a
 * child's history), and the dashboard's tallies by team and time: checks recorded, approvals and declines
 * with each decision's time from raise to decision, refusals, near-misses (what the profile's rules say they
 * report: repeats stopped, requests sent to the RIPA route; `near-miss.ts`) and approved checks that expired
 * unrecorded. Days are calendar days in the time zone of the team's profile. Every record
 * these count is written in the same unit as its event, so the tallies agree with the records; and they
 * cost no store read per dashboard (SQLite would read 100,000 rows for a year's checks by team, Graph
 * every item).
 */

/** What the dashboard counts, by team and by day (in the team's profile's time zone). */
export const SERIES = [
  'checks',
  'approvals',
  'declines',
  'refusals',
  'repeatsStopped',
  'escalatedToRipa',
  'expiredUnrecorded',
] as const;
export type Series = (typeof SERIES)[number];
/** team → day (YYYY-MM-DD, in the team's time zone) → value. */
export type ByTeamDay<T> = Map<string, Map<string, T>>;

type Details = {
  childId?: string;
  requestId?: string;
  teamId?: string;
  determining?: string[];
  authority?: string;
  was?: string;
  status?: string;
};

const PAGE = 5000;
/** A team whose record is gone: the zone a profile has when it names none. */
const DEFAULT_ZONE = DEFAULT_TIME_ZONE;
/** Events kept per child; older ones are still in the trail (`overt audit export`). */
const PER_CHILD = 2000;

export class AuditProjection {
  private seq = 0;
  private running: Promise<void> | undefined;
  private readonly childTeam = new Map<string, string>();
  private readonly requestChild = new Map<string, string>();
  private readonly raisedAt = new Map<string, string>();
  private readonly nearMisses: NearMissTally;
  readonly byChild = new Map<string, AuditEvent[]>();
  /** Counts per series, team and day. Checks are counted on the day they were recorded. */
  readonly counts = Object.fromEntries(SERIES.map((s) => [s, new Map()])) as Record<
    Series,
    ByTeamDay<number>
  >;
  /** Hours from raise to decision, per team and day of the decision. */
  readonly hours: ByTeamDay<number[]> = new Map();
  /** Tallies whose child's team is not yet known (filed once it is). */
  private pending: { series: Series[]; childId: string | undefined; at: string; hours?: number }[] = [];

  /** Each team's time zone: its profile's. */
  private readonly teamZone = new Map<string, string>();

  constructor(
    private readonly store: Store,
    /** Profiles by id (the built-ins and any custom ones): what a rule reports, and a team's time zone. */
    private readonly profiles: (id: string) => Profile | undefined = builtinProfile,
  ) {
    this.nearMisses = new NearMissTally(profiles);
  }

  /** The time zone a team's days are counted in: its profile's (a team not yet seen: the built-in default). */
  zoneOf(teamId: string): string {
    return this.teamZone.get(teamId) ?? DEFAULT_ZONE;
  }

  /** The calendar day of an instant for a team. */
  dayFor(teamId: string, iso: string): string {
    return dayOf(iso, this.zoneOf(teamId));
  }

  /** The last audit seq filed. */
  get at(): number {
    return this.seq;
  }

  /** Reads and files every event after the last one seen; concurrent callers share one pass. */
  sync(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** The events filed against one child, oldest first. */
  childEvents(childId: string): readonly AuditEvent[] {
    return this.byChild.get(childId) ?? [];
  }

  /** The child's team as the trail or the store knows it. */
  teamOf(childId: string | undefined): string | null {
    return (childId && this.childTeam.get(childId)) || null;
  }

  private async pass(): Promise<void> {
    for (;;) {
      const events = await this.store.audit.list({ afterSeq: this.seq, limit: PAGE });
      const unknown = new Set<string>();
      for (const e of events) {
        this.file(e);
        this.seq = e.seq;
        const child = this.childOf(e);
        if (child && !this.childTeam.has(child)) unknown.add(child);
      }
      await this.learnTeams(unknown);
      await this.learnZones();
      this.flush();
      if (events.length < PAGE) return;
    }
  }

  private async learnTeams(children: Set<string>): Promise<void> {
    if (!children.size) return;
    const found = await Promise.all([...children].map((id) => this.store.get('child', id)));
    for (const c of found) if (c) this.childTeam.set(c.record.id, c.record.teamId);
  }

  /** The time zone of each team a tally is waiting for, from the team's profile. */
  private async learnZones(): Promise<void> {
    const teams = new Set<string>();
    for (const p of this.pending) {
      const team = this.teamOf(p.childId);
      if (team && !this.teamZone.has(team)) teams.add(team);
    }
    const found = await Promise.all([...teams].map((id) => this.store.get('team', id)));
    for (const t of found)
      if (t) this.teamZone.set(t.record.id, this.profiles(t.record.profileId)?.timeZone ?? DEFAULT_ZONE);
  }

  private flush(): void {
    for (const p of this.pending) {
      const team = this.teamOf(p.childId);
      if (!team) continue;
      const day = this.dayFor(team, p.at);
      for (const series of p.series) {
        const byDay = this.counts[series].get(team) ?? new Map<string, number>();
        if (!this.counts[series].has(team)) this.counts[series].set(team, byDay);
        byDay.set(day, (byDay.get(day) ?? 0) + 1);
      }
      if (p.hours !== undefined) {
        const byDay = this.hours.get(team) ?? new Map<string, number[]>();
        if (!this.hours.has(team)) this.hours.set(team, byDay);
        const xs = byDay.get(day) ?? [];
        if (!byDay.has(day)) byDay.set(day, xs);
        xs.push(p.hours);
      }
    }
    this.pending = [];
  }

  private childOf(e: AuditEvent): string | undefined {
    const d = (e.details ?? {}) as Details;
    if (e.target.kind === 'child') return e.target.id;
    if (d.childId) return d.childId;
    if (e.target.kind === 'request') return this.requestChild.get(e.target.id);
    if (d.requestId) return this.requestChild.get(d.requestId);
    return undefined;
  }

  private file(e: AuditEvent): void {
    const d = (e.details ?? {}) as Details;
    const childId = this.childOf(e);
    if (childId && d.teamId) this.childTeam.set(childId, d.teamId);
    if (childId) {
      const list = this.byChild.get(childId) ?? [];
      if (!this.byChild.has(childId)) this.byChild.set(childId, list);
      list.push(e);
      if (list.length > PER_CHILD) list.splice(0, list.length - PER_CHILD);
    }
    const series: Series[] = [];
    let hours: number | undefined;
    const nearMiss = this.nearMisses.add(e);
    if (e.action === 'request.raise' && e.target.kind === 'request') {
      if (childId) this.requestChild.set(e.target.id, childId);
      this.raisedAt.set(e.target.id, e.at);
    }
    if (e.action === 'request.raise' || e.action === 'request.approve') {
      if (e.outcome === 'refuse') series.push('refusals');
      if (nearMiss === 'repeat-stopped') series.push('repeatsStopped');
      if (nearMiss === 'ripa-route') series.push('escalatedToRipa');
    }
    if (e.action === 'request.expire' && d.was === 'approved') series.push('expiredUnrecorded');
    const decided = e.outcome !== 'refuse' && e.outcome !== 'needs-escalation';
    if (
      (e.action === 'request.approve' || e.action === 'request.decline') &&
      e.target.kind === 'request' &&
      decided
    ) {
      series.push(e.action === 'request.approve' ? 'approvals' : 'declines');
      const raised = this.raisedAt.get(e.target.id);
      if (raised) hours = (Date.parse(e.at) - Date.parse(raised)) / 3_600_000;
    }
    if (e.action === 'check.record' && e.target.kind === 'check' && e.outcome === 'allow')
      series.push('checks');
    if (series.length || hours !== undefined)
      this.pending.push({ series, childId, at: e.at, ...(hours !== undefined ? { hours } : {}) });
  }
}
