import { tzOffset } from '@date-fns/tz';
import { UTCDate } from '@date-fns/utc';
import { addDays, addMonths, isWeekend } from 'date-fns';

/**
 * Calendar days as `YYYY-MM-DD` strings (they sort as they compare). Policies count in calendar months on the
 * organisation's own calendar: a check on 15 January permits the next on 15 April, not before.
 */
export type Day = string;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The calendar day of a day or instant, in the given time zone. */
export function dayOf(when: string, timeZone: string): Day {
  if (when.length === 10 && DAY.test(when)) return when;
  const ms = Date.parse(when);
  const t = new Date(ms + offsetMinutes(timeZone, ms) * 60_000);
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

const HOUR = 3_600_000;
const offsets = new Map<string, number>();
/** The zone's offset from UTC at an instant, in minutes; offsets change on the hour, so one look-up an hour. */
function offsetMinutes(timeZone: string, ms: number): number {
  const hour = Math.floor(ms / HOUR);
  const key = `${timeZone}|${hour}`;
  let off = offsets.get(key);
  if (off === undefined) {
    off = tzOffset(timeZone, new Date(hour * HOUR));
    if (offsets.size > 50_000) offsets.clear();
    offsets.set(key, off);
  }
  return off;
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

const toDate = (day: Day) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new UTCDate(y, m - 1, d);
};
const fromDate = (t: Date): Day =>
  `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;

/** A length of time: exactly one of calendar days, weeks, calendar months or working days. */
export interface WindowLength {
  days?: number;
  weeks?: number;
  months?: number;
  workingDays?: number;
}

/**
 * The day a window that opens on `day` closes: `day` plus the window. Working days are Monday to Friday less
 * the bank holidays given: 2 working days from Friday 18 December 2026 is Tuesday 22 December, and from
 * Thursday 24 December (25 and 28 December bank holidays) it is Wednesday 30 December.
 */
export function addWindow(day: Day, w: WindowLength, bankHolidays: ReadonlySet<Day> = new Set()): Day {
  if (w.months !== undefined) return addMonthsToDay(day, w.months);
  if (w.days !== undefined) return fromDate(addDays(toDate(day), w.days));
  if (w.weeks !== undefined) return fromDate(addDays(toDate(day), 7 * w.weeks));
  let t = toDate(day);
  for (let left = w.workingDays ?? 0; left > 0;) {
    t = addDays(t, 1);
    if (!isWeekend(t) && !bankHolidays.has(fromDate(t))) left--;
  }
  return fromDate(t);
}

/** A window in words: "3 months", "a month", "28 days", "2 working days", "a week". */
export function windowWords(w: WindowLength): string {
  const [unit, n] = (Object.entries(w).find(([, v]) => v !== undefined) ?? ['days', 0]) as [string, number];
  const names: Record<string, [string, string]> = {
    days: ['day', 'days'],
    weeks: ['week', 'weeks'],
    months: ['month', 'months'],
    workingDays: ['working day', 'working days'],
  };
  const [one, many] = names[unit] ?? ['day', 'days'];
  return n === 1 ? `a ${one}` : `${n} ${many}`;
}

/** Age in whole years on `on` of someone born on `born` (born 29 February: a year older on 1 March). */
export function ageOn(born: Day, on: Day): number {
  const years = Number(on.slice(0, 4)) - Number(born.slice(0, 4));
  return on.slice(5) < born.slice(5) ? years - 1 : years;
}
