import { subDays, subHours } from 'date-fns';
import type { AuditDraft } from '../store/audit';
import type { Request } from '../store/records';
import type { Write } from '../store/store';
import { guardChild } from './context';
import { runRetentionIfDue, type RetentionReport } from './retention';
import type { Deps } from './types';
import { childZone, teamZone } from './zone';
import { AUTHORITY, dateGb, phrase } from '../vocabulary';
import { dayOf } from '../policy/days';
import { approversOf } from './queries/request';

/**
 * Timers: requests expire, stale decisions are escalated, consent reminders and RIPA reviews fall due,
 * approved checks go unrecorded, and once a day the retention schedule erases what is due. A lease in the store means two running instances never both fire; each
 * item is its own unit under a key derived from what it is about, so running twice acts once.
 * Notices are audit events (`notice.*`): the bot delivers them, and they stay on the record.
 */

export type NoticeKind =
  'request-expired' | 'decision-waiting' | 'reminder-due' | 'record-check' | 'ripa-review' | 'ripa-expired';

export interface Notice {
  kind: NoticeKind;
  to: string[];
  childId: string;
  requestId?: string;
  ripaId?: string;
  text: string;
  /** A decision waiting: the authority it waits for (the notice holds only while it still does). */
  authority?: string;
  /** What the notice was made from, to read it against before it is sent: a RIPA review's day (with whether
   * this is the reminder on that day or the one after it, overdue), an authorisation's last day, a consent
   * reminder's due date. */
  dueOn?: string;
  stage?: 'due' | 'overdue';
}

export interface JobsReport {
  ran: boolean;
  expired: number;
  notices: Notice[];
  /** What the retention timer erased, when it was due in this run (once a day). */
  retention?: RetentionReport;
}

const SYSTEM = { id: 'system' };
const LEASE_MS = 5 * 60_000;
/** The lease's name in the store: the running service holds it (src/server/timers.ts). */
export const JOBS_LEASE = 'jobs';

/** Runs the due timers once under the `jobs` lease, taken at `deps.clock()` — or, with `leased`, under a
 * lease the caller already holds (the service keeps one on the real clock and renews it); with
 * `retention`, the daily retention run too when it is due. */
