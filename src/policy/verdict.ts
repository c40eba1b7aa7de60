import type { Effect, Reports } from './profile';
import type { ActionType, Authority } from './situation';

export type Outcome = 'allow' | 'refuse' | 'needs-escalation';

export interface FiredRule {
  rule: string;
  effect: Effect;
  cites: string[];
  explain: string;
  authority?: Authority[];
  /** The rule is a local decision (no clause carries it): why. */
  local?: string;
  reports?: Reports;
}

export interface VerdictObligation {
  id: string;
  text: string;
  cites: string[];
}

/** The policy's answer: what may happen, who must authorise, on which clauses, and what must follow. */
export interface Verdict {
  outcome: Outcome;
  /** Who must authorise: the usual authority. */
  authority?: Authority;
  /** Every authority that may act (the usual one first). */
  authorities: Authority[];
  /** Clauses the verdict rests on: the determining rules', then its obligations' — not an overridden rule's. */
  cites: string[];
  obligations: VerdictObligation[];
  /** The rules that decided the outcome (`default` when none did and the profile failed closed). */
  determining: string[];
  /** Every rule that fired, in profile order. */
  fired: FiredRule[];
  /** What the determining rules mean for the reports (the profile's `reports`): near-misses and the like. */
  reports: Reports[];
  /** Plain English a team manager can read on a card. */
  explanation: string;
  /** The profile version that decided, and its fingerprint (a hash of its canonical form). */
  profile: { id: string; version: string; fingerprint: string };
  action: ActionType;
}
