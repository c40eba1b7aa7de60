import { addMonths } from 'date-fns';
import { RETENTION_FROM, type Profile, type RetentionKind, type RetentionRule } from '../policy/profile';
import { ERASE_ACTION } from '../store/audit';
import { normaliseDate } from '../store/indexes';
import type { Kind, RecordOf } from '../store/records';
import type { Versioned } from '../store/store';
import type { Deps } from './types';
import { z } from 'zod';
import { readSetting, writeSetting } from './bookkeeping';
import { erasedAnswer } from './context';

/**
 * Retention (issue 15 item 5): each team's profile schedules how long each kind of record is kept, from
 * an event (the request closing, the check, the authorisation ending…). `runRetention` erases what is due:
 * the record keeps its ids, dates and statuses (so counts, the dashboard and the chain stay whole) and
 * loses its personal content. Every other copy of that content goes with it: the details of every audit
 * event about the record or written with it (their hashes kept, so `overt audit verify` still passes), the
 * answers kept with those units' idempotency keys (the key stays, its answer says it was erased), and, in
 * the store's own files, the space the text lay in (`Store.scrub`). Each erasure is one unit with its own
 * `retention.erase` event naming the events and units it erased, under a key derived from the record, so a
 * second run erases nothing twice.
 *
 * What must stay stays: open requests and objections, a child's current consent while the child's own
 * details are kept, and every record about a child under a RIPA authorisation until the RIPA records'
 * own period (at least three years after it ends) has passed.
 */

const SYSTEM = { id: 'system' };
const ERASED = '(erased)';
/** What an erasure names (kept as its unit's answer, so a run cut short is finished by the next). */
const Named = z.object({
  events: z.array(z.number().int()).default([]),
  units: z.array(z.string()).default([]),
});

/** The day (or instant) each kind's period runs from; undefined while it has not happened (open). */
function fromDate(kind: RetentionKind, record: Record<string, unknown>): string | undefined {
  const r = record as Partial<Record<string, string>> & Record<string, unknown>;
  switch (kind) {
    case 'request':
      return ['pending', 'more-info', 'approved', 'escalated'].includes(String(r.status))
        ? undefined
        : r.updatedAt;
    case 'decision':
      return r.at;
    case 'check':
      return r.viewedAt;
    case 'consent':
      return r.date;
    case 'reminder':
      return r.givenAt;
    case 'objection':
      return r.status === 'resolved' ? (r.resolvedAt ?? r.raisedAt) : undefined;
    case 'ripa':
      return r.cancelledAt ?? r.until;
    case 'child':
      return r.createdAt;
  }
}

/** The indexed date field a first, wide query can narrow on (the exact date is checked after). */
const NARROW: Partial<Record<RetentionKind, string>> = {
  request: 'updatedAt',
  decision: 'at',
  check: 'viewedAt',
  consent: 'date',
  reminder: 'givenAt',
  objection: 'raisedAt',
  child: 'createdAt',
};

/** The record without its personal content (ids, dates, statuses and flags stay). */
function erase(kind: RetentionKind, record: Record<string, unknown>): Record<string, unknown> {
  switch (kind) {
    case 'request':
      return { ...record, platforms: [], rationale: undefined, answers: undefined };
    case 'decision':
      return { ...record, reasons: '' };
    case 'check':
      return {
        ...record,
        accounts: [],
        relevantInfo: '',
        thirdPartyRationale: undefined,
        safeguardingFollowUp: undefined,
      };
    case 'consent':
      return {
        ...record,
        givenBy: ERASED,
        scope: { platforms: [], purposes: [] },
      };
    case 'reminder':
      return record;
    case 'objection':
      return { ...record, raisedBy: ERASED, response: undefined };
    case 'ripa':
      return {
        ...record,
        legalAdviceRef: ERASED,
        offence: ERASED,
        ...(record.necessity ? { necessity: ERASED } : {}),
        ...(record.proportionality ? { proportionality: ERASED } : {}),
        ...(record.cancelReasons ? { cancelReasons: ERASED } : {}),
        ...(Array.isArray(record.reviews)
          ? { reviews: (record.reviews as object[]).map((r) => ({ ...r, notes: ERASED })) }
          : {}),
        ...(Array.isArray(record.renewals)
          ? { renewals: (record.renewals as object[]).map((r) => ({ ...r, reasons: ERASED })) }
          : {}),
      };
    case 'child':
      return { ...record, displayName: ERASED, platforms: [] };
  }
}

export type RetentionReport = {
  /** Records erased in this run, by kind. */
  erased: Partial<Record<RetentionKind, number>>;
  /** Audit events whose details were erased in this run. */
  eventDetails: number;
  /** Records past their period kept because they must stay (open, current consent, RIPA hold). */
  held: number;
};

