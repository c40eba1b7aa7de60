/**
 * One vocabulary: every code Overt keeps (roles, statuses, reasons, viewing methods, authorities, outcomes,
 * the review's assertions and evidence) has one human label, shared by the tab, the API's CSV headers and
 * PDFs, and the bot. Pure data and functions, no I/O, so the tab's bundle can use it too.
 *
 * A code that is not listed (a custom profile's reason, say) is still never shown raw: `label` turns it into
 * words ("repeated-missing-episodes" → "Repeated missing episodes"), keeping the field's acronyms upper case.
 */

/**
 * The officer who authorises directed surveillance under RIPA, by the field's standard term (the Home Office
 * code of practice's): the one name for the role wherever a person reads it — bot cards, the tab, the command
 * line. Overt's own code for the role stays `authorised-officer`.
 */
export const AUTHORISING_OFFICER = 'authorising officer';
const AUTHORISING_OFFICER_TITLE = 'Authorising officer';

/** Other names the role went by ("RIPA authorised officer", "authorised officer", "authorizing officer"). */
const OTHER_OFFICER_NAMES = /\b(?:RIPA )?(a)uthori[sz](?:ed|ing) officer(s?)\b/gi;

/** A text (a profile's own words, say) with the role called by its one name, keeping a capital where one was,
 * and a numbered clause called a section, as citations call it. */
export function officerWords(text: string): string {
  return (
    text
      .replace(OTHER_OFFICER_NAMES, (_m, a: string, plural: string) => {
        const word = a === 'A' ? AUTHORISING_OFFICER_TITLE : AUTHORISING_OFFICER;
        return `${word}${plural}`;
      })
      // A numbered clause by the one word cards cite it with (clauseWords: "section 23"), never "paragraph 23"
      // beside it (issue 13 walk 13b).
      .replace(
        /\b([Pp])aragraph(s?) (\d+)\b/g,
        (_m, p: string, plural: string, n: string) => `${p === 'P' ? 'Section' : 'section'}${plural} ${n}`,
      )
  );
}

export const ROLE: Record<string, string> = {
  'case-manager': 'Case manager',
  'team-manager': 'Team manager',
  'service-manager': 'Service manager',
  'information-governance': 'Information governance',
  'authorised-officer': AUTHORISING_OFFICER_TITLE,
  administrator: 'Administrator',
};

/** Who holds a role, inside a sentence ("a service manager", "information governance"). */
const ROLE_HOLDER: Record<string, string> = {
  'case-manager': 'a case manager',
  'team-manager': 'a team manager',
  'service-manager': 'a service manager',
  'information-governance': 'information governance',
  'authorised-officer': `an ${AUTHORISING_OFFICER}`,
  administrator: 'an administrator',
};

/** The one sentence a role refusal says, wherever it is made: "Only a service manager can do this.",
 * "Only information governance or a service manager can do this." */
export function onlyRoles(roles: readonly string[]): string {
  const who = roles.map((r) => ROLE_HOLDER[r] ?? `a ${phrase(r, ROLE)}`);
  const list =
    who.length <= 1 ? (who[0] ?? 'someone else') : `${who.slice(0, -1).join(', ')} or ${who.at(-1)}`;
  return `Only ${list} can do this.`;
}

/**
 * A request's status in words: the one vocabulary for every surface (issue 13: the bot said "waiting for a
 * higher authority" where the tab said "Escalated"). The bot's cards and lists and the tab's views all show
 * `statusWords(status)`; test/vocabulary/status-words.test.ts compares them over every status.
 */
export const REQUEST_STATUS: Record<string, string> = {
  pending: 'Waiting for a decision',
  escalated: 'Waiting for a higher authority',
  'more-info': 'More information asked for',
  approved: 'Approved, check not yet recorded',
  declined: 'Declined',
  withdrawn: 'Withdrawn',
  expired: 'Expired',
  completed: 'Check recorded',
  refused: 'Refused by the policy',
  stopped: 'Stopped, authorisation cancelled',
};

/** Every status a request can be in, in the order a person meets them. */
export const REQUEST_STATUSES = Object.keys(REQUEST_STATUS);

/** A request's status as every surface shows it (a status Overt does not know, in words, never raw). */
export const statusWords = (status: string): string => label(status, REQUEST_STATUS);

