import type { Profile } from '../policy/profile';
import type { Store } from '../store/store';

/** What every use case is given: no globals, no clock of its own. */
export interface Deps {
  store: Store;
  clock: () => Date;
  /** New record ids. */
  ids: () => string;
  /** A profile by id: the built-ins and any custom profile files the administrator configured. */
  /** A profile by id: the version in force at `at` (an instant; the clock's now when not given). */
  profiles: (id: string, at?: string) => Profile | undefined;
  /** Every loaded version of a profile (oldest first; a built-in has one), for replaying past decisions. */
  profileVersions: (id: string) => readonly Profile[];
  /** Every loaded version of a profile, by its fingerprint (a decision names the version it was made under). */
  profileByFingerprint?: (fingerprint: string) => Profile | undefined;
  /** The ids of the custom profiles loaded (the built-ins are BUILTIN_IDS), for choosing a team's profile. */
  customProfileIds?: readonly string[];
  settings: WorkflowSettings;
  /** Set by a surface for one command (refusals.ts): the refusals the workflow audited itself. */
  audited?: { count: number };
}

export interface WorkflowSettings {
  /** A request not decided within this many days expires. */
  decideWithinDays: number;
  /** An approved check not recorded within this many days expires. */
  recordWithinDays: number;
  /** A request waiting this many hours for a decision is escalated to the next authority. */
  escalateAfterHours: number;
  /** The profile in force for the tenant: a team without one of its own uses it. */
  defaultProfileId: string;
}

export const DEFAULT_SETTINGS: WorkflowSettings = {
  decideWithinDays: 7,
  recordWithinDays: 14,
  escalateAfterHours: 48,
  defaultProfileId: 'nottinghamshire-yjs',
};

export type FailureCode =
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'POLICY_REFUSED'
  | 'ALREADY_DECIDED'
  | 'WRONG_STATE'
  | 'CONFLICT';

/** An expected failure, as a value: a stable code, a plain message, the field at fault where there is one. */
export interface Failure {
  code: FailureCode;
  message: string;
  field?: string;
  /** For INVALID_INPUT: every problem the input had, each by its field (the first is `field`/`message`), so a
   * form can mark them all at once. */
  problems?: { field: string; message: string }[];
  /** For POLICY_REFUSED: the verdict, so a card can show its clauses. */
  verdict?: unknown;
}

export type Outcome<T> =
  { ok: true; value: T; replayed?: boolean } | { ok: false; error: Failure; replayed?: boolean };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const fail = (
  code: FailureCode,
  message: string,
  field?: string,
  verdict?: unknown,
): Outcome<never> => ({
  ok: false,
  error: { code, message, ...(field ? { field } : {}), ...(verdict ? { verdict } : {}) },
});

/** Every command names who is acting (an id the server resolves: roles are never taken from a card) and
 * carries an idempotency key, so that a card clicked twice or a retried request never acts twice. */
export interface Envelope {
  key: string;
  actorId: string;
}
