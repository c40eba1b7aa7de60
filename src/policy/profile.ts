import { officerWords } from '../vocabulary';
import { z } from 'zod';
import { strict } from './strict';
import { ACTION_TYPES, Authority, CalendarDay, EVENT_NAMES, Role } from './situation';

/**
 * A policy profile: one organisation's procedure as data. Every rule cites the clauses it rests on, and the
 * schema checks that each cited clause is one the profile declares, so a typo cannot produce an uncited rule.
 */

/**
 * A clause of the source document, as the profile names it: free-form, one line (the built-ins keep the
 * seeds' `000 §11`, `002 §Information gathering`; another council may write `CP-4.2` or `Section 3(b)`).
 */
export const ClauseId = z
  .string()
  .min(1)
  .regex(/^\S(.*\S)?$/, 'a clause id is one line without leading or trailing spaces')
  .refine((s) => !/[\r\n]/.test(s), 'a clause id is one line');

const Months = z.number().int().positive();
const Count = z.number().int().positive();
const Day = CalendarDay;

/**
 * A length of time counted back from the moment of the action (or on from an event): calendar days, weeks,
 * calendar months, or working days (Monday to Friday, less the profile's bank holidays). Exactly one.
 */
export const Window = strict({ days: Count, weeks: Count, months: Count, workingDays: Count })
  .partial()
  .refine((w) => Object.keys(w).length === 1, 'a window is exactly one of days, weeks, months, workingDays');
export type Window = z.infer<typeof Window>;

/** An event on the child's record a condition may look at: the case format's events. */
const EventName = z.enum(EVENT_NAMES);

/** The time zone of a profile that names none: the organisation's calendar is the UK's. */
export const DEFAULT_TIME_ZONE = 'Europe/London';

