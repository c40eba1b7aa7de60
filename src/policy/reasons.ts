/**
 * Whether a profile asks for the approver's reasons to approve a request, read from its rules (not a list of
 * profiles): a rule refusing `approve-check` when `reasons` are absent, whose other conditions hold on the
 * request's own fields (always, the reason, whether a rationale was given). Declining and asking for more
 * information always need reasons (the workflow asks for them whatever the profile).
 */
import { citations } from '../vocabulary';
import type { Profile, Rule } from './profile';

/** `cites`: the clause ids; `citation`: the same in words, as people read it ("Nottinghamshire YJS policy, section 10"). */
export type ReasonsNeed = { required: boolean; why: string; cites: string[]; citation?: string };

/** The conditions this reading can decide from the request alone. */
function holdsOnRequest(rule: Rule, r: { reason: string; rationale?: string | undefined }): boolean {
  const { reasons, always, reasonIn, reasonNotIn, rationale, ...rest } = rule.when;
  if (reasons !== 'absent' || Object.keys(rest).length > 0) return false;
  void always;
  if (reasonIn && !reasonIn.includes(r.reason)) return false;
  if (reasonNotIn?.includes(r.reason)) return false;
  if (rationale && rationale !== (r.rationale ? 'present' : 'absent')) return false;
  return true;
}

export function reasonsToApprove(
  profile: Profile,
  r: { reason: string; rationale?: string | undefined },
): ReasonsNeed {
  const rules = profile.rules.filter(
    (x) => x.effect === 'refuse' && x.actions.includes('approve-check') && holdsOnRequest(x, r),
  );
  const cites = [...new Set(rules.flatMap((x) => x.cites))];
  return {
    required: rules.length > 0,
    why: rules.map((x) => x.explain).join(' '),
    cites,
    citation: citations(cites, profile),
  };
}