/** What became of a request, as a past participle in a sentence: "already decided (approved) by …". */
export const DECIDED: Record<string, string> = {
  approved: 'approved',
  declined: 'declined',
  'more-info': 'more information asked for',
  completed: 'approved and the check recorded',
  expired: 'expired',
  withdrawn: 'withdrawn',
  refused: 'refused by policy',
  stopped: 'stopped: the RIPA authorisation it was approved under was cancelled',
  escalated: 'escalated',
  pending: 'awaiting a decision',
};

/**
 * Where a request stands, as the rest of a sentence about it ("This request …"): the one way every surface says
 * a request's state in a sentence (a decision refused because the request is no longer open, on the card and
 * in the tab). Each reads whole: "This request is waiting for the answer to a request for more information",
 * never "was already more information asked for".
 */
const STATE_CLAUSE: Record<string, string> = {
  pending: 'is waiting for a decision',
  escalated: 'has gone to a higher authority for a decision',
  'more-info': 'is waiting for the requester’s answer to a request for more information',
  approved: 'has been approved',
  declined: 'has been declined',
  withdrawn: 'has been withdrawn by the person who asked',
  expired: 'has expired without a check being recorded',
  completed: 'has been approved and its check recorded',
  refused: 'was refused by the policy',
  stopped:
    'was stopped: the RIPA authorisation it was approved under was cancelled, so no check may be done or recorded for it',
};

/** "This request has been withdrawn by the person who asked" (no full stop), for a request's state; with
 * `since`, when it came to be so and by whom, en-GB: "This request has been approved and its check recorded on
 * 1 December 2026 by Dara Dunmore". */
export function requestStateSentence(
  status: string,
  subject = 'This request',
  since?: { at: string; by?: string; timeZone?: string },
): string {
  const when = since ? ` on ${dateGb(since.at, since.timeZone)}${since.by ? ` by ${since.by}` : ''}` : '';
  return `${subject} ${STATE_CLAUSE[status] ?? 'is no longer open'}${when}`;
}

export const DECISION: Record<string, string> = {
  approve: 'Approved',
  decline: 'Declined',
  'more-info': 'More information asked for',
};

export const OBJECTION_STATUS: Record<string, string> = {
  open: 'Open',
  'with-ig': 'With information governance',
  'response-sent': 'Formal response sent',
  resolved: 'Resolved',
};

export const OBJECTION_OUTCOME: Record<string, string> = {
  'checks-may-resume': 'Checks may resume',
  'checks-stopped': 'Checks stopped',
};

export const CONSENT_STATUS: Record<string, string> = {
  none: 'None recorded',
  given: 'Given',
  withdrawn: 'Withdrawn',
};

export const THIRD_PARTY: Record<string, string> = {
  none: 'None seen',
  'seen-not-kept': 'Seen, not kept',
  kept: 'Kept',
};

export const ASSESSMENT: Record<string, string> = {
  met: 'Met',
  'partly-met': 'Partly met',
  'not-met': 'Not met',
};

export const AUTHORITY: Record<string, string> = {
  'team-manager': 'Team manager',
  'strategy-discussion': 'Strategy discussion',
  'exploitation-response-meeting': 'Exploitation response meeting',
  'cla-service-manager': 'Children looked after service manager',
  'authorised-officer': `${AUTHORISING_OFFICER_TITLE} (RIPA)`,
  manager: 'Manager',
  trustees: 'Trustees',
  'information-governance': 'Information governance',
  court: 'Court',
};

/** An authority inside a sentence ("sending it to the team manager", "… to information governance"). */
export const AUTHORITY_IN_SENTENCE: Record<string, string> = {
  'team-manager': 'the team manager',
  'strategy-discussion': 'the strategy discussion',
  'exploitation-response-meeting': 'the exploitation response meeting',
  'cla-service-manager': 'the children looked after service manager',
  'authorised-officer': `the ${AUTHORISING_OFFICER}`,
  manager: 'a manager',
  trustees: 'the trustees',
  'information-governance': 'information governance',
  court: 'a court',
};

/** An authority inside a sentence: a standard authority in its short words, a profile's own authority by the
 * name the profile gives it, else its code in words. */
