import { addWindow, dayOf, instantOf, type Day, type WindowLength } from './days';
import type { Actor, EventName, HistoryEvent, Situation } from './situation';

/** What the record of one child says at the moment of the action, derived once per evaluation. */
export interface Facts {
  nowDay: Day;
  objection: 'none' | 'open' | 'stopped';
  consent: 'absent' | 'withdrawn' | 'recorded';
  consentPlatforms: string[] | undefined;
  consentDay: Day | undefined;
  consentExceptionAgreed: boolean;
  /** The latest notice or reminder: consent recorded or reminder given. */
  lastNoticeDay: Day | undefined;
  assessmentDay: Day | undefined;
  completedDays: Day[];
  /** Approved checks not yet recorded as done, oldest first. */
  outstandingApprovals: { day: Day; by: string; requester: string | undefined }[];
  ripaInForce: boolean;
  lastRequester: string | undefined;
  /** The latest event of each kind: its day and who recorded it. */
  latest: Partial<Record<EventName, { day: Day; by: string | undefined }>>;
  /** The day of the viewing a record-check records, when the action says. */
  viewingDay: Day | undefined;
  /** The child's date of birth and team, when the case system holds them. */
  childBorn: Day | undefined;
  childTeam: string | undefined;
  /** Who is who among the people named in the record. */
  people: readonly Actor[];
}

/** The events oldest first, each with its calendar day (the case format asks for oldest first; not everyone obliges). */
function ordered(given: HistoryEvent[], timeZone: string): { e: HistoryEvent; day: Day }[] {
  const out: { e: HistoryEvent; day: Day }[] = new Array(given.length);
  for (let i = 0; i < given.length; i++) out[i] = { e: given[i]!, day: dayOf(given[i]!.on, timeZone) };
  for (let i = 1; i < out.length; i++) {
    if (out[i]!.day < out[i - 1]!.day) {
      return out.map((x, i) => ({ ...x, i, t: instantOf(x.e.on) })).sort((a, b) => a.t - b.t || a.i - b.i);
    }
  }
  return out;
}

export function deriveFacts(situation: Situation, timeZone: string): Facts {
  const nowDay = dayOf(situation.now, timeZone);
  const f: Facts = {
    nowDay,
    objection: 'none',
    consent: 'absent',
    consentPlatforms: undefined,
    consentDay: undefined,
    consentExceptionAgreed: false,
    lastNoticeDay: undefined,
    assessmentDay: undefined,
    completedDays: [],
    outstandingApprovals: [],
    ripaInForce: false,
    lastRequester: undefined,
    latest: {},
    viewingDay:
      situation.action.type === 'record-check' && situation.action.viewedAt
        ? dayOf(situation.action.viewedAt, timeZone)
        : undefined,
    childBorn: situation.child?.dateOfBirth,
    childTeam: situation.child?.team,
    people: situation.people ?? [],
  };
  for (const { e, day } of ordered(situation.given, timeZone)) {
    f.latest[e.event] = { day, by: e.by };
    switch (e.event) {
      case 'consent-recorded':
        f.consent = 'recorded';
        f.consentPlatforms = e.platforms?.map((p) => p.toLowerCase());
        f.consentDay = day;
        f.lastNoticeDay = day;
        break;
      case 'consent-withdrawn':
        f.consent = 'withdrawn';
        f.consentPlatforms = undefined;
        break;
      case 'consent-exception-agreed':
        f.consentExceptionAgreed = true;
        break;
      case 'reminder-given':
        f.lastNoticeDay = day;
        break;
      case 'assessment-started':
        f.assessmentDay = day;
        f.consentExceptionAgreed = false;
        break;
      case 'check-requested':
        f.lastRequester = e.by;
        break;
      case 'check-approved':
        f.outstandingApprovals.push({ day, by: e.by, requester: e.requester });
        break;
      case 'check-completed':
        f.completedDays.push(day);
        f.outstandingApprovals.shift();
        break;
      case 'objection-raised':
        f.objection = 'open';
        break;
      case 'objection-resolved':
        f.objection = e.outcome === 'checks-stopped' ? 'stopped' : 'none';
        break;
      case 'ripa-authorised':
        if (day <= nowDay && dayOf(e.until, timeZone) >= nowDay) f.ripaInForce = true;
        break;
    }
  }
  return f;
}

/** Checks by anyone on the child, completed or approved and not yet done, inside the window. */
export function countPriorChecks(
  f: Facts,
  within: WindowLength | undefined,
  since: Day | undefined,
  bankHolidays?: ReadonlySet<Day>,
): number {
  let n = 0;
  for (const d of f.completedDays) {
    if (since !== undefined && d < since) continue;
    if (within !== undefined && f.nowDay >= addWindow(d, within, bankHolidays)) continue;
    n++;
  }
  for (const a of f.outstandingApprovals) {
    // An approved check not yet done may be done at any moment: it always falls inside the window.
    if (since !== undefined && a.day < since) continue;
    n++;
  }
  return n;
}
