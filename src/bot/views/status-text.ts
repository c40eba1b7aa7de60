/** Plain words for a request's state, shared by every card that shows one. */
import type { RequestStatus } from '../../store/records';

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

const UK = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** A date-time as people read it, in the UK (one formatter, made once: they are costly to make). */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return UK.format(d);
}