export function authorityInSentence(code: string, profileName?: string): string {
  return AUTHORITY_IN_SENTENCE[code] ?? (profileName && officerWords(profileName)) ?? `the ${phrase(code)}`;
}

/** An authority on its own (a card's "Decided by: …"): a standard authority's label, a profile's own authority
 * by the name the profile gives it ("The child's own team manager"), else its code in words. */
export function authorityAlone(code: string, profileName?: string): string {
  if (Object.hasOwn(AUTHORITY, code)) return AUTHORITY[code]!;
  return profileName ? officerWords(profileName.charAt(0).toUpperCase() + profileName.slice(1)) : label(code);
}

export const REASON: Record<string, string> = {
  'assessment-corroboration': 'Corroborating an assessment',
  'breach-of-conditions': 'Breach of conditions',
  'gang-involvement': 'Gang involvement',
  'mase-intelligence': 'MASE intelligence',
  'missing-or-exploitation': 'Missing or exploitation',
  other: 'Other circumstances',
  'repeated-missing-episodes': 'Repeated missing episodes',
  'risk-of-cce': 'Risk of child criminal exploitation',
  'risk-of-cse': 'Risk of child sexual exploitation',
  's47-enquiry': 'Section 47 enquiry',
  'safeguarding-assessment': 'Safeguarding assessment',
  'serious-self-harm-risk': 'Serious risk of self-harm',
  'uasc-age-assessment': 'Age assessment (unaccompanied child)',
  'weapon-offence': 'Weapon offence',
};

export const VIEWER: Record<string, string> = {
  'organisation-account': "The organisation's account",
  'own-personal-account': 'Own personal account',
  'social-media-responsible-manager': 'The manager responsible for social media',
};

export const PLATFORM: Record<string, string> = {
  instagram: 'Instagram',
  tiktok: 'TikTok',
  facebook: 'Facebook',
  snapchat: 'Snapchat',
  x: 'X',
  twitter: 'X (Twitter)',
  youtube: 'YouTube',
  whatsapp: 'WhatsApp',
  linkedin: 'LinkedIn',
};

/**
 * What a policy obliges before and during a check, in a few words: the obligations of the seed profiles by
 * their ids (the full text of each is in the verdict). A custom profile's own id is put into words.
 */
export const OBLIGATION: Record<string, string> = {
  'act-on-safeguarding-concerns': 'Act on any safeguarding concern',
  'check-privacy-settings': "Know the platform's privacy settings",
  'consent-exception-recorded': 'Record the agreed consent exception',
  'data-protection-principles': 'Follow the data protection principles',
  'necessity-proportionality': 'Be satisfied it is necessary and proportionate',
  'no-friend-or-follow': 'Do not friend or follow',
  'open-source-only': 'Gather open-source information only',
  'own-account-voluntary': 'Using your own account is voluntary',
  'platform-not-assessed': 'Find out what a platform not yet assessed shows',
  'record-decision': 'Record the decision and its reasons',
  'record-on-case-file': 'Record the access on the case file',
  'record-reasons': 'Record the reasons',
  'record-repeat-rationale': 'Record why a repeat search is needed',
  'record-third-party-rationale': "Record why other people's information is kept",
  'relevant-information-only': 'Gather relevant information only',
  'remind-child': 'Remind the child',
  'ripa-record-offence': 'Record the offence and the legal advice',
  'sensitive-information': 'Take care with sensitive information',
  'story-viewer-warning': 'Do not open stories',
  'third-party-data': "Do not keep other people's information",
  'use-known-accounts': 'Use the accounts recorded at assessment',
  'verify-veracity': 'Corroborate what you find',
};

export const EFFECT: Record<string, string> = {
  allow: 'Allows',
  escalate: 'Escalates',
  refuse: 'Refuses',
  oblige: 'Obliges',
};

export const ACTION: Record<string, string> = {
  'request-check': 'raising a request',
  'approve-check': 'approving',
  'record-check': 'recording a check',
  'view-history': "reading a child's record",
};

export const ACCESS: Record<string, string> = {
  'record.view': 'Viewed',
  'record.export': 'Exported',
};

export const VERDICT_OUTCOME: Record<string, string> = {
  allow: 'Allowed',
  refuse: 'Refused',
  escalate: 'Escalated',
  'needs-escalation': 'Needs escalation',
};

