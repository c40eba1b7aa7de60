import { randomUUID } from 'node:crypto';
import { fingerprint } from '../policy/authority';
import { builtinProfile, builtinProfiles } from '../policy/builtin';
import { inForce, profileVersions } from '../policy/versions';
import type { Profile } from '../policy/profile';
import type { Store } from '../store/store';
import { DEFAULT_SETTINGS, type Deps, type WorkflowSettings } from './types';

export * from './types';
export { changesRefused, AuditTrailBrokenError, TRAIL_BROKEN_SENTENCE } from './trail';
/** The store could not answer now: the surfaces answer 503 with Retry-After (not a bug of the turn). */
export { StoreUnavailableError } from '../store/store';
export { previewRequest, raiseRequest, decideRequest, withdrawRequest, answerMoreInfo } from './requests';
export type { Raised, Decided, RaiseInput, DecideInput } from './requests';
export { recordCheck } from './checks';
export type { Recorded, RecordCheckInput } from './checks';
export {
  recordConsent,
  withdrawConsent,
  recordReminder,
  agreeConsentException,
  startAssessment,
} from './consent';
export { raiseObjection, progressObjection } from './objections';
export {
  authoriseRipa,
  refuseRipa,
  reviewRipa,
  renewRipa,
  cancelRipa,
  correctRipa,
  recordMagistrateApproval,
  ripaIdOf,
  REFUSAL_GROUNDS,
  SENTENCE_THRESHOLD_MONTHS,
  sentenceAllowsSurveillance,
} from './ripa';
export type { Authorised, AuthoriseRipaInput, RefusalGround } from './ripa';
export {
  upsertTeam,
  upsertStaff,
  assignProfile,
  bootstrapAdministrator,
  delegate,
  importCaseList,
  previewCaseList,
} from './organisation';
export type { CaseListPlan, CaseListRow } from './organisation';
export { runJobs, JOBS_LEASE } from './jobs';
export type { Notice, JobsReport } from './jobs';
export { reviewEvidence, submitReview, latestSubmitted, reviewsOf, ASSERTIONS } from './review';
export { childHistory, verdictSummary } from './context';
export type { VerdictSummary } from './context';

/** The workflow's dependencies with the defaults a running service uses: the real clock, random ids, the
 * built-in profiles plus any custom ones. */
export function createDeps(
  store: Store,
  options: {
    clock?: () => Date;
    ids?: () => string;
    customProfiles?: Profile[];
    settings?: Partial<WorkflowSettings>;
  } = {},
): Deps {
  const custom = profileVersions(options.customProfiles ?? []);
  for (const id of custom.byId.keys())
    if (builtinProfile(id)) throw new Error(`a custom profile cannot take the built-in profile id "${id}"`);
  const clock = options.clock ?? (() => new Date());
  return {
    store,
    clock,
    ids: options.ids ?? randomUUID,
    profiles: (id, at) => {
      const versions = custom.byId.get(id);
      return versions ? inForce(versions, at ?? clock().toISOString()) : builtinProfile(id);
    },
    profileVersions: (id) => {
      const builtin = builtinProfile(id);
      return custom.byId.get(id) ?? (builtin ? [builtin] : []);
    },
    customProfileIds: [...custom.byId.keys()],
    profileByFingerprint: (f) =>
      custom.byFingerprint.get(f) ?? [...builtinProfiles().values()].find((p) => fingerprint(p) === f),
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  };
}
export { firstWelcome, recordSurfaceEvent } from './surface-events';
export type { SurfaceEvent } from './surface-events';
export { GIVE_UP_AFTER, noticeHolds, takeNotices } from './notice-feed';
export type { PendingNotice } from './notice-feed';
