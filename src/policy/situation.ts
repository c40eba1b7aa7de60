import { z } from 'zod';
import { strict } from './strict';

/**
 * The situation a verdict is asked about: what is on record for one child, the moment, and the action.
 * The names are those of the public policy case format (shared/policy-cases/FORMAT.md); a profile may add
 * names of its own, so open vocabularies (reasons, platforms, viewers) are strings, checked by the profile.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * A day that is on the calendar: `2026-02-30` and `2026-13-45` match the pattern, and Date.parse rolls the
 * first over into March, so the parts are checked themselves (month 1–12, the day within that month).
 */
export function isCalendarDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
/** An instant whose day is on the calendar and whose time and offset are on the clock. */
function isClockInstant(s: string): boolean {
  const m = /T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (!m || !isCalendarDay(s)) return false;
  const [h, mi, se] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const [oh, om] = [Number(m[5] ?? 0), Number(m[6] ?? 0)];
  return h <= 23 && mi <= 59 && se <= 59 && oh <= 23 && om <= 59 && !Number.isNaN(Date.parse(s));
}

/** A day, `YYYY-MM-DD`, that is on the calendar. */
export const CalendarDay = z.string().refine((s) => DAY.test(s) && isCalendarDay(s), {
  error: (iss) => `"${String(iss.input)}" is not a day on the calendar (YYYY-MM-DD, e.g. 2026-03-01)`,
});

/** A day (`YYYY-MM-DD`) or an instant (ISO 8601 with an offset), on the calendar. */
export const When = z
  .string()
  .refine((s) => (DAY.test(s) ? isCalendarDay(s) : INSTANT.test(s) && isClockInstant(s)), {
    error: (iss) =>
      `"${String(iss.input)}" is not a day on the calendar (YYYY-MM-DD) or an instant with its offset (2026-03-01T10:00:00Z)`,
  });
export const Instant = z.string().refine((s) => INSTANT.test(s) && isClockInstant(s), {
  error: (iss) =>
    `"${String(iss.input)}" is not an instant on the calendar with its offset, e.g. 2026-03-01T10:00:00Z`,
});

export const Role = z.enum([
  'case-manager',
  'team-manager',
  'service-manager',
  'information-governance',
  'authorised-officer',
  'administrator',
]);
export type Role = z.infer<typeof Role>;

/** The authorities of the public case format; a profile may declare others of its own (`authorities`). */
export const BUILTIN_AUTHORITIES = [
  'team-manager',
  'strategy-discussion',
  'exploitation-response-meeting',
  'cla-service-manager',
  'authorised-officer',
  'manager',
  'trustees',
  'information-governance',
  'court',
] as const;
/** An authority's id: one of the case format's, or one a profile declares (lower-case words and hyphens). */
export const Authority = z
  .string()
  .regex(
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'an authority is lower-case words joined by hyphens, e.g. "prevent-lead"',
  );
export type Authority = z.infer<typeof Authority>;

const Name = z.string().min(1);
/**
 * A person as the policy sees them: their role, the flags on their staff record (the case format's two,
 * `socialMediaResponsibility` and `designatedOfficer`, or any a profile names in `flags`), the named groups
 * they belong to, and the teams they work in (for authorities held only in the child's own team).
 */
export const Actor = strict({
  id: Name,
  role: Role,
  socialMediaResponsibility: z.boolean().optional(),
  designatedOfficer: z.boolean().optional(),
  flags: z.array(Name).optional(),
  groups: z.array(Name).optional(),
  teams: z.array(Name).optional(),
});
export type Actor = z.infer<typeof Actor>;

/** What the case system holds about the child: date of birth and team, where known. */
export const ChildFacts = strict({
  dateOfBirth: CalendarDay.optional(),
  team: Name.optional(),
});
export type ChildFacts = z.infer<typeof ChildFacts>;