/** What happened, as the audit trail's export says it. */
export const AUDIT_ACTION: Record<string, string> = {
  'audit.adopt': 'Audit trail adopted under this signing key',
  'audit.export': 'Audit trail exported',
  'audit.seal': 'Records kept before seals sealed',
  'api:before-sign-in': 'Requests to the service refused before sign-in (counted)',
  'bot:before-sign-in': 'Requests to the bot refused before sign-in (counted)',
  'bot.activity': 'Used the bot',
  'bot.deliver': 'Bot message delivered',
  'bot.install': 'Bot installed for a person',
  'bot.welcome': 'Welcomed by the bot',
  'caselist.import': 'Case list imported',
  'check.record': 'Check recorded',
  'child.create': 'Child added',
  'consent.exception': 'Consent exception agreed',
  'consent.record': 'Consent or notice recorded',
  'consent.remind': 'Reminder given',
  'consent.withdraw': 'Consent withdrawn',
  'delegation.create': 'Deputy named',
  'notice.decision-waiting': 'Notice: a decision is waiting',
  'notice.record-check': 'Notice: a check is to be recorded',
  'notice.reminder-due': 'Notice: a reminder is due',
  'notice.request-expired': 'Notice: a request expired',
  'notice.ripa-review': 'Notice: a RIPA review is due',
  'notice.ripa-expired': 'Notice: a RIPA authorisation ended',
  'objection.raise': 'Objection raised',
  'objection.take': 'Objection taken by information governance',
  'objection.respond': 'Formal response sent',
  'objection.resolve': 'Objection resolved',
  'policy.platform-notes': 'Platform notes saved',
  'record.export': 'Record exported',
  'record.view': 'Record viewed',
  'request.amend': 'Request amended',
  'request.answer': 'More information given',
  'request.approve': 'Request approved',
  'request.decline': 'Request declined',
  'request.escalate': 'Request escalated',
  'request.expire': 'Request expired',
  'request.more-info': 'More information asked for',
  'request.raise': 'Request raised',
  'request.record': 'Check recorded',
  'request.view': 'Request viewed',
  'request.withdraw': 'Request withdrawn',
  'retention.erase': 'Records erased at the end of retention',
  'row.kept': 'Overt’s own note first kept',
  'review.submit': 'Annual review submitted',
  'ripa.authorise': 'RIPA authorisation recorded',
  'ripa.cancel': 'RIPA authorisation cancelled',
  'ripa.magistrate': 'Magistrate’s approval of a RIPA authorisation recorded',
  'ripa.renew': 'RIPA authorisation renewed',
  'ripa.review': 'RIPA authorisation reviewed',
  'staff.bootstrap': 'First administrator set up',
  'staff.upsert': 'Staff details saved',
  'team.upsert': 'Team saved',
};

/** An audit event's outcome in words. */
export const AUDIT_OUTCOME: Record<string, string> = {
  allow: 'Allowed',
  refuse: 'Refused',
  'needs-escalation': 'Needs escalation',
  escalate: 'Escalated',
  recorded: 'Recorded',
  due: 'Due',
  expired: 'Expired',
  declined: 'Declined',
  'more-info': 'More information asked for',
  open: 'Open',
  'with-ig': 'With information governance',
  'response-sent': 'Formal response sent',
  resolved: 'Resolved',
  authorised: 'Authorised',
  unreachable: 'Could not be delivered',
  dropped: 'Not sent: no longer true',
  delivered: 'Delivered',
  exported: 'Exported',
  'sent-to-ig': 'Sent to information governance',
  kept: 'Kept',
  erased: 'Erased',
  adopted: 'Adopted',
  sealed: 'Sealed',
  cancelled: 'Cancelled',
};

/** The kind of record an audit event is about. */
export const RECORD_KIND: Record<string, string> = {
  request: 'Request',
  check: 'Check',
  decision: 'Decision',
  consent: 'Consent',
  objection: 'Objection',
  ripa: 'RIPA authorisation',
  reminder: 'Reminder',
  child: 'Child',
  staff: 'Staff',
  team: 'Team',
  review: 'Annual review',
  audit: 'Audit trail',
  profile: 'Policy',
  caselist: 'Case list',
  delegation: 'Deputy',
  route: 'The service',
};

