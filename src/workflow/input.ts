import { z } from 'zod';
import { fail, type Outcome } from './types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A day or an instant with its offset, and a real calendar date (2026-02-30 is not). */
export const When = z.string().refine(
  (s) => {
    if (!(DAY.test(s) || INSTANT.test(s)) || Number.isNaN(Date.parse(s))) return false;
    const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
    const day = new Date(Date.UTC(y, m - 1, d));
    return day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
  },
  {
    message: 'expected a real date: a day (2026-03-01) or an instant with its offset (2026-03-01T10:00:00Z)',
  },
);

export const Key = z.string().trim().min(8, 'an idempotency key of at least 8 characters').max(200);
export const Id = z.string().trim().min(1, 'required');
export const Text = z.string().trim().min(1, 'required');
export const OptionalText = z
  .string()
  .trim()
  .optional()
  .transform((s) => (s ? s : undefined));

/** Parses a command's input; the failure names the first field at fault. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): Outcome<z.infer<S>> {
  const r = schema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  return fail('INVALID_INPUT', `${field ?? 'input'}: ${issue.message}`, field);
}