/** What must hold for a rule to fire: every condition given must hold (and). */
export const Condition = strict({
  /** Fires on every action the rule applies to. */
  always: z.literal(true),
  /** The child's objection: `open` (raised, not resolved) or `stopped` (resolved: checks stopped). */
  objection: z.array(z.enum(['open', 'stopped'])).min(1),
  /** Consent or notice on record: `absent` (never recorded), `withdrawn`, `recorded`. */
  consent: z.array(z.enum(['absent', 'withdrawn', 'recorded'])).min(1),
  /** Consent on record names platforms, and a requested platform is not among them. */
  consentMissesPlatform: z.literal(true),
  /** Whether a consent exception has been agreed (e.g. 002: manager and information governance). */
  consentExceptionAgreed: z.boolean(),
  reasonIn: z.array(z.string()).min(1),
  reasonNotIn: z.array(z.string()).min(1),
  rationale: z.enum(['absent', 'present']),
  viewerIn: z.array(z.string()).min(1),
  viewerNotIn: z.array(z.string()).min(1),
  /** Any requested platform is one of these. */
  platformsAny: z.array(z.string()).min(1),
  /** A requested platform has no entry in the profile's platform notes. */
  platformsUnlisted: z.literal(true),
  /** Checks on the child by anyone (completed, plus approved and not yet done) within the window. */
  priorChecks: strict({
    /** The window: `{ "days": 28 }`, `{ "weeks": 2 }`, `{ "months": 3 }`, `{ "workingDays": 10 }`. */
    within: Window.optional(),
    /** The same as `within: { months: n }` (the older spelling). */
    withinMonths: Months.optional(),
    /** Only count checks on or after the latest event of this kind (e.g. one search per assessment). */
    since: z.enum(['assessment-started', 'consent-recorded']).optional(),
    atLeast: z.number().int().positive().default(1),
  }),
  /** No check on the child (counted as `priorChecks` counts them) within the window or since the event: the
   * first, where `priorChecks` holds on a repeat (e.g. 002: a manager's agreement for a first search without
   * consent; a repeat without consent goes to a court alone). */
  noPriorChecks: strict({
    within: Window.optional(),
    withinMonths: Months.optional(),
    since: z.enum(['assessment-started', 'consent-recorded']).optional(),
  }),
  /** A RIPA authorisation covers the moment of the action. */
  ripaInForce: z.boolean(),
  /** The last notice or reminder (consent-recorded, reminder-given) is this many months old or more. */
  reminderDueMonths: Months,
  /** An approved check not yet recorded exists (record-check needs one). */
  approvedCheckOutstanding: z.boolean(),
  thirdPartyData: z.array(z.enum(['none', 'seen-not-kept', 'kept'])).min(1),
  thirdPartyAuthorised: z.boolean(),
  /** record-check: the person who authorised keeping third-party data has none of these roles (or their role
   * is not on record: a case file may name only an id, and then it cannot be shown to be one of them). */
  thirdPartyAuthoriserRoleNotIn: z.array(Role).min(1),
  attestNoFriendFollow: z.boolean(),
  attestOpenSourceOnly: z.boolean(),
  byRoleIn: z.array(Role).min(1),
  byRoleNotIn: z.array(Role).min(1),
  bySocialMediaResponsibility: z.boolean(),
  byDesignatedOfficer: z.boolean(),
  /** approve-check: the approver is the person who raised the request. */
  selfApproval: z.boolean(),
  /** approve-check: the authority named is not one the verdict requires. */
  authorityMismatch: z.literal(true),
  /** approve-check: the approver's role cannot act as the authority they name. */
  approverRoleMismatch: z.literal(true),
  /** approve-check: the approver's reasons. */
  reasons: z.enum(['absent', 'present']),
  /** The person acting holds one of these authorities (as the profile's `authorities` say who does). */
  byHolds: z.array(Authority).min(1),
  /** The person acting holds none of these authorities. */
  byHoldsNone: z.array(Authority).min(1),
  /** The person acting works in the child's own team (false when either is not on record). */
  byInChildTeam: z.boolean(),
  /** The child's age in whole years, from the date of birth the case system holds; neither holds when it
   * holds none (use `childAgeKnown`). */
  childAge: strict({ atLeast: z.number().int().min(0), under: z.number().int().positive() })
    .partial()
    .refine((a) => Object.keys(a).length > 0, 'say "atLeast", "under" or both'),
  childAgeKnown: z.boolean(),
  /**
   * Who recorded the latest event of a kind: it holds when there is such an event and its recorder (`by`,
   * looked up in the situation's `people`) holds none of `holdsNone` (an unknown recorder holds nothing),
   * or holds one of `holds`.
   */
  recordedBy: strict({
    event: EventName,
    holds: z.array(Authority).min(1).optional(),
    holdsNone: z.array(Authority).min(1).optional(),
  }).refine((r) => !!r.holds !== !!r.holdsNone, 'say exactly one of "holds" or "holdsNone"'),
  /**
   * A deadline between two events has passed: the latest `from` (an event on record, or `viewing`: the
   * viewing a record-check records) was longer ago than `within` at the moment of the action.
   */
  overdue: strict({ from: z.union([z.literal('viewing'), EventName]), within: Window }),
})
  .partial()
  .refine((c) => Object.keys(c).length > 0, 'a rule needs at least one condition (use "always": true)');
export type Condition = z.infer<typeof Condition>;

/**
 * One way a person comes to hold an authority: their role, a flag on their staff record, or membership of a
 * named group; `ofChildTeam` limits it to people who work in the child's own team ("the child's own team
 * manager").
 */
export const Holder = strict({
  role: Role.optional(),
  flag: z.string().min(1).optional(),
  group: z.string().min(1).optional(),
  ofChildTeam: z.boolean().optional(),
}).refine(
  (h) => [h.role, h.flag, h.group].filter((x) => x !== undefined).length === 1,
  'a holder is exactly one of "role", "flag" or "group"',
);
export type Holder = z.infer<typeof Holder>;

/**
 * An authority: its readable name, and who holds it — `roles` (any of these roles, in any team) and
 * `holders` (role, flag or group, perhaps only in the child's team); or `outside`: it is a route taken outside
 * Overt (a court), said why.
 */
