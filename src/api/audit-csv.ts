import type { AuditEvent } from '../store/audit';
import type { Deps } from '../workflow';
import { WITHHELD } from '../workflow/audit-export';
import {
  AUDIT_ACTION,
  AUDIT_OUTCOME,
  dateGb,
  dateTimeGb,
  label,
  RECORD_KIND,
  ROLE,
  valueText,
  DETAIL,
  humanise,
  plainDetail,
  PROBLEM,
  sentenceWords,
  REASON,
  statusWords,
  VIEWER,
  AUTHORITY,
  citations,
  clauseIdsInWords,
  clauseWords,
  VERDICT_OUTCOME,
} from '../vocabulary';
import { toCsv } from '../util/csv';
import { ruleTitle, type Profile } from '../policy/profile';

/**
 * The audit trail as a spreadsheet a person reads: headings in words; people, teams and children by name
 * (a child by case reference, and only where the reader may see the child: a withheld event stays withheld);
 * what happened and its outcome in words; times in en-GB. The sequence and each event's hash are kept, so a
 * row can be matched to `overt audit verify`.
 */

export const AUDIT_HEADER = [
  'Sequence',
  'When',
  'Who',
  'Role',
  'What happened',
  'About',
  'Outcome',
  'Policy clauses',
  'Policy',
  'Details',
  'Hash',
];

const IDS = new Set([
  'field',
  'childId',
  'requestId',
  'objectionId',
  'checkId',
  'consentId',
  'decisionId',
  'ripaId',
  // Bookkeeping of the record's own shape and its digest: nothing a reader of the trail acts on.
  'schema',
  'factsDigest',
  'digest',
  'stamp',
  'seal',
]);

/**
 * What a message Overt sent or could not send was, by the kind its key starts with (a delivery's `about`:
 * "approval:<request>:<status>", "notice:<event>").
 */
const MESSAGE: Record<string, string> = {
  approval: 'The approval card',
  requester: 'The card telling the requester of their request',
  'not-sent': 'The notice that an approval card was not sent',
  notice: 'A notice',
  objection: 'The notice of an objection',
  raise: 'The answer to a request raised',
  decide: 'The answer to a decision',
  answer: 'The answer to more information given',
  withdraw: 'The answer to a request withdrawn',
  check: 'The answer to a check recorded',
  consent: 'The answer to a consent recorded',
  'ripa-authorise': 'The answer to a RIPA authorisation recorded',
  'ripa-magistrate': 'The answer to a magistrate’s approval recorded',
};

/** A delivery's `about` in words: a message's key by its kind (and the request's status where it has one),
 * never the ids in it; words already are kept. */
export function messageWords(about: string): string {
  const m = /^([a-z-]+):([^:\s]+)(?::([^:\s]+))?/.exec(about);
  const kind = m ? MESSAGE[m[1]!] : undefined;
  if (!m || !kind) return valueText(about);
  const status = ['approval', 'requester', 'not-sent'].includes(m[1]!) && m[3] ? statusWords(m[3]) : '';
  return status ? `${kind} (${status})` : kind;
}

/** The way in a refusal came by. */
const VIA: Record<string, string> = {
  api: 'the tab',
  bot: 'the bot',
  cli: 'the command line',
};