const by = z.string().min(1);
export const HistoryEvent = z.discriminatedUnion('event', [
  strict({
    event: z.literal('consent-recorded'),
    on: When,
    by: by.optional(),
    platforms: z.array(z.string()).optional(),
  }),
  strict({ event: z.literal('consent-withdrawn'), on: When, by: by.optional() }),
  /** Kent (002 §Communicating): a manager and information governance agreed to go ahead without consent. */
  strict({ event: z.literal('consent-exception-agreed'), on: When, by: by.optional() }),
  strict({ event: z.literal('reminder-given'), on: When, by: by.optional() }),
  strict({ event: z.literal('assessment-started'), on: When, by: by.optional() }),
  strict({ event: z.literal('check-requested'), on: When, by }),
  strict({ event: z.literal('check-approved'), on: When, by, requester: by.optional() }),
  strict({ event: z.literal('check-completed'), on: When, by }),
  strict({ event: z.literal('objection-raised'), on: When, by: by.optional() }),
  strict({
    event: z.literal('objection-resolved'),
    on: When,
    by: by.optional(),
    outcome: z.enum(['checks-may-resume', 'checks-stopped']),
  }),
  strict({ event: z.literal('ripa-authorised'), on: When, by, until: When }),
]);
export type HistoryEvent = z.infer<typeof HistoryEvent>;
export type EventName = HistoryEvent['event'];
export const EVENT_NAMES = HistoryEvent.options.map((o) => o.shape.event.value) as [
  EventName,
  ...EventName[],
];

const platforms = z.array(z.string().min(1).toLowerCase()).min(1, 'name at least one platform');
/** Free text; empty (or null) counts as absent. */
const rationale = z
  .string()
  .nullish()
  .transform((s) => (s && s.trim() ? s.trim() : undefined));

const requestFields = {
  by: Actor,
  reason: z.string().min(1),
  viewer: z.string().min(1),
  platforms,
  rationale,
};

export const RequestCheck = strict({ type: z.literal('request-check'), ...requestFields });
export const ApproveCheck = strict({
  type: z.literal('approve-check'),
  ...requestFields,
  /** The person who raised the request, where known (otherwise the latest check-requested event says). */
  requester: z.string().min(1).optional(),
  authority: Authority,
  reasons: rationale,
});
export const RecordCheck = strict({
  type: z.literal('record-check'),
  by: Actor,
  viewer: z.string().min(1),
  platforms,
  reason: z.string().min(1).optional(),
  thirdPartyData: z.enum(['none', 'seen-not-kept', 'kept']),
  /** Who authorised keeping it: an id, or an id with the role they hold (the service always gives the role). */
  thirdPartyAuthorisedBy: z
    .union([z.string().min(1), z.object({ id: z.string().min(1), role: Role })])
    .optional(),
  thirdPartyRationale: rationale,
  attestNoFriendFollow: z.boolean(),
  /** "I viewed open-source (public) information only": the service always says; a case file may leave it
   * out (the shared format does not name it), and then no rule about it fires. */
  attestOpenSourceOnly: z.boolean().optional(),
  /** When the viewing being recorded took place (a profile may set a deadline for recording it). */
  viewedAt: When.optional(),
});
export const ViewHistory = strict({ type: z.literal('view-history'), by: Actor });

export const Action = z.discriminatedUnion('type', [RequestCheck, ApproveCheck, RecordCheck, ViewHistory]);
export type Action = z.infer<typeof Action>;
export type ActionInput = z.input<typeof Action>;
export type ActionType = Action['type'];
export const ACTION_TYPES = ['request-check', 'approve-check', 'record-check', 'view-history'] as const;

export const Situation = z.object({
  now: Instant,
  given: z.array(HistoryEvent).default([]),
  action: Action,
  /** What the case system holds about the child (date of birth, team). */
  child: ChildFacts.optional(),
  /** Who is who among the people named in `given` (`by`): their role, flags, groups and teams. */
  people: z.array(Actor).optional(),
});
export type Situation = z.infer<typeof Situation>;
export type SituationInput = z.input<typeof Situation>;