/** The details of an audit event, by key. */
export const DETAIL: Record<string, string> = {
  refused: 'How many were refused',
  first: 'First',
  last: 'Last',
  claimedSenders: 'Senders they claimed to be (not checked)',
  claimedNotTrusted: 'Who they claimed to be was not checked',
  status: 'Status',
  authority: 'Authority',
  determining: 'Deciding rules',
  kind: 'Kind',
  to: 'To',
  text: 'Text',
  teamId: 'Team',
  teamIds: 'Teams',
  onBehalfOf: 'On behalf of',
  reasons: 'Reasons',
  nextDue: 'Next due',
  thirdPartyData: 'Third-party data',
  sensitive: 'Sensitive',
  safeguardingFollowUp: 'Safeguarding follow-up',
  platforms: 'Platforms',
  code: 'Problem',
  message: 'Why',
  was: 'Was',
  reason: 'Reason',
  viewer: 'Viewing with',
  role: 'Role',
  profileId: 'Policy',
  managerIds: 'Managers',
  via: 'Through',
  about: 'About',
  told: 'Told',
  toldOnReturn: 'Told when they next open Overt',
  withheld: 'Withheld',
  raisedBy: 'Raised by',
  detail: 'Detail',
  outcome: 'Outcome',
  offence: 'Offence',
  maxSentenceMonths: 'Maximum sentence',
  until: 'Until',
  legalAdviceRef: 'Legal advice',
  field: 'Field',
  from: 'From',
  events: 'Events',
  year: 'Year',
  revision: 'Revision',
};

/** The review's five assertions by heading (000 §24). */
export const ASSERTION: Record<string, string> = {
  benefits: 'Benefits',
  objections: 'Complaints, concerns and objections',
  procedures: 'Local procedures',
  records: 'Records and audit trail',
  risks: 'Risks',
};

/** The review's evidence: each key of the evidence object, as a heading or a figure's name. */
export const EVIDENCE: Record<string, string> = {
  year: 'Year',
  volumes: 'Volumes',
  requests: 'Requests raised',
  byStatus: 'By status',
  byTeam: 'By team',
  checks: 'Checks recorded',
  checksByTeam: 'Checks by team',
  decisions: 'Decisions',
  benefits: 'Benefits',
  checksWithRelevantInformation: 'Checks that found relevant information',
  checksWithSafeguardingFollowUp: 'Checks with a safeguarding follow-up',
  refusals: 'Refusals by policy',
  total: 'Total',
  byRule: 'By rule',
  nearMisses: 'Near-misses',
  escalatedToRipa: 'Escalated to RIPA',
  medianHoursToDecision: 'Median hours from request to decision',
  objections: 'Objections',
  raised: 'Raised',
  outcomes: 'Outcomes',
  medianDaysToFormalResponse: 'Median days to the formal response',
  records: 'Records',
  auditChain: 'Audit trail',
  ok: 'Intact',
  count: 'Events checked',
  firstBadSeq: 'First broken event',
  auditEvents: 'Audit events in the year',
  approvedNeverRecorded: 'Approved, never recorded',
  approvedAwaitingRecord: 'Approved, awaiting the record',
  thirdPartyKept: 'Third-party data kept',
  thirdPartyKeptWithRationale: 'Third-party data kept with a rationale',
  risks: 'Risks',
  sensitiveInformationFlagged: 'Sensitive information flagged',
  ripaAuthorisations: 'RIPA authorisations',
  profiles: 'Policies applied',
};

/** The state of a RIPA authorisation on the central record. */
export const RIPA_STATE: Record<string, string> = {
  'in-force': 'In force',
  'review-due': 'In force, review overdue',
  'not-yet': 'Not yet in force',
  'awaiting-approval': 'Awaiting magistrate’s approval',
  cancelled: 'Cancelled',
  ended: 'Ended',
};

/** Why an authorising officer refuses a RIPA application. */
export const RIPA_REFUSAL: Record<string, string> = {
  'below-threshold': 'The offence is not punishable by over six months in prison',
  'not-necessary': 'Not necessary',
  'not-proportionate': 'Not proportionate',
  'no-legal-advice': 'Legal advice does not support it',
  other: 'Other reasons',
};