export async function auditCsv(deps: Deps, events: AuditEvent[], timeZone?: string): Promise<string> {
  const [staff, teams, children, requests] = await Promise.all([
    deps.store.query('staff'),
    deps.store.query('team'),
    deps.store.query('child'),
    deps.store.query('request'),
  ]);
  const staffName = new Map(staff.map((s) => [s.record.id, s.record.name]));
  const teamName = new Map(teams.map((t) => [t.record.id, t.record.name]));
  const caseRef = new Map(children.map((c) => [c.record.id, c.record.caseRef]));
  const childOfRequest = new Map(requests.map((r) => [r.record.id, r.record.childId]));
  // Overt's own doings (its jobs, its bot's messages) are said as Overt's, never as a former member of staff's.
  const person = (id: string) =>
    id === 'system' || id === 'overt-bot'
      ? 'Overt (the service)'
      : id === 'unidentified'
        ? 'Someone Overt could not identify'
        : id.startsWith('unsigned:')
          ? 'Someone not signed in'
          : (staffName.get(id) ?? 'a former member of staff');
  const profileName = (id: string) => deps.profiles(id)?.name ?? humanise(id);

  const about = (e: AuditEvent, withheld: boolean): string => {
    const { kind, id } = e.target;
    const what = label(kind, RECORD_KIND);
    if (kind === 'route') return what;
    if (kind === 'staff') return `${what}: ${person(id)}`;
    if (kind === 'team') return `${what}: ${teamName.get(id) ?? humanise(id)}`;
    if (kind === 'profile') return `${what}: ${profileName(id)}`;
    if (withheld) return `${what} (${WITHHELD})`;
    const d = (e.details ?? {}) as Record<string, unknown>;
    const childId =
      kind === 'child'
        ? id
        : typeof d.childId === 'string'
          ? d.childId
          : kind === 'request'
            ? childOfRequest.get(id)
            : undefined;
    const ref = childId ? caseRef.get(childId) : undefined;
    if (kind === 'child') return ref ? `Child ${ref}` : 'A child no longer on record';
    return ref ? `${what} about ${ref}` : what;
  };

  /** The policy of the event being written (its rules are named in their own words). */
  let policy: Profile | undefined;
  const value = (key: string, v: unknown): string => {
    if (Array.isArray(v))
      return (
        v.map((x) => value(key, x)).join(key === 'determining' || key === 'fired' ? '; ' : ', ') || 'none'
      );
    if (typeof v === 'string') {
      // A rule, by its own words (the rules that decided, and those that fired).
      if (key === 'determining' || key === 'fired' || key === 'rule')
        return (policy && ruleTitle(policy, v)) ?? label(v);
      if (key === 'outcome') return label(v, VERDICT_OUTCOME);
      if (key === 'cites') return clauseWords(v);
      if (key === 'explanation' || key === 'explain') return clauseIdsInWords(v);
      if (key === 'teamId' || key === 'teamIds') return teamName.get(v) ?? humanise(v);
      // A field named as a person's (`to`, `by`…) may hold a date in another event (the audit export's own
      // period: from and to): a day or an instant is said as one, never as "a former member of staff".
      const aDate = /^\d{4}-\d{2}-\d{2}(T|$)/.test(v) && !staffName.has(v);
      if (
        !aDate &&
        [
          'onBehalfOf',
          'to',
          'managerIds',
          'by',
          'deciderId',
          'viewerId',
          'fromId',
          'toId',
          'told',
          'toldOnReturn',
        ].includes(key)
      )
        return person(v);
      if (key === 'about') return messageWords(v);
      if (key === 'via') return VIA[v] ?? valueText(v);
      // Any other field holding a person's, a team's or a child's id (a record written whole into the details:
      // "by: { id }", a child's team): their name or case reference, never the id.
      if (staffName.has(v)) return person(v);
      if (teamName.has(v)) return teamName.get(v)!;
      if (caseRef.has(v)) return caseRef.get(v)!;
      if (key === 'platform' || key === 'platforms') return label(v);
      // A day: as people read it (a date of birth, a day a review is due).
      if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return dateGb(v);
      if (key === 'profileId') return profileName(v);
      if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return dateTimeGb(v, timeZone);
      if (key === 'role') return label(v, ROLE);
      if (key === 'code') return PROBLEM[v] ?? humanise(v);
      if (key === 'message') return plainDetail(clauseIdsInWords(v));
      if (key === 'status' || key === 'was') return statusWords(v);
      if (key === 'reason') return label(v, REASON);
      if (key === 'viewer') return label(v, VIEWER);
      if (key === 'authority') return label(v, AUTHORITY);
      return valueText(v);
    }
    if (key === 'maxSentenceMonths' && typeof v === 'number') return sentenceWords(v);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.platform === 'string' && typeof o.account === 'string')
        return `${label(o.platform)} ${o.account}`;
      // A person written whole (an actor: id, role, teams): their name.
      if (typeof o.id === 'string' && staffName.has(o.id)) return person(o.id);
      // An obligation (its id and its words): its words.
      if (typeof o.id === 'string' && typeof o.text === 'string') return o.text;
      return details(o);
    }
    return valueText(v);
  };
  const details = (d: Record<string, unknown>): string =>
    Object.entries(d)
      // An answer's HTTP status is the service's bookkeeping: the problem says it in words.
      .filter(([k, v]) => !IDS.has(k) && !(k === 'status' && typeof v === 'number'))
      .map(([k, v]) => `${DETAIL[k] ?? humanise(k)}: ${value(k, v)}`)
      .join('; ');

  return toCsv(
    AUDIT_HEADER,
    events.map((e) => {
      const d = (e.details ?? {}) as Record<string, unknown>;
      const withheld = d.withheld === WITHHELD;
      policy = e.profileId ? deps.profiles(e.profileId) : undefined;
      return [
        e.seq,
        dateTimeGb(e.at, timeZone),
        person(e.actor.id),
        e.actor.role ? label(e.actor.role, ROLE) : '',
        actionText(e.action),
        about(e, withheld),
        label(e.outcome, AUDIT_OUTCOME),
        // The clauses in words, of the policy the event names (never its ids, "000 §11").
        citations(e.cites, e.profileId ? deps.profiles(e.profileId) : undefined),
        e.profileId ? `${profileName(e.profileId)}, version ${e.profileVersion}` : '',
        withheld ? WITHHELD : details(d),
        e.hash,
      ];
    }),
  );
}

