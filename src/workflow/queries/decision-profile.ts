import type { Profile } from '../../policy/profile';
import type { Decision } from '../../store/records';
import type { Deps } from '../types';

/**
 * The profile version a decision was made under: the one with the fingerprint the decision recorded, else the
 * version of that profile in force at the decision's moment. A decision made under version 1 is explained by
 * version 1 after version 2 is adopted, never by the rules in force now.
 */
export function decisionProfile(
  deps: Deps,
  d: Pick<Decision, 'at' | 'profileId' | 'profileFingerprint'>,
): Profile | undefined {
  const byPrint = d.profileFingerprint ? deps.profileByFingerprint?.(d.profileFingerprint) : undefined;
  if (byPrint) return byPrint;
  return d.profileId ? deps.profiles(d.profileId, d.at) : undefined;
}
