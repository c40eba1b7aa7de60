import type { AuditEvent } from '../store/audit';
import type { Store } from '../store/store';

/**
 * What the tab needs from the audit trail, kept in memory and brought up to date incrementally: the store's
 * audit log has no query by target (SharePoint's list has only `seq` in order), so each instance reads the
 * events after the last one it has seen (`afterSeq`) and files them. The trail is append-only, so this is
 * exact: two instances reading the same trail hold the same figures.
 *
 * Filed: each child's audit events (refusals, views, exports: the access log and the refused requests of a
 * child's history), and the facts only the trail holds for the dashboard — refusals, near-misses (repeats
 * stopped by the three-month rule, requests escalated to RIPA), approved checks that expired unrecorded,
 * and each decision's time from raise to decision.
 */

export interface Tally {
  at: string;
  teamId: string | null;
}
export interface DecisionTime extends Tally {
  hours: number;
}

type Details = {
  childId?: string;
  teamId?: string;
  determining?: string[];
  authority?: string;
  was?: string;
  status?: string;
};

const PAGE = 5000;
/** Events kept per child; older ones are still in the trail (`overt audit export`). */
const PER_CHILD = 2000;

export class AuditProjection {
  private seq = 0;
  private running: Promise<void> | undefined;
  private readonly childTeam = new Map<string, string>();
  private readonly requestChild = new Map<string, string>();
  private readonly raisedAt = new Map<string, string>();
  readonly byChild = new Map<string, AuditEvent[]>();
  readonly refusals: (Tally & { repeat: boolean })[] = [];
  readonly escalatedToRipa: Tally[] = [];
  readonly expiredUnrecorded: Tally[] = [];
  readonly decisions: (DecisionTime & { outcome: string })[] = [];

  constructor(private readonly store: Store) {}

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
      if (events.length < PAGE) return;
    }
  }

  private async learnTeams(children: Set<string>): Promise<void> {
    if (!children.size) return;
    const found = await Promise.all([...children].map((id) => this.store.get('child', id)));
    for (const c of found) if (c) this.childTeam.set(c.record.id, c.record.teamId);
    // Tallies filed before the team was known get it now.
    for (const list of [this.refusals, this.escalatedToRipa, this.expiredUnrecorded, this.decisions])
      for (const t of list as (Tally & { childId?: string })[])
        if (!t.teamId && t.childId) t.teamId = this.childTeam.get(t.childId) ?? null;
  }

  private childOf(e: AuditEvent): string | undefined {
    const d = (e.details ?? {}) as Details;
    if (e.target.kind === 'child') return e.target.id;
    if (d.childId) return d.childId;
    if (e.target.kind === 'request') return this.requestChild.get(e.target.id);
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
    const tally = { at: e.at, teamId: this.teamOf(childId), childId };
    const repeat = (d.determining ?? []).some((r) => r.startsWith('repeat-'));
    if (e.action === 'request.raise' && e.target.kind === 'request') {
      if (childId) this.requestChild.set(e.target.id, childId);
      this.raisedAt.set(e.target.id, e.at);
    }
    if (e.action === 'request.raise' || e.action === 'request.approve') {
      if (e.outcome === 'refuse') this.refusals.push({ ...tally, repeat });
      else if (e.outcome === 'needs-escalation' && (repeat || d.authority === 'authorised-officer'))
        this.escalatedToRipa.push(tally);
    }
    if (e.action === 'request.expire' && d.was === 'approved') this.expiredUnrecorded.push(tally);
    if ((e.action === 'request.approve' || e.action === 'request.decline') && e.target.kind === 'request') {
      const raised = this.raisedAt.get(e.target.id);
      const decided = e.outcome !== 'refuse' && e.outcome !== 'needs-escalation';
      if (raised && decided)
        this.decisions.push({
          ...tally,
          outcome: e.action.slice('request.'.length),
          hours: (Date.parse(e.at) - Date.parse(raised)) / 3_600_000,
        });
    }
  }
}