type Due = {
  kind: RetentionKind;
  record: Versioned<Kind>;
  rule: RetentionRule;
  profile: Profile;
  since: string;
};

/** Erases what is due at `deps.clock()`. */
export async function runRetention(deps: Deps): Promise<RetentionReport> {
  const now = deps.clock();
  const nowIso = now.toISOString();
  const report: RetentionReport = { erased: {}, eventDetails: 0, held: 0 };

  const teams = await deps.store.query('team');
  const profiles = new Map<string, Profile>();
  for (const t of teams) {
    const p = deps.profiles(t.record.profileId);
    if (p?.retention) profiles.set(t.record.id, p);
  }
  if (profiles.size === 0) return report;
  const ripaRule = (teamId: string) =>
    profiles.get(teamId)?.retention?.schedule.find((r) => r.kind === 'ripa');

  // Every child under a RIPA authorisation is held until that authorisation's records are due.
  const holds = new Map<string, string>();
  for (const { record: r } of await deps.store.query('ripa')) {
    const months = ripaRule(r.teamId)?.months ?? 36;
    const until = addMonths(
      new Date(normaliseDate(r.cancelledAt ?? r.until)),
      Math.max(months, 36),
    ).toISOString();
    if ((holds.get(r.childId) ?? '') < until) holds.set(r.childId, until);
  }
  const held = (childId: string) => (holds.get(childId) ?? '') > nowIso;

  const ruleOf = (teamId: string, kind: RetentionKind) =>
    profiles.get(teamId)?.retention?.schedule.find((r) => r.kind === kind);
  const kindsScheduled = new Set<RetentionKind>();
  for (const p of profiles.values()) for (const r of p.retention!.schedule) kindsScheduled.add(r.kind);
  /** Records whose narrowing date is before the shortest period's cut-off: a superset of those due. */
  const candidates = async (kind: RetentionKind) => {
    let cutoff = nowIso;
    for (const p of profiles.values()) {
      const rule = p.retention!.schedule.find((r) => r.kind === kind);
      const c = rule && addMonths(now, -rule.months).toISOString();
      if (c && c < cutoff) cutoff = c;
    }
    const field = NARROW[kind];
    const query = field ? { range: { field, to: addMonths(new Date(cutoff), 0).toISOString() } } : {};
    return (await deps.store.query(kind as Kind, query as never)) as Versioned<Kind>[];
  };
  const sinceOf = (kind: RetentionKind, record: Record<string, unknown>, rule: RetentionRule) => {
    const from = fromDate(kind, record);
    return from === undefined
      ? undefined
      : addMonths(new Date(normaliseDate(from)), rule.months).toISOString();
  };

  // A child's own details: due when the child's last record is past the child's period, nothing about
  // it is open, and it is not held.
  const dueChildren: Due[] = [];
  if (kindsScheduled.has('child')) {
    for (const v of await candidates('child')) {
      const child = v.record as RecordOf<'child'>;
      const rule = ruleOf(child.teamId, 'child');
      if (!rule) continue;
      let last = normaliseDate(child.createdAt);
      let open = false;
      for (const kind of [
        'request',
        'decision',
        'check',
        'consent',
        'reminder',
        'objection',
        'ripa',
      ] as const) {
        for (const { record } of await deps.store.query(kind, { where: { childId: child.id } })) {
          const from = fromDate(kind, record as never);
          if (from === undefined) open = true;
          else if (normaliseDate(from) > last) last = normaliseDate(from);
        }
      }
      const since = addMonths(new Date(last), rule.months).toISOString();
      if (since > nowIso) continue;
      if (open || held(child.id)) {
        report.held += 1;
        continue;
      }
      dueChildren.push({ kind: 'child', record: v, rule, profile: profiles.get(child.teamId)!, since });
    }
  }
  const erasedChildren = new Set(dueChildren.map((d) => d.record.record.id));
  const currentConsent = new Set(
    (await deps.store.query('child')).map((c) => c.record.consentId).filter((x): x is string => !!x),
  );

  const due: Due[] = [];
  for (const kind of kindsScheduled) {
    if (kind === 'child') continue;
    for (const v of await candidates(kind)) {
      const record = v.record as unknown as Record<string, unknown> & { teamId: string; childId: string };
      const rule = ruleOf(record.teamId, kind);
      const since = rule && sinceOf(kind, record, rule);
      if (!rule || since === undefined || since > nowIso) continue;
      // What must stay: a child's records under a RIPA hold; a child's current consent while the child's
      // own details are kept.
      const current = kind === 'consent' && currentConsent.has(String(record.id));
      if (held(record.childId) || (current && !erasedChildren.has(record.childId))) {
        report.held += 1;
        continue;
      }
      due.push({ kind, record: v, rule, profile: profiles.get(record.teamId)!, since });
    }
  }
  const all = [...due, ...dueChildren];
  if (all.length === 0) return report;

  // Every copy of each record's text, found in one pass over the trail: the details of the events about it
  // and of every event of a unit that wrote it (a unit's first event names the records it wrote), and the
  // answer kept with each of those units' keys.
  const wanted = new Set(all.map((d) => `${d.kind}/${d.record.record.id}`));
  const copies = new Map<string, { events: number[]; units: Set<string> }>();
  const wrote = new Map<string, string[]>();
  for (let afterSeq = 0; ;) {
    const page = await deps.store.audit.list({ afterSeq, limit: 5000 });
    for (const e of page) {
      if (e.action === ERASE_ACTION) continue;
      const written = (e.writes ?? []).map((w) => `${w.kind}/${w.id}`).filter((k) => wanted.has(k));
      if (written.length) wrote.set(e.key, written);
      const target = `${e.target.kind}/${e.target.id}`;
      const holders = new Set([...(wanted.has(target) ? [target] : []), ...(wrote.get(e.key) ?? [])]);
      for (const holder of holders) {
        const c = copies.get(holder) ?? copies.set(holder, { events: [], units: new Set() }).get(holder)!;
        c.units.add(e.key);
        if (e.detailsHash !== undefined && !e.detailsErased) c.events.push(e.seq);
      }
    }
    if (page.length < 5000) break;
    afterSeq = page[page.length - 1]!.seq;
  }

  let erasedAny = false;
  for (const d of all) {
    const id = d.record.record.id;
    const found = copies.get(`${d.kind}/${id}`);
    const events = found?.events ?? [];
    const units = [...(found?.units ?? [])];
    const r = await deps.store.commit({
      key: `retention:${d.kind}:${id}`,
      at: nowIso,
      writes: [
        {
          kind: d.kind as Kind,
          record: JSON.parse(JSON.stringify(erase(d.kind, d.record.record as never))) as never,
          ifVersion: d.record.version,
        },
      ],
      audit: [
        {
          actor: SYSTEM,
          action: ERASE_ACTION,
          target: { kind: d.kind, id },
          outcome: 'erased',
          cites: d.profile.retention!.cites,
          profileId: d.profile.id,
          profileVersion: d.profile.version,
          details: {
            events,
            units,
            rule: { kind: d.rule.kind, from: RETENTION_FROM[d.kind], months: d.rule.months },
            dueSince: d.since,
          },
        },
      ],
      result: { events, units },
    });
    // A replay is an erasure committed before (perhaps by a run cut short): finish what it named.
    const named =
      r.status === 'committed'
        ? { events, units }
        : r.status === 'replayed'
          ? Named.parse(r.result ?? {})
          : { events: [], units: [] };
    if (r.status === 'committed') {
      report.erased[d.kind] = (report.erased[d.kind] ?? 0) + 1;
      erasedAny = true;
    }
    // The answers first: an event's details, once erased, no longer say which units held a copy.
    if (named.units.length) await deps.store.forgetAnswers(named.units, erasedAnswer);
    if (named.events.length) report.eventDetails += await deps.store.audit.eraseDetails(named.events);
  }
  if (erasedAny || report.eventDetails > 0) await deps.store.scrub();
  return report;
}

/** The setting that says when the retention timer last ran (shared by every instance). */
export const RETENTION_LAST_RUN = 'retention.last-run';
const LastRetention = z.object({ at: z.string() });
/** How often the timers run retention: once a day is enough for periods counted in months. */
export const RETENTION_EVERY_MS = 24 * 3_600_000;

/**
 * The retention timer: runs `runRetention` when a day has passed since the last run at `deps.clock()`
 * (or it never ran), and records when it ran. The running service's timers call it beside their run
 * (`src/server/timers.ts`); `overt jobs run-once` through `runJobs(…, { retention: true })`. Returns the
 * report, or undefined when not yet due.
 */
export async function runRetentionIfDue(deps: Deps): Promise<RetentionReport | undefined> {
  const now = deps.clock();
  const last = await readSetting(deps.store, RETENTION_LAST_RUN, LastRetention);
  const lastAt = last ? Date.parse(last.at) : NaN;
  if (!Number.isNaN(lastAt) && now.getTime() - lastAt < RETENTION_EVERY_MS) return undefined;
  const report = await runRetention(deps);
  await writeSetting(deps.store, RETENTION_LAST_RUN, { at: now.toISOString() }, now.toISOString());
  return report;
}
