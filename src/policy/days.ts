import { TZDate } from '@date-fns/tz';
import { UTCDate } from '@date-fns/utc';
import { addMonths } from 'date-fns';

/**
 * Calendar days as `YYYY-MM-DD` strings (they sort as they compare). Policies count in calendar months on the
 * organisation's own calendar: a check on 15 January permits the next on 15 April, not before.
 */
export type Day = string;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The calendar day of a day or instant, in the given time zone. */
export function dayOf(when: string, timeZone: string): Day {
  if (DAY.test(when)) return when;
  const t = new TZDate(Date.parse(when), timeZone);
  return `${pad(t.getFullYear(), 4)}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

/** The instant a day or instant stands for (a day: its start in UTC), for ordering events. */
export function instantOf(when: string): number {
  return Date.parse(when);
}

const memo = new Map<string, Day>();
/** `day` plus `months` calendar months; the end of a shorter month clamps (30 Nov + 3 months = 28 Feb). */
export function addMonthsToDay(day: Day, months: number): Day {
  const key = `${day}+${months}`;
  let out = memo.get(key);
  if (out === undefined) {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    const t = addMonths(new UTCDate(y, m - 1, d), months);
    out = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
    if (memo.size > 50_000) memo.clear();
    memo.set(key, out);
  }
  return out;
}

/** `03/01/2023` for `2023-01-03`: how the source documents write dates. */
export function ukDate(day: Day): string {
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}