export const AuthorityDecl = strict({
  name: z.string().min(1).optional(),
  roles: z.array(Role).default([]),
  holders: z.array(Holder).default([]),
  outside: z.string().min(1).optional(),
});
export type AuthorityDecl = z.infer<typeof AuthorityDecl>;

export const Effect = z.enum(['allow', 'escalate', 'refuse', 'oblige']);
export type Effect = z.infer<typeof Effect>;

export const Obligation = strict({
  id: z.string().regex(/^[a-z0-9-]+$/),
  text: z.string().min(1),
  /** Add the platform notes (with their "last checked" date) of the requested platforms to the text. */
  withPlatformNotes: z.boolean().optional(),
});

/**
 * What a rule means for the reports (the dashboard and the annual review read this, never the rule's id):
 * `repeat-stopped` — a refusal because the child was viewed too recently (a near-miss stopped);
 * `ripa-route` — an escalation to the surveillance route (RIPA, or a court where RIPA cannot apply).
 */
export const REPORTS = ['repeat-stopped', 'ripa-route'] as const;
export const Reports = z.enum(REPORTS);
export type Reports = z.infer<typeof Reports>;
/** What each `reports` value means, in words for an information-governance lead. */
export const REPORTS_WORDS: Record<Reports, string> = {
  'repeat-stopped': 'a repeat viewing stopped (the child was viewed too recently)',
  'ripa-route': 'a check sent to the surveillance route (RIPA, or a court where RIPA cannot apply)',
};

export const Rule = strict({
  id: z.string().regex(/^[a-z0-9-]+$/, 'rule ids are lower-case words joined by hyphens'),
  /** The clauses that carry the rule; none only for a local decision. */
  cites: z.array(ClauseId),
  /** A rule no clause carries: the organisation's (or Overt's) own decision, said plainly, with why. */
  local: z.string().min(1).optional(),
  /** What the rule means for the reports, when it decides a verdict. */
  reports: Reports.optional(),
  actions: z.array(z.enum(ACTION_TYPES)).min(1),
  when: Condition,
  effect: Effect,
  /** Who must authorise (required for escalate); the first is the usual one, the others may act instead. */
  authority: z.array(Authority).min(1).optional(),
  obligation: Obligation.optional(),
  /** Plain English for a team manager reading the card. */
  explain: z.string().min(1),
}).superRefine((r, ctx) => {
  if (!r.local && r.cites.length === 0)
    ctx.addIssue({
      code: 'custom',
      message: 'every rule cites at least one clause, or says it is a local decision ("local")',
      path: ['cites'],
    });
  if (r.local && r.cites.length > 0)
    ctx.addIssue({
      code: 'custom',
      message: 'a local decision cites no clause: a rule a clause carries is not local',
      path: ['local'],
    });
  if (r.effect === 'escalate' && !r.authority)
    ctx.addIssue({
      code: 'custom',
      message: 'an escalate rule names the authority to escalate to',
      path: ['authority'],
    });
  if (r.effect === 'oblige' && !r.obligation)
    ctx.addIssue({ code: 'custom', message: 'an oblige rule names its obligation', path: ['obligation'] });
});
export type Rule = z.infer<typeof Rule>;

export const PlatformNote = strict({
  platform: z.string().min(1),
  aliases: z.array(z.string()).default([]),
  note: z.string().min(1),
  /** The viewer can be seen by the child (e.g. Instagram stories, TikTok profile views). */
  viewerVisible: z.boolean().default(false),
});

/**
 * Retention (UK GDPR storage limitation): how long each kind of record is kept, counted from an event —
 * the request closing, the decision, the check, consent given, a reminder, an objection resolved, a RIPA
 * authorisation ending, or (for the child's own details) the last record about the child. When due, the
 * record's personal content is erased (`overt retention run`); its skeleton and the audit trail stay.
 */
