import { z } from 'zod';
import type { AuditEvent } from '../store/audit';
import type { AuditProjection } from './audit-projection';
import { readChildRecord, type ChildRecord } from './child-record';
import { Id, Key, parse, When } from './input';
import { ok, type Deps, type Outcome } from './types';

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
  role: string | null;
  action: string;
  outcome: string;
}

export interface History {
  child: ChildRecord['child'];
  team: { id: string; name: string };
  profile: ChildRecord['profile'];
  timeline: TimelineItem[];
  access: AccessEntry[];
}

const list = (xs: { platform: string; account: string }[]) =>
  xs.map((p) => `${p.platform} ${p.account}`).join(', ');
const cites = (v: unknown) => ((v as { cites?: string[] } | null)?.cites ?? []).map(String);
const explanation = (v: unknown) => String((v as { explanation?: string } | null)?.explanation ?? '');

export function timeline(r: ChildRecord): TimelineItem[] {
  const out: TimelineItem[] = [];
  for (const q of r.requests)
    out.push({
      at: q.createdAt,
      kind: 'request',
      id: q.id,
      title: `Check requested (${q.status})`,
      by: q.requesterId,
      facts: [
        ['reason', q.reason],
        ['platforms', list(q.platforms)],
        ['viewing with', q.viewer],
        ['authority', q.authority],
        ...(q.rationale ? ([['rationale', q.rationale]] as [string, string][]) : []),
        ['verdict', explanation(q.verdict)],
        ['profile', `${q.profileId} v${q.profileVersion}`],
      ],
      cites: cites(q.verdict),
    });
  for (const d of r.decisions)
    out.push({
      at: d.at,
      kind: 'decision',
      id: d.id,
      title: `Decision: ${d.outcome}`,
      by: d.deciderId,
      facts: [
        ['authority', d.authority],
        ['reasons', d.reasons || '—'],
        ...(d.onBehalfOf ? ([['on behalf of', d.onBehalfOf]] as [string, string][]) : []),
        ['request', d.requestId],
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
        ['accounts', list(c.accounts)],
        ['relevant information', c.relevantInfo || 'nothing relevant'],
        ['third-party data', c.thirdPartyData],
        ...(c.thirdPartyRationale
          ? ([['third-party rationale', c.thirdPartyRationale]] as [string, string][])
          : []),
        ['sensitive', c.sensitive ? 'yes' : 'no'],
        ...(c.safeguardingFollowUp
          ? ([['safeguarding follow-up', c.safeguardingFollowUp]] as [string, string][])
          : []),
        [
          'attested',
          `${c.attestNoFriendFollow ? 'no friend/follow' : ''}${c.attestOpenSourceOnly ? '; open source only' : ''}`,
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
        ['given by', c.givenBy],
        ['platforms', c.scope.platforms.join(', ') || 'all'],
        ['purposes', c.scope.purposes.join(', ')],
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
      title: `Objection (${o.status})`,
      facts: [
        ['raised by', o.raisedBy],
        ...(o.response ? ([['formal response', o.response]] as [string, string][]) : []),
        ...(o.outcome ? ([['outcome', o.outcome]] as [string, string][]) : []),
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
        ['offence', p.offence],
        ['maximum sentence', `${p.maxSentenceMonths} months`],
        ['legal advice', p.legalAdviceRef],
        ['until', p.until],
        ['review', p.reviewAt],
      ],
      cites: [],
    });
  for (const e of r.events) {
    if (e.outcome === 'refuse' && e.action.startsWith('request.'))
      out.push({
        at: e.at,
        kind: 'refusal',
        id: e.id,
        title: `Refused: ${e.action}`,
        by: e.actor.id,
        facts: [['message', String((e.details as { message?: string } | null)?.message ?? '')]],
        cites: [...e.cites],
      });
    if (e.action === 'record.view' || e.action === 'record.export')
      out.push({
        at: e.at,
        kind: 'view',
        id: e.id,
        title: `${e.action === 'record.view' ? 'Record viewed' : 'Record exported'} (${e.outcome})`,
        by: e.actor.id,
        facts: [],
        cites: [...e.cites],
      });
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function accessLog(events: readonly AuditEvent[]): AccessEntry[] {
  return events
    .filter((e) => e.action === 'record.view' || e.action === 'record.export')
    .map((e) => ({
      at: e.at,
      actorId: e.actor.id,
      role: e.actor.role ?? null,
      action: e.action,
      outcome: e.outcome,
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
  return ok({
    child: r.value.child,
    team: { id: r.value.team.id, name: r.value.team.name },
    profile: r.value.profile,
    timeline: timeline(r.value).filter(
      (t) => (!kinds || kinds.has(t.kind)) && Date.parse(t.at) >= from && Date.parse(t.at) < to,
    ),
    access: accessLog(r.value.events),
  });
}
