/** Plain words for a request's state, shared by every card that shows one. */
import { DEFAULT_TIME_ZONE } from '../../policy/profile';
import type { RequestStatus } from '../../workflow/queries';

export const STATUS_WORDS: Record<RequestStatus, string> = {
  pending: 'waiting for a decision',
  escalated: 'waiting for a higher authority',
  'more-info': 'more information asked for',
  approved: 'approved: the check may be done and recorded',
  declined: 'declined',
  withdrawn: 'withdrawn',
  expired: 'expired',
  completed: 'check recorded',
  refused: 'refused by the policy',
};

const formats = new Map<string, Intl.DateTimeFormat>();
/** One formatter per time zone, made once: they are costly to make. */
function format(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** A date-time as people read it, en-GB, in a profile's time zone (the profiles' default when none is given). */
export function when(iso: string, timeZone: string = DEFAULT_TIME_ZONE): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return format(timeZone).format(d);
}