export const RETENTION_FROM = {
  request: 'closed',
  decision: 'decided',
  check: 'viewed',
  consent: 'given',
  reminder: 'given',
  objection: 'resolved',
  ripa: 'authorisation-ends',
  child: 'last-record',
} as const;
export type RetentionKind = keyof typeof RETENTION_FROM;
/** Each kind of record and the event its retention runs from, in words. */
export const RETENTION_WORDS: Record<RetentionKind, { records: string; from: string }> = {
  request: { records: 'Requests', from: 'the request is closed' },
  decision: { records: 'Decisions on requests', from: 'the decision is made' },
  check: { records: 'Checks (what was viewed and found)', from: 'the check is done' },
  consent: { records: 'Consent and notice records', from: 'consent or notice is given' },
  reminder: { records: 'Reminders', from: 'the reminder is given' },
  objection: { records: 'Objections', from: 'the objection is resolved' },
  ripa: { records: 'RIPA authorisation records', from: 'the authorisation ends' },
  child: { records: "The child's own details", from: 'the last record about the child' },
};
/** A retention schedule in words: one line a kind of record, "Requests: kept 24 months from when …". */
export function retentionLines(schedule: readonly { kind: RetentionKind; months: number }[]): string[] {
  return schedule.map((r) => {
    const w = RETENTION_WORDS[r.kind];
    const from = r.kind === 'child' ? w.from : `when ${w.from}`;
    return `${w.records}: kept ${r.months} months from ${from}`;
  });
}
/** The RIPA code of practice: records kept at least three years after the authorisation ends. */
export const RIPA_MIN_MONTHS = 36;

export const RetentionRule = strict({
  kind: z.enum(Object.keys(RETENTION_FROM) as [RetentionKind, ...RetentionKind[]]),
  from: z.enum([...new Set(Object.values(RETENTION_FROM))] as [string, ...string[]]),
  months: z.number().int().positive(),
}).superRefine((r, ctx) => {
  if (RETENTION_FROM[r.kind] !== r.from)
    ctx.addIssue({
      code: 'custom',
      message: `a ${r.kind} record's retention runs from "${RETENTION_FROM[r.kind]}"`,
      path: ['from'],
    });
  if (r.kind === 'ripa' && r.months < RIPA_MIN_MONTHS)
    ctx.addIssue({
      code: 'custom',
      message: `RIPA records are kept at least ${RIPA_MIN_MONTHS} months after the authorisation ends (code of practice)`,
      path: ['months'],
    });
});
export type RetentionRule = z.infer<typeof RetentionRule>;

export const Retention = strict({
  /** Where the periods come from, in words (the law, the code of practice, the local schedule). */
  basis: z.string().min(1),
  cites: z.array(ClauseId).default([]),
  schedule: z.array(RetentionRule).min(1),
}).superRefine((r, ctx) => {
  const kinds = new Set<string>();
  r.schedule.forEach((rule, i) => {
    if (kinds.has(rule.kind))
      ctx.addIssue({ code: 'custom', message: `${rule.kind} is scheduled twice`, path: ['schedule', i] });
    kinds.add(rule.kind);
  });
});
export type Retention = z.infer<typeof Retention>;

