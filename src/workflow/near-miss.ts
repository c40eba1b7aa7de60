import type { Profile, Reports } from '../policy/profile';

/**
 * What a request's verdict means for the reports, read from the profile that gave it (a rule's `reports`),
 * never from a rule's id. One definition for the dashboard and the annual review: a **near-miss** is a request
 * raised or approved that the policy refused because the child was viewed too recently (`repeat-stopped`) or
 * sent to the surveillance route (`ripa-route`).
 */

export type NearMiss = Reports;

interface EventLike {
  action: string;
  outcome: string;
  profileId?: string | undefined;
  details?: unknown;
}

const ACTIONS = new Set(['request.raise', 'request.approve']);
const OUTCOME: Record<NearMiss, string> = { 'repeat-stopped': 'refuse', 'ripa-route': 'needs-escalation' };

/** Per profile: rule id → what it reports. */
const byProfile = new WeakMap<Profile, Map<string, Reports>>();
function reportsOf(p: Profile): Map<string, Reports> {
  let m = byProfile.get(p);
  if (!m) {
    m = new Map(p.rules.flatMap((r) => (r.reports ? [[r.id, r.reports] as const] : [])));
    byProfile.set(p, m);
  }
  return m;
}

/** The near-miss an audit event records, if it records one. */
export function nearMissOf(
  profiles: (id: string) => Profile | undefined,
  e: EventLike,
): NearMiss | undefined {
  if (!ACTIONS.has(e.action) || !e.profileId) return undefined;
  const determining = (e.details as { determining?: unknown } | null | undefined)?.determining;
  if (!Array.isArray(determining)) return undefined;
  const profile = profiles(e.profileId);
  if (!profile) return undefined;
  const reports = reportsOf(profile);
  for (const id of determining) {
    const r = reports.get(String(id));
    if (r && OUTCOME[r] === e.outcome) return r;
  }
  return undefined;
}

/**
 * Near-misses counted once per request: a request sent to the RIPA route when raised is sent there again by
 * each attempt to approve it, and a repeat refused at approval may be tried twice — one request, one
 * near-miss. A refused raise (no request was made) is its own near-miss.
 */
/** A refusal as every report counts it (the dashboard and the annual review alike): a request the policy or
 * the service refused as it was raised or as someone tried to approve it. One definition, so the two views
 * cannot disagree (they did: 28 on the dashboard, 21 in the review, which counted raises only). */
export function countsAsRefusal(e: { action: string; outcome: string }): boolean {
  return (e.action === 'request.raise' || e.action === 'request.approve') && e.outcome === 'refuse';
}

export class NearMissTally {
  private readonly seen = new Set<string>();
  constructor(private readonly profiles: (id: string) => Profile | undefined) {}

  /** The near-miss this event adds to the count, if it records one not yet counted for its request. */
  add(e: EventLike & { target?: { kind: string; id: string } }): NearMiss | undefined {
    const kind = nearMissOf(this.profiles, e);
    if (!kind || e.target?.kind !== 'request') return kind;
    const key = `${kind}|${e.target.id}`;
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    return kind;
  }

  /** What it has counted, to be kept in a checkpoint. */
  keys(): string[] {
    return [...this.seen];
  }

  /** Takes up a checkpoint's keys in place of its own. */
  restore(keys: readonly string[]): void {
    this.seen.clear();
    for (const k of keys) this.seen.add(k);
  }
}