/**
 * What a person asked the service for, by the route asked (the trail keeps the route; people read what it
 * is): "GET /api/v1/audit.csv" → "to download the audit trail".
 */
const ASKED: Record<string, string> = {
  'GET /api/v1/audit.csv': 'to download the audit trail',
  'GET /api/v1/children': 'to see the list of children',
  'GET /api/v1/children/:childId/access-log': 'to see who opened a child’s record',
  'GET /api/v1/children/:childId/history': 'to open a child’s record',
  'GET /api/v1/children/:childId/subject-access.json': 'to download a child’s subject access file',
  'GET /api/v1/children/:childId/subject-access.pdf': 'to download a child’s subject access paper',
  'GET /api/v1/dashboard': 'to see the service dashboard',
  'GET /api/v1/decisions/awaiting': 'to see what awaits their decision',
  'GET /api/v1/me': 'to say who they are',
  'GET /api/v1/objections': 'to see the objections',
  'GET /api/v1/organisation': 'to see the teams and staff',
  'GET /api/v1/policy': 'to see the policy',
  'GET /api/v1/requests/mine': 'to see their requests',
  'GET /api/v1/review/:year/evidence': 'to see the annual review',
  'GET /api/v1/review/:year/export.:format': 'to download the annual review',
  'GET /api/v1/ripa': 'to see the RIPA central record',
  'GET /api/v1/ripa/central-record.:format': 'to download the RIPA central record',
  'POST /api/v1/objections/:objectionId/steps': 'to record a step on an objection',
  'POST /api/v1/requests/:requestId/decision': 'to decide a request',
  'POST /api/v1/requests/:requestId/ripa-authorisation': 'to record a RIPA authorisation',
  'POST /api/v1/requests/:requestId/ripa-refusal': 'to record a RIPA refusal',
  'POST /api/v1/review': 'to submit the annual review',
  'PUT /api/v1/policy/:profileId/platform-notes': 'to change the platform notes',
  'PUT /api/v1/staff/:staffId': 'to change a member of staff',
  'PUT /api/v1/teams/:teamId': 'to change a team',
  'PUT /api/v1/teams/:teamId/profile': 'to change a team’s policy',
};

/** An audit action in words: "request.raise" → "Request raised"; a refused API call says what was asked for. */
export function actionText(action: string): string {
  if (Object.hasOwn(AUDIT_ACTION, action)) return AUDIT_ACTION[action]!;
  const api = /^api:(\w+) (.*)$/.exec(action);
  if (api) {
    const asked = ASKED[`${api[1]} ${api[2]}`];
    // A path no route has (a mistyped address): said as such, never the address itself.
    return asked ? `Asked the service ${asked}` : 'Asked the service for a page it does not have';
  }
  const bot = /^bot:(.*)$/.exec(action);
  // A refusal in the bot of a verb the trail also records (a check refused from its card) reads as that
  // action, as the same refusal through the tab does ('Check recorded', 'Refused'; its Details say 'Through:
  // the bot'): one label, not 'Used the bot: check record' beside it.
  if (bot && Object.hasOwn(AUDIT_ACTION, bot[1]!)) return AUDIT_ACTION[bot[1]!]!;
  if (bot) return `Used the bot: ${humanise(bot[1]!).toLowerCase()}`;
  return humanise(action);
}
