import { randomUUID } from 'node:crypto';
import { builtinProfile } from '../policy/builtin';
import type { Profile } from '../policy/profile';
import type { Store } from '../store/store';
import { DEFAULT_SETTINGS, type Deps, type WorkflowSettings } from './types';

export * from './types';
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
export { recordRipa, cancelRipa } from './ripa';
export { upsertTeam, upsertStaff, bootstrapAdministrator, delegate, importCaseList } from './organisation';
export { runJobs, JOBS_LEASE } from './jobs';
export type { Notice, JobsReport } from './jobs';
export { reviewEvidence, submitReview, ASSERTIONS } from './review';
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
  const custom = new Map((options.customProfiles ?? []).map((p) => [p.id, p]));
  return {
    store,
    clock: options.clock ?? (() => new Date()),
    ids: options.ids ?? randomUUID,
    profiles: (id) => custom.get(id) ?? builtinProfile(id),
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  };
}