export async function runJobs(
  deps: Deps,
  holder: string,
  options: { leased?: boolean; retention?: boolean } = {},
): Promise<JobsReport> {
  const now = deps.clock();
  const nowIso = now.toISOString();
  if (!options.leased && !(await deps.store.lease(JOBS_LEASE, holder, LEASE_MS, now)))
    return { ran: false, expired: 0, notices: [] };
  const report: JobsReport = { ran: true, expired: 0, notices: [] };

  const once = async (key: string, writes: Write[], audit: AuditDraft, notice?: Notice) => {
    const r = await deps.store.commit({ key, at: nowIso, writes, audit: [audit], result: notice ?? null });
    if (r.status === 'committed' && notice) report.notices.push(notice);
    return r.status === 'committed';
  };
  /** A notice, once: its audit event is the outbox the bot reads. */
  const notify = (key: string, target: { kind: string; id: string }, notice: Notice) =>
    once(
      key,
      [],
      {
        actor: SYSTEM,
        action: `notice.${notice.kind}`,
        target,
        outcome: 'due',
        details: { ...notice } as never,
      },
      notice,
    );
  const serviceManagersOf = async (teamId: string) =>
    (await deps.store.query('staff', { where: { role: 'service-manager' } }))
      .filter((s) => s.record.teamIds.includes(teamId))
      .map((s) => s.record.id);
  const childRef = async (childId: string) =>
    (await deps.store.get('child', childId))?.record.caseRef ?? childId;

  // Expiry: not decided, or approved and not done, in time.
  const due = await deps.store.query('request', {
    where: { status: ['pending', 'escalated', 'more-info', 'approved'] },
    range: { field: 'expiresAt', to: nowIso },
  });
  for (const { record: r, version } of due) {
    const expired: Request = { ...r, status: 'expired', updatedAt: nowIso };
    const notice: Notice = {
      kind: 'request-expired',
      to: [r.requesterId],
      childId: r.childId,
      requestId: r.id,
      text: `The ${r.status === 'approved' ? 'approved check was not recorded' : 'request was not decided'} in time for ${await childRef(r.childId)} and has expired. Raise a new request if a check is still needed.`,
    };
    // An approval expiring changes what the policy reads about the child: guarded like every such unit
    // (a lost race is left for the next run).
    const child = await deps.store.get('child', r.childId);
    if (
      await once(
        `expire:${r.id}:${r.expiresAt}`,
        [
          { kind: 'request', record: expired, ifVersion: version },
          ...(child ? [guardChild(child.record, child.version)] : []),
        ],
        {
          actor: SYSTEM,
          action: 'request.expire',
          target: { kind: 'request', id: r.id },
          outcome: 'expired',
          cites: [],
          profileId: r.profileId,
          profileVersion: r.profileVersion,
          details: { was: r.status, ...notice } as never,
        },
        notice,
      )
    )
      report.expired++;
  }

  // Decisions waiting too long: whoever may decide it now (approversOf, the one rule of who may decide: the
  // authorising officer for a request sent on to them), and the service managers who oversee the team. A
  // request sent on is reminded once more, to those who decide it now, when it has waited as long again.
  const cutoff = subHours(now, deps.settings.escalateAfterHours).toISOString();
  const stale = await deps.store.query('request', {
    where: { status: ['pending', 'escalated'] },
    range: { field: 'createdAt', to: cutoff },
  });
  for (const { record: r } of stale) {
    if (r.status === 'escalated' && r.updatedAt > cutoff) continue;
    const notice: Notice = {
      kind: 'decision-waiting',
      to: [...new Set([...(await approversOf(deps, r)), ...(await serviceManagersOf(r.teamId))])],
      childId: r.childId,
      requestId: r.id,
      authority: r.authority,
      text: `A request for ${await childRef(r.childId)} has waited over ${deps.settings.escalateAfterHours} hours for the decision of ${phrase(r.authority, AUTHORITY)}.`,
    };
    await notify(
      r.status === 'pending' ? `stale:${r.id}` : `stale:${r.id}:${r.authority}`,
      { kind: 'request', id: r.id },
      notice,
    );
  }

  // Approved checks not yet recorded, two days on.
  const unrecorded = await deps.store.query('request', {
    where: { status: 'approved' },
    range: { field: 'updatedAt', to: subDays(now, 2).toISOString() },
  });
  for (const { record: r } of unrecorded) {
    const notice: Notice = {
      kind: 'record-check',
      to: [r.requesterId],
      childId: r.childId,
      requestId: r.id,
      text: `The check approved for ${await childRef(r.childId)} has not been recorded: record it, or withdraw the request if it was not done.`,
    };
    await notify(`unrecorded:${r.id}`, { kind: 'request', id: r.id }, notice);
  }

  // Consent reminders due (000 §7).
  const reminders = await deps.store.query('child', {
    where: { consentStatus: 'given' },
    range: { field: 'reminderDueAt', to: nowIso },
  });
  for (const { record: c } of reminders) {
    const notice: Notice = {
      kind: 'reminder-due',
      to: [c.workerId],
      childId: c.id,
      ...(c.reminderDueAt ? { dueOn: c.reminderDueAt } : {}),
      text: `${c.caseRef} is due a reminder that their public social media may be looked at (last ${c.lastReminderAt ? dateGb(c.lastReminderAt, await teamZone(deps, c.teamId)) : 'never'}).`,
    };
    await notify(`remind:${c.id}:${c.reminderDueAt}`, { kind: 'child', id: c.id }, notice);
  }

  // RIPA reviews: the authorising officer is reminded on the day a review falls due, and once more the day
  // after, when it is overdue (or only then, when the timers first run after the day) — each once, by its
  // key. Every authorisation in force is looked at (by its end, so an overdue review however old is found);
  // one cancelled or ended has no review to do.
  const month = subDays(now, 30).toISOString();
  for (const { record: r } of await deps.store.query('ripa', {
    range: { field: 'until', from: subDays(now, 1).toISOString().slice(0, 10) },
  })) {
    // Awaiting a magistrate's approval, it has not taken effect: there is nothing to review yet.
    if (r.cancelledAt || r.awaitingMagistrate) continue;
    const zone = await childZone(deps, r.childId);
    const today = dayOf(nowIso, zone);
    const dueOn = dayOf(r.reviewAt, zone);
    if (dayOf(r.until, zone) < today || dueOn > today) continue;
    const stage = dueOn === today ? 'due' : 'overdue';
    const about = `The RIPA authorisation ${r.reference ? `${r.reference} ` : ''}for ${await childRef(r.childId)} (${r.offence})`;
    const notice: Notice = {
      kind: 'ripa-review',
      to: [r.officerId],
      childId: r.childId,
      ripaId: r.id,
      dueOn,
      stage,
      text:
        stage === 'due'
          ? `${about} is due for review today, ${dateGb(dueOn, zone)}: record the review, renew it or cancel it.`
          : `${about} was due for review on ${dateGb(dueOn, zone)} and the review is overdue: record the review, renew it or cancel it.`,
    };
    await notify(
      `${stage === 'due' ? 'ripa-review' : 'ripa-review-overdue'}:${r.id}:${r.reviewAt}`,
      { kind: 'ripa', id: r.id },
      notice,
    );
  }
  for (const { record: r } of await deps.store.query('ripa', {
    range: { field: 'until', from: month, to: nowIso },
  })) {
    if (r.cancelledAt) continue;
    const notice: Notice = {
      kind: 'ripa-expired',
      to: [r.officerId],
      childId: r.childId,
      ripaId: r.id,
      dueOn: dayOf(r.until, await childZone(deps, r.childId)),
      text: `The RIPA authorisation ${r.reference ? `${r.reference} ` : ''}for ${await childRef(r.childId)} ended on ${dateGb(r.until, await childZone(deps, r.childId))}: repeat viewing inside three months is no longer covered.`,
    };
    await notify(`ripa-end:${r.id}:${r.until}`, { kind: 'ripa', id: r.id }, notice);
  }

  // Retention (issue 15 item 5), once a day, when asked for here (`jobs run-once`); the running service's
  // timers run it beside the other timers, so a long erasure never holds up reminders or an asked run.
  if (options.retention) report.retention = await runRetentionIfDue(deps);
  return report;
}