export const Profile = strict({
  id: z.string().regex(/^[a-z0-9-]+$/),
  name: z.string().min(1),
  organisation: z.string().min(1),
  version: z.string().min(1),
  effectiveDate: Day,
  source: strict({ document: z.string().min(1), seed: z.string().optional(), note: z.string().optional() }),
  timeZone: z.string().default(DEFAULT_TIME_ZONE),
  /** The clauses of the source document this profile may cite, with a short title each. */
  clauses: z.record(ClauseId, z.string().min(1)),
  /**
   * The declared clauses no rule enforces, each with the reason (not for software: staff's own conduct,
   * an organisational duty; or carried elsewhere in Overt, e.g. the annual review). `overt policy coverage`
   * fails a clause that has neither rules nor a reason here.
   */
  unenforced: z.record(ClauseId, z.string().min(1)).default({}),
  /** Who may act as each authority: the case format's authorities and any the profile declares itself. */
  authorities: z.record(Authority, AuthorityDecl).default({}),
  /**
   * The reasons for a viewing this policy recognises, each with the words a form shows. When declared, the
   * request form offers exactly these and the service refuses any other; a rule's `reasonIn`/`reasonNotIn`
   * may name only these (a typo is an error).
   */
  reasons: z
    .record(
      z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'a reason is lower-case words joined by hyphens'),
      z.string().min(1),
    )
    .optional(),
  /** Days that are not working days besides Saturdays and Sundays (for windows in working days). */
  bankHolidays: z.array(Day).default([]),
  platformNotes: strict({
    lastChecked: Day,
    cites: z.array(ClauseId),
    platforms: z.array(PlatformNote),
  }).optional(),
  /** What happens when no allow, escalate or refuse rule fires: fail closed. */
  default: strict({ cites: z.array(ClauseId).min(1), explain: z.string().min(1) }),
  rules: z.array(Rule).min(1),
  retention: Retention.optional(),
  /**
   * How this organisation authorises directed surveillance (RIPA), where it has a route at all: a local
   * authority in England and Wales needs a magistrate's approval before an authorisation takes effect
   * (Protection of Freedoms Act 2012, ss. 37–38), so the date of that approval is part of the record.
   */
  ripa: strict({
    judicialApproval: z.boolean(),
    /** Why, in words, for the card and the central record. */
    basis: z.string().min(1),
  }).optional(),
}).superRefine((p, ctx) => {
  for (const issue of crossCheck(p)) ctx.addIssue({ code: 'custom', ...issue });
});
export type Profile = z.infer<typeof Profile>;
export type ProfileInput = z.input<typeof Profile>;

export interface CrossIssue {
  path: (string | number)[];
  message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

/**
 * The checks across a profile's parts: every cited clause is declared, rule ids are unique, a clause is not
 * both cited and "unenforced", every authority a rule names is declared, working days come with bank
 * holidays. Written to run on a profile that is otherwise malformed too, so `overt policy check` reports
 * these beside the structural errors rather than after them.
 */
export function crossCheck(raw: unknown): CrossIssue[] {
  const out: CrossIssue[] = [];
  if (!isObj(raw)) return out;
  const clauses = isObj(raw.clauses) ? Object.keys(raw.clauses) : [];
  const known = new Set(clauses);
  const list = clauses.length ? clauses.join(', ') : 'none';
  const check = (cites: unknown, path: (string | number)[]) =>
    strs(cites).forEach((c, i) => {
      if (!known.has(c))
        out.push({
          message: `cites "${c}", which the profile does not declare in "clauses" (declared: ${list})`,
          path: [...path, i],
        });
    });
  const authorities = isObj(raw.authorities) ? Object.keys(raw.authorities) : [];
  const declared = new Set(authorities);
  const authList = authorities.length ? authorities.join(', ') : 'none';
  const named = (a: unknown, path: (string | number)[]) => {
    if (typeof a === 'string' && !declared.has(a))
      out.push({
        message: `names the authority "${a}", which the profile does not declare in "authorities" (declared: ${authList})`,
        path,
      });
  };
  const ids = new Set<string>();
  let workingDays = false;
  arr(raw.rules).forEach((r, i) => {
    if (!isObj(r)) return;
    check(r.cites, ['rules', i, 'cites']);
    if (typeof r.id === 'string') {
      if (ids.has(r.id)) out.push({ message: `duplicate rule id ${r.id}`, path: ['rules', i, 'id'] });
      ids.add(r.id);
    }
    arr(r.authority).forEach((a, j) => named(a, ['rules', i, 'authority', j]));
    const when = isObj(r.when) ? r.when : {};
    if (isObj(raw.reasons)) {
      const reasons = Object.keys(raw.reasons);
      for (const key of ['reasonIn', 'reasonNotIn'] as const)
        strs(when[key]).forEach((x, j) => {
          if (!reasons.includes(x))
            out.push({
              message: `names the reason "${x}", which the profile does not declare in "reasons" (declared: ${reasons.join(', ')})`,
              path: ['rules', i, 'when', key, j],
            });
        });
    }
    for (const key of ['byHolds', 'byHoldsNone'] as const)
      arr(when[key]).forEach((a, j) => named(a, ['rules', i, 'when', key, j]));
    if (isObj(when.recordedBy))
      for (const key of ['holds', 'holdsNone'] as const)
        arr(when.recordedBy[key]).forEach((a, j) => named(a, ['rules', i, 'when', 'recordedBy', key, j]));
    const windows = [
      isObj(when.priorChecks) ? when.priorChecks.within : undefined,
      isObj(when.noPriorChecks) ? when.noPriorChecks.within : undefined,
      isObj(when.overdue) ? when.overdue.within : undefined,
    ];
    if (windows.some((w) => isObj(w) && w.workingDays !== undefined)) workingDays = true;
  });
  if (isObj(raw.default)) check(raw.default.cites, ['default', 'cites']);
  if (isObj(raw.unenforced)) {
    check(Object.keys(raw.unenforced), ['unenforced']);
    const cited = new Set(arr(raw.rules).flatMap((r) => (isObj(r) ? strs(r.cites) : [])));
    for (const c of Object.keys(raw.unenforced))
      if (cited.has(c))
        out.push({ message: `${c} is cited by a rule, so it is not unenforced`, path: ['unenforced', c] });
  }
  if (isObj(raw.platformNotes)) check(raw.platformNotes.cites, ['platformNotes', 'cites']);
  if (isObj(raw.retention)) check(raw.retention.cites, ['retention', 'cites']);
  if (workingDays && !arr(raw.bankHolidays).length)
    out.push({
      message:
        'a rule counts working days, so the profile lists its bank holidays ("bankHolidays": ["2026-12-25", …])',
      path: ['bankHolidays'],
    });
  if (typeof raw.timeZone === 'string')
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: raw.timeZone });
    } catch {
      out.push({ message: `unknown time zone ${raw.timeZone}`, path: ['timeZone'] });
    }
  return out;
}