/** The maximum sentences an authorising officer chooses from, in months (9999: life), and their words. */
export const MAX_SENTENCE: Record<string, string> = {
  '0': 'Less than six months, or no prison sentence',
  '6': 'Six months',
  '12': 'One year',
  '24': 'Two years',
  '36': 'Three years',
  '48': 'Four years',
  '60': 'Five years',
  '84': 'Seven years',
  '120': 'Ten years',
  '168': 'Fourteen years',
  '9999': 'Life imprisonment',
};

/** A maximum sentence in words: a listed one by name, another in months or years. */
export function sentenceWords(months: number): string {
  const listed = MAX_SENTENCE[String(months)];
  if (listed) return listed;
  if (months >= 999) return 'Life imprisonment';
  return months % 12 === 0 ? `${months / 12} years` : `${months} months`;
}

/** Yes, No, or not recorded (an authorisation made before the field existed). */
export const yesNo = (b: boolean | null | undefined) =>
  b === true ? 'Yes' : b === false ? 'No' : 'Not recorded';

const TABLES = [
  ROLE,
  REQUEST_STATUS,
  DECISION,
  OBJECTION_STATUS,
  OBJECTION_OUTCOME,
  CONSENT_STATUS,
  THIRD_PARTY,
  ASSESSMENT,
  AUTHORITY,
  REASON,
  VIEWER,
  PLATFORM,
  OBLIGATION,
  AUDIT_ACTION,
  EFFECT,
  ACCESS,
  VERDICT_OUTCOME,
  RIPA_STATE,
  RIPA_REFUSAL,
];

/** Every code with a hyphen or dot that Overt keeps: what a user must never read raw. */
export const CODES: readonly string[] = [
  ...new Set(TABLES.flatMap((t) => Object.keys(t)).filter((k) => /[-.]/.test(k))),
];

const ACRONYMS = new Set([
  'cce',
  'cse',
  'cla',
  'ig',
  'ripa',
  'mase',
  'uasc',
  'yjs',
  'sar',
  'csv',
  'pdf',
  's47',
]);

/** A code in words: the first letter capital, hyphens and dots as spaces, acronyms upper case. */
export function humanise(code: string): string {
  const words = code
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    // A dot between digits is a number's (a version "2.0"), kept; any other dot parts words.
    .split(/(?:[-_\s]|(?<!\d)\.|\.(?!\d))+/)
    .filter(Boolean)
    .map((w) => (ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase()));
  const s = words.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The label of a code from the table given (or any table), else the code in words. */
export function label(code: string | null | undefined, table?: Record<string, string>): string {
  if (code === null || code === undefined || code === '') return '—';
  if (table && Object.hasOwn(table, code)) return table[code]!;
  for (const t of TABLES) if (Object.hasOwn(t, code)) return t[code]!;
  return humanise(code);
}

/** A platform and account, e.g. "Instagram @demo_x". */
export const account = (p: { platform: string; account: string }) =>
  `${label(p.platform, PLATFORM)} ${p.account}`;

export const DEFAULT_TIME_ZONE = 'Europe/London';

const formatters = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, tz: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = `${key}|${tz}`;
  let f = formatters.get(k);
  if (!f) formatters.set(k, (f = new Intl.DateTimeFormat('en-GB', { ...o, timeZone: tz })));
  return f;
}

/** A day in en-GB in the profile's time zone: "15 January 2026". A bare day (2026-01-15) is that day. */
/** A policy's text with its day/month/year dates ("last checked 03/01/2023", the seeds' and the policy core's
 * form) said as people read them: "last checked 3 January 2023". */
export const numericDatesInWords = (text: string): string =>
  text.replace(/\b(\d{2})\/(\d{2})\/(\d{4})\b/g, (whole, d: string, m: string, y: string) => {
    const said = dateGb(`${y}-${m}-${d}`, 'UTC');
    return said === `${y}-${m}-${d}` ? whole : said;
  });

