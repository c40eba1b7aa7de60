import { z } from 'zod';
import { ACTION_TYPES, Authority, Role } from './situation';

/**
 * A policy profile: one organisation's procedure as data. Every rule cites the clauses it rests on, and the
 * schema checks that each cited clause is one the profile declares, so a typo cannot produce an uncited rule.
 */

/** `000 §11`, `002 §Information gathering`, `003 §2.3.5`. */
export const ClauseId = z.string().regex(/^\d{3} §\S.*$/, 'a clause id looks like "000 §11"');

const Months = z.number().int().positive();

/** The time zone of a profile that names none: the organisation's calendar is the UK's. */
export const DEFAULT_TIME_ZONE = 'Europe/London';

/** What must hold for a rule to fire: every condition given must hold (and). */
export const Condition = z
  .object({
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
    priorChecks: z
      .object({
        withinMonths: Months.optional(),
        /** Only count checks on or after the latest event of this kind (e.g. one search per assessment). */
        since: z.enum(['assessment-started', 'consent-recorded']).optional(),
        atLeast: z.number().int().positive().default(1),
      })
      .strict(),
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
  })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'a rule needs at least one condition (use "always": true)');
export type Condition = z.infer<typeof Condition>;

export const Effect = z.enum(['allow', 'escalate', 'refuse', 'oblige']);
export type Effect = z.infer<typeof Effect>;

export const Obligation = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    text: z.string().min(1),
    /** Add the platform notes (with their "last checked" date) of the requested platforms to the text. */
    withPlatformNotes: z.boolean().optional(),
  })
  .strict();

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

export const Rule = z
  .object({
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
  })
  .strict()
  .superRefine((r, ctx) => {
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

export const PlatformNote = z
  .object({
    platform: z.string().min(1),
    aliases: z.array(z.string()).default([]),
    note: z.string().min(1),
    /** The viewer can be seen by the child (e.g. Instagram stories, TikTok profile views). */
    viewerVisible: z.boolean().default(false),
  })
  .strict();

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

export const RetentionRule = z
  .object({
    kind: z.enum(Object.keys(RETENTION_FROM) as [RetentionKind, ...RetentionKind[]]),
    from: z.enum([...new Set(Object.values(RETENTION_FROM))] as [string, ...string[]]),
    months: z.number().int().positive(),
  })
  .strict()
  .superRefine((r, ctx) => {
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

export const Retention = z
  .object({
    /** Where the periods come from, in words (the law, the code of practice, the local schedule). */
    basis: z.string().min(1),
    cites: z.array(ClauseId).default([]),
    schedule: z.array(RetentionRule).min(1),
  })
  .strict()
  .superRefine((r, ctx) => {
    const kinds = new Set<string>();
    r.schedule.forEach((rule, i) => {
      if (kinds.has(rule.kind))
        ctx.addIssue({ code: 'custom', message: `${rule.kind} is scheduled twice`, path: ['schedule', i] });
      kinds.add(rule.kind);
    });
  });
export type Retention = z.infer<typeof Retention>;

export const Profile = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string().min(1),
    organisation: z.string().min(1),
    version: z.string().min(1),
    effectiveDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    source: z
      .object({ document: z.string().min(1), seed: z.string().optional(), note: z.string().optional() })
      .strict(),
    timeZone: z.string().default(DEFAULT_TIME_ZONE),
    /** The clauses of the source document this profile may cite, with a short title each. */
    clauses: z.record(ClauseId, z.string().min(1)),
    /**
     * The declared clauses no rule enforces, each with the reason (not for software: staff's own conduct,
     * an organisational duty; or carried elsewhere in Overt, e.g. the annual review). `overt policy coverage`
     * fails a clause that has neither rules nor a reason here.
     */
    unenforced: z.record(ClauseId, z.string().min(1)).default({}),
    /** Who may act as each authority. */
    authorities: z.partialRecord(Authority, z.object({ roles: z.array(Role) }).strict()).default({}),
    platformNotes: z
      .object({
        lastChecked: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        cites: z.array(ClauseId),
        platforms: z.array(PlatformNote),
      })
      .strict()
      .optional(),
    /** What happens when no allow, escalate or refuse rule fires: fail closed. */
    default: z.object({ cites: z.array(ClauseId).min(1), explain: z.string().min(1) }).strict(),
    rules: z.array(Rule).min(1),
    retention: Retention.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    const known = new Set(Object.keys(p.clauses));
    const check = (cites: string[], path: (string | number)[]) =>
      cites.forEach((c, i) => {
        if (!known.has(c))
          ctx.addIssue({
            code: 'custom',
            message: `cites ${c}, which the profile does not declare in "clauses"`,
            path: [...path, i],
          });
      });
    const ids = new Set<string>();
    p.rules.forEach((r, i) => {
      check(r.cites, ['rules', i, 'cites']);
      if (ids.has(r.id))
        ctx.addIssue({ code: 'custom', message: `duplicate rule id ${r.id}`, path: ['rules', i, 'id'] });
      ids.add(r.id);
    });
    check(p.default.cites, ['default', 'cites']);
    check(Object.keys(p.unenforced), ['unenforced']);
    const cited = new Set(p.rules.flatMap((r) => r.cites));
    for (const c of Object.keys(p.unenforced))
      if (cited.has(c))
        ctx.addIssue({
          code: 'custom',
          message: `${c} is cited by a rule, so it is not unenforced`,
          path: ['unenforced', c],
        });
    if (p.platformNotes) check(p.platformNotes.cites, ['platformNotes', 'cites']);
    if (p.retention) check(p.retention.cites, ['retention', 'cites']);
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: p.timeZone });
    } catch {
      ctx.addIssue({ code: 'custom', message: `unknown time zone ${p.timeZone}`, path: ['timeZone'] });
    }
  });
export type Profile = z.infer<typeof Profile>;
export type ProfileInput = z.input<typeof Profile>;