/** The reasons a profile declares (`reasons`), or undefined when it declares none (its rules say). */
export function declaredReasons(profile: Profile): string[] | undefined {
  return profile.reasons ? Object.keys(profile.reasons) : undefined;
}

/**
 * The reasons and viewing methods a profile lists: what its refusal rules accept, and what its rules name. The
 * request form offers these and nothing else, and the workflow takes no other (a forged or mistyped choice).
 */
export function profileOptions(profile: Profile): {
  reasons: string[];
  reasonNames?: Record<string, string>;
  viewers: string[];
} {
  const reasons = new Set<string>(declaredReasons(profile) ?? []);
  const viewers = new Set<string>();
  for (const r of profile.rules) {
    const w = r.when as {
      reasonNotIn?: string[];
      reasonIn?: string[];
      viewerNotIn?: string[];
      viewerIn?: string[];
    };
    const declared = declaredReasons(profile) !== undefined;
    if (r.effect === 'refuse') {
      if (!declared) w.reasonNotIn?.forEach((x) => reasons.add(x));
      w.viewerNotIn?.forEach((x) => viewers.add(x));
    }
    if (!declared) w.reasonIn?.forEach((x) => reasons.add(x));
    w.viewerIn?.forEach((x) => viewers.add(x));
  }
  return {
    reasons: [...reasons],
    ...(profile.reasons ? { reasonNames: { ...profile.reasons } } : {}),
    viewers: [...viewers],
  };
}

/**
 * A rule as a report names it: the first sentence of its own explanation, without its closing stop
 * ("The child's social media was viewed, or a viewing was approved and not yet done, inside the last three
 * months"), never its id. `default` is the profile's fallback, `not-in-force` a moment before the version
 * took effect; an id the profile does not have is undefined.
 */
export function ruleTitle(profile: Profile, id: string): string | undefined {
  const explain =
    id === 'default'
      ? profile.default.explain
      : id === 'not-in-force'
        ? `The policy was not yet in force`
        : profile.rules.find((r) => r.id === id)?.explain;
  if (!explain) return undefined;
  const first = officerWords(explain).split(/(?<=[.:;!?])\s/)[0]!;
  return first.replace(/[.:;!?]+$/, '');
}