export function dateGb(iso: string | null | undefined, tz = DEFAULT_TIME_ZONE): string {
  if (!iso) return '—';
  const bare = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const d = new Date(bare ? `${iso}T12:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return fmt('d', bare ? 'UTC' : tz, { day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * A day a person typed, as YYYY-MM-DD: en-GB ("1 December 2026", "1 Dec 2026", "01/12/2026", "1/12/2026") or
 * ISO ("2026-12-01"). Undefined when it is none of these or no such day (31/02/2026).
 */
export function dayTyped(text: string): string | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  let y: number, m: number, d: number;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t))) [y, m, d] = [+match[1]!, +match[2]!, +match[3]!];
  else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t)))
    [d, m, y] = [+match[1]!, +match[2]!, +match[3]!];
  else if ((match = /^(\d{1,2}) ([a-z]+)\.? (\d{4})$/i.exec(t))) {
    const word = match[2]!.toLowerCase();
    const i = MONTHS.findIndex((name) => name === word || (word.length >= 3 && name.startsWith(word)));
    if (i < 0) return undefined;
    [d, m, y] = [+match[1]!, i + 1, +match[3]!];
  } else return undefined;
  const day = new Date(Date.UTC(y, m - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A moment in en-GB in the profile's time zone: "15 January 2026, 14:05" (the one form every card, view and paper
 * shows a time in; ICU's own en-GB puts " at " between them).
 */
export function dateTimeGb(iso: string | null | undefined, tz = DEFAULT_TIME_ZONE): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = fmt('dt', tz, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const part = (t: Intl.DateTimeFormatPartTypes) => parts.find((x) => x.type === t)?.value ?? '';
  return `${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')}`;
}

/** A code's label inside a sentence: the first letter lower case unless the word is an acronym. */
export function phrase(code: string, table?: Record<string, string>): string {
  const s = label(code, table);
  return /^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s;
}

const CODE_LIKE = /^[a-z0-9]+(?:[-.][a-z0-9]+)+(?: v[\w.]+)?$/;

/** A value in words: true/false as yes/no, a code as its label, anything else as it is. */
export function valueText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') {
    // A number with dots (a version, "2.0") is already words.
    if (!CODE_LIKE.test(v) || /^\d+(?:\.\d+)+$/.test(v)) return v;
    const [code, version] = v.split(' v');
    return version ? `${label(code)}, version ${version}` : label(code);
  }
  return String(v);
}

/**
 * Nested figures (the review's evidence) as lines under human headings: each key through EVIDENCE or the
 * code tables ("volumes.byStatus.completed" → "Volumes — By status — Check recorded").
 */
export function evidenceLines(
  value: unknown,
  /** Names for keys that are records' ids (a team's figures are kept under its id): "north" → "North Locality Team". */
  names: Record<string, string> = {},
  path: string[] = [],
): [string, string][] {
  const key = () => path.join(' — ');
  if (value === null || value === undefined || typeof value !== 'object') return [[key(), valueText(value)]];
  if (Array.isArray(value)) return [[key(), value.map(valueText).join('; ') || '—']];
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return [[key(), 'none']];
  return entries.flatMap(([k, v]) =>
    evidenceLines(v, names, [
      ...path,
      // A key that is already words (a rule by its own words) is kept as it is.
      EVIDENCE[k] ?? (Object.hasOwn(names, k) ? names[k]! : /\s/.test(k) ? k : label(k)),
    ]),
  );
}

/** A verdict's obligations as the sentence its explanation ends with, each in a few words. */
export function obligationsSentence(obligations: readonly { id: string }[]): string {
  return `Before and during the check: ${obligations.map((o) => phrase(o.id, OBLIGATION)).join('; ')}.`;
}

/**
 * A verdict's explanation as people read it: one kept before obligations were put into words ended with
 * their ids ("Before and during the check: record-decision, …"); that ending is said again in words.
 */
export function explanationText(verdict: unknown): string {
  const v = (verdict ?? {}) as { explanation?: unknown; obligations?: { id?: unknown }[] };
  const text = clauseIdsInWords(typeof v.explanation === 'string' ? v.explanation : '');
  const obligations = (Array.isArray(v.obligations) ? v.obligations : []).flatMap((o) =>
    typeof o?.id === 'string' ? [{ id: o.id }] : [],
  );
  const cut = text.indexOf(' Before and during the check: ');
  if (cut < 0) return text;
  return obligations.length
    ? `${text.slice(0, cut)} ${obligationsSentence(obligations)}`
    : text.slice(0, cut);
}

