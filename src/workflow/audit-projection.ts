import { createHash, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { builtinProfile } from '../policy/builtin';
import { dayOf } from '../policy/days';
import { DEFAULT_TIME_ZONE, type Profile } from '../policy/profile';
import type { AuditEvent } from '../store/audit';
import type { Store } from '../store/store';
import { countsAsRefusal, NearMissTally } from './near-miss';

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
 *
 * Two cursors: the tallies' (`syncTallies`, what the dashboard needs) and the children's events' (`sync`,
 * what a child's record needs, which also brings the tallies up). The tallies are kept in the store as a
 * checkpoint (`projection` records: a manifest and gzipped parts, checked by their SHA-256), written by an
 * instance once `checkpointEvery` events have been filed since the last, under a lease so instances take
 * turns; a new instance's first `syncTallies` starts from it and reads only the events after it, so the
 * first dashboard on a SharePoint site with years of trail costs a few requests, not the whole trail. A
 * request or child raised before the checkpoint is looked up in the store when an event after it needs
 * its child or when it was raised.
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
/** The checkpoint's manifest (a `projection` record) and its parts' ids. */
export const CHECKPOINT = 'audit-projection';
const partId = (slot: string, i: number) => `${CHECKPOINT}.${slot}.${i}`;
/** Characters of base64 per part: a part and its before-image fit in a SharePoint unit's intent (63,999). */
const PART_CHARS = 25_000;
const CHECKPOINT_LEASE_MS = 120_000;
/** A checkpoint once this many events have been filed since the last. */
export const CHECKPOINT_EVERY = 2000;

const Manifest = z.object({
  v: z.literal(1),
  seq: z.number().int().nonnegative(),
  slot: z.enum(['a', 'b']),
  parts: z.number().int().positive(),
  sha256: z.string(),
});
type Manifest = z.infer<typeof Manifest>;

/** What a checkpoint holds: the tallies as of `seq`, and what filing the events after it needs. */
type Saved = {
  v: 1;
  seq: number;
  counts: Record<string, [string, [string, number][]][]>;
  /** Milliseconds from raise to decision (whole numbers: the hours are these over 3,600,000). */
  ms: [string, [string, number[]][]][];
  zones: [string, string][];
  childTeam: [string, string][];
  nearMisses: string[];
};

export type ProjectionOptions = {
  /** Write a checkpoint once this many events have been filed since the last; 0: never. */
  checkpointEvery?: number;
  /** Start from the store's checkpoint (default true). */
  fromCheckpoint?: boolean;
  log?: (message: string) => void;
};
/** A team whose record is gone: the zone a profile has when it names none. */
const DEFAULT_ZONE = DEFAULT_TIME_ZONE;
/** Events kept per child; older ones are still in the trail (`overt audit export`). */
const PER_CHILD = 2000;

export class AuditProjection {
  /** The last event filed in the tallies, and in the children's events (never beyond `seq`). */
  private seq = 0;
  private childSeq = 0;
  private tallying: Promise<void> | undefined;
  private syncing: Promise<void> | undefined;
  /** Passes run one at a time. */
  private queue: Promise<void> = Promise.resolve();
  private checkpointRead = false;
  /** The seq of the newest checkpoint known to be in the store (read or written). */
  private savedSeq = 0;
  private saving: Promise<void> | undefined;
  private readonly holder = `projection-${randomUUID()}`;
  private readonly every: number;
  private readonly fromCheckpoint: boolean;
  private readonly log: (message: string) => void;
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
    options: ProjectionOptions = {},
  ) {
    this.nearMisses = new NearMissTally(profiles);
    this.every = options.checkpointEvery ?? CHECKPOINT_EVERY;
    this.fromCheckpoint = options.fromCheckpoint ?? true;
    this.log = options.log ?? (() => undefined);
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

  /** Brings the tallies up to the end of the trail (from the store's checkpoint, the first time);
   * concurrent callers share one pass. */
  syncTallies(): Promise<void> {
    this.tallying ??= this.run(() => this.tallyPass()).finally(() => (this.tallying = undefined));
    return this.tallying;
  }

  /** Brings the tallies and every child's events up to the end of the trail; concurrent callers share one
   * pass. */
  sync(): Promise<void> {
    this.syncing ??= this.run(() => this.pass(true)).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** The checkpoint being written, if one is. */
  async settled(): Promise<void> {
    await this.saving;
  }

  private run(pass: () => Promise<void>): Promise<void> {
    const ran = this.queue.then(pass);
    this.queue = ran.catch(() => undefined);
    return ran;
  }

  private async tallyPass(): Promise<void> {
    if (!this.checkpointRead && this.fromCheckpoint) {
      this.checkpointRead = true;
      await this.readCheckpoint().catch((err: Error) =>
        this.log(`audit projection: the checkpoint could not be read (${err.message}); reading the trail`),
      );
    }
    await this.pass(false);
  }

  /** The events filed against one child, oldest first. */
  childEvents(childId: string): readonly AuditEvent[] {
    return this.byChild.get(childId) ?? [];
  }

  /** The child's team as the trail or the store knows it. */
  teamOf(childId: string | undefined): string | null {
    return (childId && this.childTeam.get(childId)) || null;
  }

  /** Files the events after the tallies' cursor (and after the children's, with `children`, or while the
   * two are in step). */
  private async pass(children: boolean): Promise<void> {
    for (;;) {
      const inStep = this.childSeq === this.seq;
      const from = children ? this.childSeq : this.seq;
      const events = await this.store.audit.list({ afterSeq: from, limit: PAGE });
      await this.learnRequests(events.filter((e) => e.seq > this.seq));
      const unknown = new Set<string>();
      for (const e of events) {
        const tallies = e.seq > this.seq;
        const child = children || inStep;
        this.file(e, tallies, child);
        if (tallies) this.seq = e.seq;
        if (child) this.childSeq = e.seq;
        const c = this.childOf(e);
        if (c && !this.childTeam.has(c)) unknown.add(c);
      }
      await this.learnTeams(unknown);
      await this.learnZones();
      this.flush();
      if (events.length < PAGE) break;
    }
    this.checkpointLater();
  }

  /** The requests events after a checkpoint name but whose raise came before it: their child and when
   * they were raised, from the store. */
  private async learnRequests(events: readonly AuditEvent[]): Promise<void> {
    const ids = new Set<string>();
    // Raised among these events: filed before the events that follow them, so not looked up.
    const raised = new Set(
      events
        .filter((e) => e.action === 'request.raise' && e.target.kind === 'request')
        .map((e) => e.target.id),
    );
    for (const e of events) {
      if (e.action === 'request.raise') continue;
      const d = (e.details ?? {}) as Details;
      const id = e.target.kind === 'request' ? e.target.id : d.requestId;
      if (id && !raised.has(id) && !(this.requestChild.has(id) && this.raisedAt.has(id))) ids.add(id);
    }
    if (!ids.size) return;
    const found = await Promise.all([...ids].map((id) => this.store.get('request', id)));
    for (const r of found) {
      if (!r) continue;
      if (!this.requestChild.has(r.record.id)) this.requestChild.set(r.record.id, r.record.childId);
      if (!this.raisedAt.has(r.record.id)) this.raisedAt.set(r.record.id, r.record.createdAt);
      if (!this.childTeam.has(r.record.childId)) this.childTeam.set(r.record.childId, r.record.teamId);
    }
  }

  private async readCheckpoint(): Promise<void> {
    const found = await this.store.get('projection', CHECKPOINT);
    if (!found) return;
    const manifest = Manifest.safeParse(JSON.parse(found.record.value));
    if (!manifest.success) return this.log('audit projection: the checkpoint manifest is not readable');
    const m = manifest.data;
    this.savedSeq = Math.max(this.savedSeq, m.seq);
    if (m.seq <= this.seq) return;
    const parts = await Promise.all(
      Array.from({ length: m.parts }, (_, i) => this.store.get('projection', partId(m.slot, i))),
    );
    const text = parts.map((p) => p?.record.value ?? '').join('');
    if (createHash('sha256').update(text).digest('hex') !== m.sha256)
      return this.log('audit projection: the checkpoint does not match its hash; reading the trail');
    const saved = JSON.parse(gunzipSync(Buffer.from(text, 'base64')).toString('utf8')) as Saved;
    if (saved.v !== 1 || saved.seq !== m.seq) return;
    if (saved.seq <= this.seq) return;
    for (const series of SERIES)
      this.counts[series] = new Map(
        (saved.counts[series] ?? []).map(([team, days]) => [team, new Map(days)]),
      );
    this.hours.clear();
    for (const [team, days] of saved.ms)
      this.hours.set(team, new Map(days.map(([day, ms]) => [day, ms.map((x) => x / 3_600_000)])));
    for (const [team, zone] of saved.zones) this.teamZone.set(team, zone);
    for (const [child, team] of saved.childTeam) this.childTeam.set(child, team);
    this.nearMisses.restore(saved.nearMisses);
    this.seq = saved.seq;
  }

  /** Writes a checkpoint in the background once enough has been filed since the last. */
  private checkpointLater(): void {
    if (!this.every || this.saving || this.seq - this.savedSeq < this.every) return;
    const saved: Saved = {
      v: 1,
      seq: this.seq,
      counts: Object.fromEntries(
        SERIES.map((s) => [s, [...this.counts[s]].map(([team, days]) => [team, [...days]])]),
      ),
      ms: [...this.hours].map(([team, days]) => [
        team,
        [...days].map(([day, hs]) => [day, hs.map((h) => Math.round(h * 3_600_000))]),
      ]),
      zones: [...this.teamZone],
      childTeam: [...this.childTeam],
      nearMisses: this.nearMisses.keys(),
    };
    this.savedSeq = saved.seq;
    this.saving = this.writeCheckpoint(saved)
      .catch((err: Error) => this.log(`audit projection: the checkpoint was not written (${err.message})`))
      .finally(() => (this.saving = undefined));
  }

  private async writeCheckpoint(saved: Saved): Promise<void> {
    const now = new Date();
    if (!(await this.store.lease(`${CHECKPOINT}-writer`, this.holder, CHECKPOINT_LEASE_MS, now))) return;
    const current = await this.store.get('projection', CHECKPOINT);
    const before = current ? Manifest.safeParse(JSON.parse(current.record.value)) : undefined;
    if (before?.success && before.data.seq >= saved.seq) return;
    // The slot the current manifest does not name, so a reader of the current one is not disturbed.
    const slot = before?.success && before.data.slot === 'a' ? 'b' : 'a';
    const text = gzipSync(JSON.stringify(saved)).toString('base64');
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += PART_CHARS) parts.push(text.slice(i, i + PART_CHARS));
    const at = now.toISOString();
    for (const [i, value] of parts.entries()) {
      const r = await this.store.commit({
        key: `${this.holder}.${saved.seq}.${i}`,
        at,
        writes: [{ kind: 'projection', record: { id: partId(slot, i), value } }],
        audit: [],
      });
      if (r.status === 'conflict') return;
    }
    const manifest: Manifest = {
      v: 1,
      seq: saved.seq,
      slot,
      parts: parts.length,
      sha256: createHash('sha256').update(text).digest('hex'),
    };
    await this.store.commit({
      key: `${this.holder}.${saved.seq}.manifest`,
      at,
      writes: [
        {
          kind: 'projection',
          record: { id: CHECKPOINT, value: JSON.stringify(manifest) },
          ifVersion: current?.version ?? null,
        },
      ],
      audit: [],
    });
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

  private file(e: AuditEvent, tallies: boolean, children: boolean): void {
    const d = (e.details ?? {}) as Details;
    const childId = this.childOf(e);
    if (childId && d.teamId) this.childTeam.set(childId, d.teamId);
    if (e.action === 'request.raise' && e.target.kind === 'request') {
      if (childId) this.requestChild.set(e.target.id, childId);
      this.raisedAt.set(e.target.id, e.at);
    }
    if (childId && children) {
      const list = this.byChild.get(childId) ?? [];
      if (!this.byChild.has(childId)) this.byChild.set(childId, list);
      list.push(e);
      if (list.length > PER_CHILD) list.splice(0, list.length - PER_CHILD);
    }
    if (!tallies) return;
    const series: Series[] = [];
    let hours: number | undefined;
    const nearMiss = this.nearMisses.add(e);
    if (countsAsRefusal(e)) series.push('refusals');
    if (e.action === 'request.raise' || e.action === 'request.approve') {
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
