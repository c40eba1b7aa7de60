import { z } from 'zod';
import type { AuditEvent } from '../store/audit';
import type { AuditProjection } from './audit-projection';
import { readChildRecord, SITTING_MS, type ChildRecord } from './child-record';
import { Id, Key, parse, When } from './input';
import { ok, type Deps, type Outcome } from './types';
import {
  account,
  AUTHORITY,
  dateGb,
  dateTimeGb,
  DECISION,
  explanationText,
  sentenceWords,
  label,
  OBJECTION_OUTCOME,
  OBJECTION_STATUS,
  REASON,
  statusWords,
  THIRD_PARTY,
  VIEWER,
  citations,
  clauseIdsInWords,
} from '../vocabulary';

/**
 * A child's history as a timeline: requests (with the verdict and its clauses), refusals, decisions and
 * their reasons, checks (accounts, what was found, third-party handling), consent and reminders,
 * objections and their handling, RIPA authorisations — and who has read the record (the access log).
 */

export const TIMELINE_KINDS = [
  'request',
  'refusal',
  'decision',
  'check',
  'consent',
  'reminder',
  'objection',
  'ripa',
  'view',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineItem {
  at: string;
  kind: TimelineKind;
  id: string;
  title: string;
  /** Plain facts, shown as text (never as HTML). */
  facts: [string, string][];
  cites: string[];
  by?: string;
}

export const HistoryInput = z.object({
  key: Key,
  actorId: Id,
  childId: Id,
  kinds: z.array(z.enum(TIMELINE_KINDS)).optional(),
  from: When.optional(),
  to: When.optional(),
});
export type HistoryInput = z.input<typeof HistoryInput>;

export interface AccessEntry {
  at: string;
  actorId: string;
  /** The reader's name (their id if they are no longer on the staff list). */
  actorName: string;
  role: string | null;
  action: string;
  outcome: string;
  /** How many reads this line stands for: refused reads in one sitting are one line. */
  times: number;
  /** The last read of the sitting (equal to `at` when `times` is 1). */
  lastAt: string;
}

export interface History {
  child: ChildRecord['child'];
  team: { id: string; name: string };
  profile: ChildRecord['profile'];
  timeline: TimelineItem[];
  access: AccessEntry[];
  /** The latest objection was resolved with checks stopped: no reminder or check is due. */
  checksStopped: boolean;
}

const list = (xs: { platform: string; account: string }[]) => xs.map(account).join('; ');
const cites = (v: unknown) => ((v as { cites?: string[] } | null)?.cites ?? []).map(String);
const explanation = (v: unknown) => explanationText(v);

const REFUSED: Record<string, string> = {
  'request.raise': 'a request',
  'request.approve': 'an approval',
  'request.decline': 'a decline',
  'request.more-info': 'a question',
  'request.record': 'a check record',
};

/** Staff names by id, for everything a person is shown by. */
export async function staffNames(deps: Deps, ids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const got = await Promise.all(unique.map((id) => deps.store.get('staff', id)));
  return new Map(got.flatMap((s) => (s ? [[s.record.id, s.record.name] as const] : [])));
}

/** Facts whose value is a member of staff: shown by name. */
const NAMED = new Set(['On behalf of', 'Decided by']);

/**
 * The timeline as people read it: people by name ('by', 'On behalf of'; an id no longer on the staff list
 * stays as it is) and the clauses as one citation in words.
 */
export async function namedTimeline(deps: Deps, r: ChildRecord): Promise<TimelineItem[]> {
  const items = timeline(r);
  const ids = new Set<string>();
  for (const t of items) {
    if (t.by) ids.add(t.by);
    for (const [k, v] of t.facts) if (NAMED.has(k)) ids.add(v);
  }
  const names = await staffNames(deps, ids);
  const profile = deps.profiles(r.profile.id);
  return items.map((t) => ({
    ...t,
    // The clauses in words, as one citation of the child's policy (never "000 §11").
    cites: t.cites.length ? [citations(t.cites, profile ?? { name: r.profile.name })] : [],
    ...(t.by ? { by: names.get(t.by) ?? t.by } : {}),
    facts: t.facts.map(([k, v]): [string, string] => [k, NAMED.has(k) ? (names.get(v) ?? v) : v]),
  }));
}

export function timeline(r: ChildRecord): TimelineItem[] {
  const out: TimelineItem[] = [];
  for (const q of r.requests)
    out.push({
      at: q.createdAt,
      kind: 'request',
      id: q.id,
      title: `Check requested (${statusWords(q.status).toLowerCase()})`,
      by: q.requesterId,
      facts: [
        ['Reason', label(q.reason, REASON)],
        ['Platforms', list(q.platforms)],
        ['Viewing with', label(q.viewer, VIEWER)],
        // Who decided, by name (namedTimeline); before a decision, whose decision it needs.
        q.decidedBy ? ['Decided by', q.decidedBy] : ['Needs the decision of', label(q.authority, AUTHORITY)],
        ...(q.rationale ? ([['Rationale', q.rationale]] as [string, string][]) : []),
        ['Policy said', explanation(q.verdict)],
        ['Policy version', q.profileVersion],
      ],
      cites: cites(q.verdict),
    });
  // Each answer to a request for more information, at its own time, beside (never over) the rationale.
  for (const q of r.requests)
    (q.answers ?? []).forEach((a, n) =>
      out.push({
        at: a.at,
        kind: 'request',
        id: `${q.id}-answer-${n + 1}`,
        title: 'More information given',
        by: a.by,
        facts: [['Answer', a.text]],
        cites: [],
      }),
    );
  for (const d of r.decisions)
    out.push({
      at: d.at,
      kind: 'decision',
      id: d.id,
      title: `Decision: ${label(d.outcome, DECISION).toLowerCase()}`,
      by: d.deciderId,
      facts: [
        ['As', label(d.authority, AUTHORITY)],
        ['Reasons', d.reasons || '—'],
        ...(d.onBehalfOf ? ([['On behalf of', d.onBehalfOf]] as [string, string][]) : []),
      ],
      cites: [],
    });
  for (const c of r.checks)
    out.push({
      at: c.viewedAt,
      kind: 'check',
      id: c.id,
      title: 'Check recorded',
      by: c.viewerId,
      facts: [
        ['Accounts', list(c.accounts)],
        ['Relevant information', c.relevantInfo || 'nothing relevant'],
        ['Third-party data', label(c.thirdPartyData, THIRD_PARTY)],
        ...(c.thirdPartyRationale
          ? ([['Third-party rationale', c.thirdPartyRationale]] as [string, string][])
          : []),
        ['Sensitive', c.sensitive ? 'yes' : 'no'],
        ...(c.safeguardingFollowUp
          ? ([['Safeguarding follow-up', c.safeguardingFollowUp]] as [string, string][])
          : []),
        [
          'Attested',
          [
            c.attestNoFriendFollow ? 'no friend or follow request' : '',
            c.attestOpenSourceOnly ? 'open source only' : '',
          ]
            .filter(Boolean)
            .join('; ') || '—',
        ],
      ],
      cites: [],
    });
  for (const c of r.consents) {
    out.push({
      at: c.date,
      kind: 'consent',
      id: c.id,
      title: c.exceptionAgreedBy ? 'Consent exception agreed' : 'Consent / notice recorded',
      by: c.recordedBy,
      facts: [
        ['Given by', c.givenBy],
        ['Platforms', c.scope.platforms.map((p) => label(p)).join(', ') || 'all'],
        ['Purposes', c.scope.purposes.join(', ')],
      ],
      cites: [],
    });
    if (c.withdrawnAt)
      out.push({
        at: c.withdrawnAt,
        kind: 'consent',
        id: `${c.id}-withdrawn`,
        title: 'Consent withdrawn',
        facts: [],
        cites: [],
      });
  }
  for (const m of r.reminders)
    out.push({
      at: m.givenAt,
      kind: 'reminder',
      id: m.id,
      title: 'Reminder given',
      by: m.givenBy,
      facts: [],
      cites: [],
    });
  for (const o of r.objections)
    out.push({
      at: o.raisedAt,
      kind: 'objection',
      id: o.id,
      title: `Objection (${label(o.status, OBJECTION_STATUS).toLowerCase()})`,
      facts: [
        ['Raised by', o.raisedBy],
        ...(o.response ? ([['Formal response', o.response]] as [string, string][]) : []),
        ...(o.outcome ? ([['Outcome', label(o.outcome, OBJECTION_OUTCOME)]] as [string, string][]) : []),
      ],
      cites: [],
    });
  for (const p of r.ripas)
    out.push({
      at: p.from,
      kind: 'ripa',
      id: p.id,
      title: p.cancelledAt ? 'RIPA authorisation (cancelled)' : 'RIPA authorisation',
      by: p.officerId,
      facts: [
        ['Offence', p.offence],
        ['Maximum sentence', sentenceWords(p.maxSentenceMonths)],
        ['Legal advice', p.legalAdviceRef],
        ['Until', dateGb(p.until)],
        ['Review', dateGb(p.reviewAt)],
      ],
      cites: [],
    });
  for (const e of r.events)
    if (e.outcome === 'refuse' && e.action.startsWith('request.'))
      out.push({
        at: e.at,
        kind: 'refusal',
        id: e.id,
        title: `Refused by policy: ${REFUSED[e.action] ?? label(e.action.replace(/^request\./, ''))}`,
        by: e.actor.id,
        facts: [['Why', clauseIdsInWords(String((e.details as { message?: string } | null)?.message ?? ''))]],
        cites: [...e.cites],
      });
  for (const { event: e, times, lastAt } of readSittings(r.events))
    out.push({
      at: e.at,
      kind: 'view',
      id: e.id,
      title: `${e.action === 'record.view' ? 'Record viewed' : 'Record exported'}${e.outcome === 'refuse' ? (times > 1 ? ` (refused ${times} times)` : ' (refused)') : ''}`,
      by: e.actor.id,
      facts: times > 1 ? [['Last refused', dateTimeGb(lastAt)]] : [],
      cites: [...e.cites],
    });
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

interface Sitting {
  /** The sitting's first read (its audit event). */
  event: AuditEvent;
  times: number;
  lastAt: string;
}

/**
 * Reads of a record (`record.view`, `record.export`) as the access log shows them: one line per person per
 * child per sitting. Allowed views are already written once a sitting (see readChildRecord); refused reads are
 * each an audit event, and here those of one person on one child, of one kind, within SITTING_MS of the
 * sitting's first are one line with a count. Allowed exports stay one line each. Oldest first.
 */
export function readSittings(events: readonly AuditEvent[]): Sitting[] {
  const out: Sitting[] = [];
  const open = new Map<string, Sitting>();
  for (const e of events) {
    if (e.action !== 'record.view' && e.action !== 'record.export') continue;
    if (e.outcome !== 'refuse') {
      out.push({ event: e, times: 1, lastAt: e.at });
      continue;
    }
    const who = JSON.stringify([e.actor.id, e.action, e.target.kind, e.target.id]);
    const s = open.get(who);
    const t = Date.parse(e.at);
    if (s && t >= Date.parse(s.event.at) && t - Date.parse(s.event.at) < SITTING_MS) {
      s.times += 1;
      s.lastAt = e.at;
    } else {
      const fresh = { event: e, times: 1, lastAt: e.at };
      open.set(who, fresh);
      out.push(fresh);
    }
  }
  return out;
}

/** Who has read the record, newest first: one line per person per sitting (refused reads counted). */
export function accessLog(events: readonly AuditEvent[]): AccessEntry[] {
  return readSittings(events)
    .map(({ event: e, times, lastAt }) => ({
      at: e.at,
      actorId: e.actor.id,
      actorName: e.actor.id,
      role: e.actor.role ?? null,
      action: e.action,
      outcome: e.outcome,
      times,
      lastAt,
    }))
    .reverse();
}

/** The child's history, filtered by kind and period; the read is recorded in the access log. */
export async function childTimeline(
  deps: Deps,
  projection: AuditProjection,
  input: HistoryInput,
): Promise<Outcome<History>> {
  const parsed = parse(HistoryInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const r = await readChildRecord(deps, projection, i, 'record.view');
  if (!r.ok) return r;
  const from = i.from ? Date.parse(i.from) : -Infinity;
  const to = i.to ? Date.parse(i.to) : Infinity;
  const kinds = i.kinds?.length ? new Set(i.kinds) : undefined;
  const access = accessLog(r.value.events);
  const names = await staffNames(
    deps,
    access.map((a) => a.actorId),
  );
  const items = await namedTimeline(deps, r.value);
  return ok({
    child: r.value.child,
    team: { id: r.value.team.id, name: r.value.team.name },
    profile: r.value.profile,
    timeline: items.filter(
      (t) =>
        (kinds ? kinds.has(t.kind) : t.kind !== 'view') && Date.parse(t.at) >= from && Date.parse(t.at) < to,
    ),
    access: access.map((a) => ({ ...a, actorName: names.get(a.actorId) ?? a.actorId })),
    checksStopped:
      [...r.value.objections].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt)).at(-1)?.outcome ===
      'checks-stopped',
  });
}
