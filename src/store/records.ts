import { z } from 'zod';
import { Role } from '../policy/situation';

/**
 * The record: one zod schema per kind of thing Overt keeps (DESIGN.md §3). The schema is the type.
 * Policy vocabulary (reasons, viewing methods, authorities) belongs to src/policy, so the store keeps
 * those as non-empty strings rather than fixing the list here.
 */

/** An ISO 8601 day (`2026-01-31`) or instant with offset (`2026-01-31T08:00:00Z`). */
export const IsoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
export type IsoDate = z.infer<typeof IsoDate>;

const Id = z.string().min(1);
const Text = z.string().min(1);
type JsonValue = z.output<ReturnType<typeof z.json>>;

/** Whether a value is JSON: null, a string, a finite number, a boolean, or arrays and plain objects of
 * them — what `z.json()` accepts, checked in one walk (zod's recursive union took tens of µs on each
 * request's verdict, read and written with every request). */
function isJson(v: unknown, depth = 0): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v !== 'object' || depth > 256) return false;
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== null && proto !== Object.prototype) return false;
  for (const k in v) if (!isJson((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/** JSON the store keeps without looking inside (verdicts, conversation references, assertions). */
export const Opaque = z.custom<JsonValue>((v) => isJson(v), { message: 'expected a JSON value' });

/** The seal of a record written with no audit event (a conversation reference, a setting, an approval card's
 * copies, a read model's checkpoint): put on by the audit guard as it commits, checked as it reads (rows.ts). */
const RowSeal = z.string().optional();

/** Staff roles: the policy's own vocabulary (the case format's `action.by.role`). */
export { Role };

export const PlatformAccount = z.object({ platform: Text, account: Text });
export type PlatformAccount = z.infer<typeof PlatformAccount>;

export const Team = z.object({
  id: Id,
  name: Text,
  profileId: Text,
  /** The version of its profile the team is held to (`overt teams set-profile --version`); absent, the team is
   * judged by the version in force on each day. */
  profileVersion: Text.optional(),
  managerIds: z.array(Id),
  deputyIds: z.array(Id).optional(),
});
export type Team = z.infer<typeof Team>;

export const Staff = z.object({
  id: Id,
  name: Text,
  email: z.email().optional(),
  role: Role,
  teamIds: z.array(Id),
  socialMediaResponsibility: z.boolean().optional(),
  designatedOfficer: z.boolean().optional(),
  /** Further flags on the staff record a team's policy may name (e.g. `preventLead`). */
  flags: z.array(Text).optional(),
  /** Named groups the person belongs to (e.g. "Head of Service"), as a policy may name them. */
  groups: z.array(Text).optional(),
});
export type Staff = z.infer<typeof Staff>;

export const ConsentStatus = z.enum(['none', 'given', 'withdrawn']);

/** A child's case. The consent, reminder and objection fields are kept current by the workflow in the
 * same unit as the consent, reminder or objection record, so that a team's due reminders and blocked
 * children are one indexed query (no joins in SharePoint). */
export const Child = z.object({
  id: Id,
  caseRef: Text,
  displayName: Text,
  teamId: Id,
  workerId: Id,
  /** The child's date of birth, where the case system holds it (a policy may turn on the child's age). */
  dateOfBirth: z.iso.date().optional(),
  platforms: z.array(PlatformAccount),
  createdAt: IsoDate,
  consentStatus: ConsentStatus.optional(),
  consentId: Id.optional(),
  lastReminderAt: IsoDate.optional(),
  reminderDueAt: IsoDate.optional(),
  openObjectionId: Id.optional(),
  /** The start of the current assessment (002: one search per assessment). */
  assessmentStartedAt: IsoDate.optional(),
  /** New on every unit that changes what the policy reads about this child (its record and every record
   * about it): such a unit writes the child last, at the version read before the facts, so a verdict is
   * kept only if the facts it was computed on are still the facts (issue 12, fault 2). */
  stamp: Id.optional(),
});
export type Child = z.infer<typeof Child>;

export const RequestStatus = z.enum([
  'pending',
  'more-info',
  'approved',
  'declined',
  'withdrawn',
  'expired',
  'completed',
  'refused',
  'escalated',
  /** Approved under a RIPA authorisation since cancelled, its check never recorded: it can no longer be done. */
  'stopped',
]);
export type RequestStatus = z.infer<typeof RequestStatus>;

/** A check request. */
export const Request = z.object({
  id: Id,
  childId: Id,
  teamId: Id,
  requesterId: Id,
  reason: Text,
  platforms: z.array(PlatformAccount),
  viewer: Text,
  viewerId: Id.optional(),
  rationale: z.string().optional(),
  /** The requester's answers to requests for more information, in order: kept beside the rationale they
   * raised it with, never over it. */
  answers: z.array(z.object({ at: IsoDate, by: Id, text: z.string() })).optional(),
  consentId: Id.optional(),
  status: RequestStatus,
  authority: Text,
  profileId: Text,
  profileVersion: Text,
  verdict: Opaque,
  createdAt: IsoDate,
  updatedAt: IsoDate,
  decidedAt: IsoDate.optional(),
  decidedBy: Id.optional(),
  expiresAt: IsoDate.optional(),
});
export type Request = z.infer<typeof Request>;

export const Decision = z.object({
  id: Id,
  requestId: Id,
  childId: Id,
  teamId: Id,
  deciderId: Id,
  authority: Text,
  onBehalfOf: Id.optional(),
  outcome: z.enum(['approve', 'decline', 'more-info']),
  reasons: z.string(),
  at: IsoDate,
  /** The profile version the decision was made under, and its fingerprint (a hash of its canonical form). */
  profileId: Text.optional(),
  profileVersion: Text.optional(),
  profileFingerprint: Text.optional(),
});
export type Decision = z.infer<typeof Decision>;

/** A check record: what was viewed, by whom, and what was found. */
export const Check = z.object({
  id: Id,
  requestId: Id,
  childId: Id,
  teamId: Id,
  viewerId: Id,
  viewedAt: IsoDate,
  accounts: z.array(PlatformAccount),
  relevantInfo: z.string(),
  thirdPartyData: z.enum(['none', 'seen-not-kept', 'kept']),
  thirdPartyAuthorisedBy: Id.optional(),
  thirdPartyRationale: z.string().optional(),
  sensitive: z.boolean(),
  safeguardingFollowUp: z.string().optional(),
  attestNoFriendFollow: z.boolean(),
  attestOpenSourceOnly: z.boolean(),
  recordedAt: IsoDate,
  recordedBy: Id,
});
export type Check = z.infer<typeof Check>;

export const Consent = z.object({
  id: Id,
  childId: Id,
  teamId: Id,
  givenBy: Text,
  date: IsoDate,
  scope: z.object({
    platforms: z.array(Text),
    purposes: z.array(Text),
    sharing: z.string().optional(),
  }),
  withdrawnAt: IsoDate.optional(),
  recordedBy: Id,
  /** Consent could not be gained and this person (with a manager) agreed to go ahead without it (002). */
  exceptionAgreedBy: Id.optional(),
});
export type Consent = z.infer<typeof Consent>;

export const Reminder = z.object({ id: Id, childId: Id, teamId: Id, givenAt: IsoDate, givenBy: Id });
export type Reminder = z.infer<typeof Reminder>;

export const Objection = z.object({
  id: Id,
  childId: Id,
  teamId: Id,
  raisedAt: IsoDate,
  raisedBy: Text,
  status: z.enum(['open', 'with-ig', 'response-sent', 'resolved']),
  response: z.string().optional(),
  respondedAt: IsoDate.optional(),
  outcome: z.enum(['checks-may-resume', 'checks-stopped']).optional(),
  resolvedAt: IsoDate.optional(),
});
export type Objection = z.infer<typeof Objection>;

/** A review of a RIPA authorisation by an authorising officer: is it still necessary and proportionate. */
export const RipaReview = z.object({ at: IsoDate, by: Id, notes: Text, nextReviewAt: IsoDate.optional() });
export type RipaReview = z.infer<typeof RipaReview>;

/** A renewal: the authorisation goes on to a new end, granted before the old one ended. */
export const RipaRenewal = z.object({
  at: IsoDate,
  by: Id,
  reasons: Text,
  previousUntil: IsoDate,
  until: IsoDate,
  magistrateApprovedOn: IsoDate.optional(),
  /** The first review the renewal set, in the period it adds (the review due before stays due). */
  nextReviewAt: IsoDate.optional(),
});
export type RipaRenewal = z.infer<typeof RipaRenewal>;

/** A correction of what an authorisation recorded (a typo): each field's value before and after, why, by whom.
 * The record then holds the corrected values; the originals stay here and on the audit trail. */
export const RipaCorrection = z.object({
  at: IsoDate,
  by: Id,
  reason: Text,
  changes: z.array(z.object({ field: Text, was: z.string(), now: z.string() })),
});
export type RipaCorrection = z.infer<typeof RipaCorrection>;

/**
 * A RIPA directed-surveillance authorisation (000 §12), with what the central record of authorisations
 * keeps under the Home Office code of practice: the unique reference, the authorising officer, the dates
 * granted, approved by a magistrate, reviewed, renewed and cancelled, whether confidential information is
 * likely, and whether the authoriser is involved in the case. Records made before the route was built lack
 * the fields marked optional here; a new authorisation always has them (workflow/ripa.ts).
 */
export const Ripa = z.object({
  id: Id,
  childId: Id,
  teamId: Id,
  officerId: Id,
  /** The authority's unique reference for the authorisation. */
  reference: Text.optional(),
  /** The check request this authorisation was granted on, if any. */
  requestId: Id.optional(),
  /** The legal advice taken before authorising. */
  legalAdviceRef: Text,
  offence: Text,
  maxSentenceMonths: z.number().int().nonnegative(),
  necessity: Text.optional(),
  proportionality: Text.optional(),
  grantedAt: IsoDate.optional(),
  magistrateApprovedOn: IsoDate.optional(),
  /** Recorded before a magistrate approved it, where the profile needs that approval: nothing proceeds under
   * it until the date is recorded (workflow/ripa.ts `recordMagistrateApproval`). */
  awaitingMagistrate: z.boolean().optional(),
  confidentialInfoLikely: z.boolean().optional(),
  authoriserInvolved: z.boolean().optional(),
  /** Why an officer involved in the case had to authorise it themselves (the code of practice: only where it
   * cannot be avoided; the central record highlights it). */
  authoriserInvolvedReason: Text.optional(),
  from: IsoDate,
  until: IsoDate,
  reviewAt: IsoDate,
  reviews: z.array(RipaReview).optional(),
  renewals: z.array(RipaRenewal).optional(),
  corrections: z.array(RipaCorrection).optional(),
  cancelledAt: IsoDate.optional(),
  cancelledBy: Id.optional(),
  cancelReasons: Text.optional(),
});
export type Ripa = z.infer<typeof Ripa>;

/** An approver's absence: `toId` may decide for `fromId` between `from` and `until`. */
export const Delegation = z.object({ id: Id, fromId: Id, toId: Id, from: IsoDate, until: IsoDate });
export type Delegation = z.infer<typeof Delegation>;

/** A Teams conversation reference for proactive messages; `id` is the user's id. */
export const Conversation = z.object({ id: Id, reference: Opaque, updatedAt: IsoDate, seal: RowSeal });
export type Conversation = z.infer<typeof Conversation>;

/** The annual practice review (000 §24). */
export const Review = z.object({
  id: Id,
  year: z.number().int().min(2000).max(2100),
  reviewerId: Id,
  assertions: Opaque,
  /** The evidence gathered from the store when the review was submitted. */
  evidence: Opaque.optional(),
  sentToIgAt: IsoDate.optional(),
  /** 1 for the year's first review, then one more for each new revision (absent on reviews kept before). */
  revision: z.number().int().min(1).optional(),
  submittedAt: IsoDate.optional(),
});
export type Review = z.infer<typeof Review>;

export const Setting = z.object({ id: Id, value: Opaque, seal: RowSeal });
export type Setting = z.infer<typeof Setting>;

/** The copies of one request's approval card that the bot has sent (the id is the request's), so that a
 * decision updates every one. Each reference is the channel's, kept as it came. */
export const Card = z.object({
  id: Id,
  copies: z.array(z.object({ reference: Opaque, activityId: Text })),
  seal: RowSeal,
});
export type Card = z.infer<typeof Card>;

/** A scheduler lease; written only through `Store.lease`. */
export const Lease = z.object({ id: Id, holder: Text, until: IsoDate });
export type Lease = z.infer<typeof Lease>;

/** A part of a read model's checkpoint (the audit projection's, src/workflow/audit-projection.ts), so that a
 * new instance starts from it instead of reading the whole audit trail. Derived from the trail, so written
 * with no event; a part is at most 60,000 characters (SharePoint's multi-line text holds 63,999). */
export const Projection = z.object({ id: Id, value: z.string().max(60_000), seal: RowSeal });
export type Projection = z.infer<typeof Projection>;

/** Every kind of record, by name. */
export const schemas = {
  team: Team,
  staff: Staff,
  child: Child,
  request: Request,
  decision: Decision,
  check: Check,
  consent: Consent,
  reminder: Reminder,
  objection: Objection,
  ripa: Ripa,
  delegation: Delegation,
  conversation: Conversation,
  review: Review,
  setting: Setting,
  card: Card,
  lease: Lease,
  projection: Projection,
} as const;

export type Kind = keyof typeof schemas;
export const kinds = Object.keys(schemas) as Kind[];
export const KindName = z.enum(kinds as [Kind, ...Kind[]]);
export type RecordOf<K extends Kind> = z.infer<(typeof schemas)[K]>;
