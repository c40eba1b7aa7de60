import { changesRefused as refused } from '../store/integrity';
import type { Deps } from './types';

/** While the audit trail is broken, the surfaces answer a change with this (a 503), once they know who is
 * asking: a stranger is answered 401/403 first and learns nothing of the trail. */
export const changesRefused = (deps: Deps, method: string | undefined): string | undefined =>
  refused(deps.store, method);

/** The error a store's guard throws while the audit trail is broken, and the sentence people are shown. */
export { AuditTrailBrokenError, TRAIL_BROKEN_SENTENCE } from '../store/integrity';