/** A refusal's kind, as the audit trail's export says it. */
export const PROBLEM: Record<string, string> = {
  FORBIDDEN: 'Not allowed',
  POLICY_REFUSED: 'Refused by policy',
  INVALID_INPUT: 'Input not accepted',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Changed meanwhile',
  ALREADY_DECIDED: 'Already decided',
  WRONG_STATE: 'Not possible now',
  UNKNOWN_STAFF: 'Not on the staff list',
  NOT_MAPPED: 'Not on the staff list',
  NO_ROUTE: 'No such page',
  METHOD_NOT_ALLOWED: 'Not possible here',
  BODY_TOO_LARGE: 'Too large',
  UNSUPPORTED_MEDIA_TYPE: 'Not possible here',
  INVALID_JSON: 'Input not accepted',
};

/**
 * A reason the service gave, in plain words: the field it names is not a "childId:" prefix, a quoted id (a
 * record or staff id: one word with a digit or a hyphen, "s-123") is left out, and the first letter is a
 * capital. Quoted words are kept: an id has no spaces, and "CSV UTF-8 (Comma delimited)" is what to do.
 */
export function plainDetail(detail: string): string {
  const s = detail
    .replace(/^[A-Za-z][\w.-]*: /, '')
    .replace(/\s*["“][^"”\s]*[0-9-][^"”\s]*["”]/g, '')
    .trim();
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : s;
}

/** What a citation needs of a policy profile: its name and its clauses' titles. */
export type CitedPolicy = { name: string; clauses?: Readonly<Record<string, string>> };

const CLAUSE_PART = /^(appendix|annex|schedule|part|section|paragraph|chapter)\s+[\w.()]+/i;

/**
 * A clause in words, without its policy: "section 12", "appendix 1", or — for a clause the document knows
 * only by a heading — "section “Information gathering and Assessment”" (its title in the profile). A
 * profile's clause id is free-form (`000 §12`, `002 §Information gathering`, `CP-4.2`): the seed's number
 * before "§" is never said.
 */
export function clauseWords(id: string, title?: string): string {
  const rest = id.replace(/^[^§]*§\s*/, '').trim();
  if (/^\d/.test(rest)) return `section ${rest}`;
  const part = CLAUSE_PART.exec(rest);
  if (part) return part[0].charAt(0).toLowerCase() + part[0].slice(1);
  // A council's own free-form id ("KM/OV 1"), not a seed's `NNN §x`: the id the council uses, with its title.
  if (!id.includes('§')) return title ? `${id} “${title}”` : id;
  return `section “${title || rest}”`;
}

/** A policy by its name, as a citation opens: "Nottinghamshire YJS policy". */
export function policyName(policy: CitedPolicy): string {
  return /\b(policy|procedure|guidance|guidelines)$/i.test(policy.name)
    ? policy.name
    : `${policy.name} policy`;
}

/**
 * The one citation form every person reads (cards, the tab, the papers, the CSV): the policy by its name
 * and the clause in words — "Nottinghamshire YJS policy, section 12". Without the profile, the clause alone
 * ("section 12"). Never the clause's id (`000 §12`): test/tab/personas.test.ts looks for "§" in every view
 * and paper.
 */
export function citation(id: string, policy?: CitedPolicy): string {
  const words = clauseWords(id, policy?.clauses?.[id]);
  return policy ? `${policyName(policy)}, ${words}` : words;
}

/** Several clauses of one policy in one citation: "Nottinghamshire YJS policy, sections 10 and 11". */
export function citations(ids: readonly string[], policy?: CitedPolicy): string {
  const words = [...new Set(ids.map((id) => clauseWords(id, policy?.clauses?.[id])))];
  if (!words.length) return '';
  const joined =
    words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]!}`;
  return policy ? `${policyName(policy)}, ${joined}` : joined;
}

/**
 * Text kept before clauses were put into words ("… on Capita. (000 §11, 000 §10)"), said as people read it
 * now ("(section 11, section 10)"): a verdict's explanation or a refusal's message stored in an older record.
 */
export function clauseIdsInWords(text: string): string {
  return text.replace(/(?:\b\d{3} )?§\s?([\w.]+(?: \d+)?)/g, (whole) => clauseWords(whole));
}
