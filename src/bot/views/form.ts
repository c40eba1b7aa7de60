/**
 * A form sent back as the person filled it in: every input keeps the value they gave, and each problem is
 * shown in plain words right under the input it is about (a TextBlock with the id `<input>-problem`), with a
 * line at the top saying what to do. One function for every form, so no refusal loses what was typed.
 */
import { container, textBlock } from '../cards/build';
import type { CardElement } from '../cards/types';
import { BOUNDS } from '../../workflow/input';

export type FormState = {
  /** The inputs as sent, by input id (strings, as Teams sends them). */
  values?: Record<string, string>;
  /** Plain words by input id; `''` for a problem about the form as a whole. */
  problems?: Record<string, string>;
};

const INPUT = /^Input\./;

/** The form's elements with the values kept and each problem placed under its input. Problems about inputs the
 * form does not have are shown at the top. */
export function withState(body: CardElement[], state: FormState | undefined): CardElement[] {
  if (!state) return body;
  const values = state.values ?? {};
  const problems = state.problems ?? {};
  const placed = new Set<string>();
  const walk = (items: CardElement[]): CardElement[] =>
    items.flatMap((el) => {
      const e = el as unknown as Record<string, unknown>;
      const id = typeof e['id'] === 'string' ? e['id'] : undefined;
      if (id && typeof e['type'] === 'string' && INPUT.test(e['type'])) {
        // Kept as typed, up to what the input takes (a value past every bound would not fit in a card).
        const max = typeof e['maxLength'] === 'number' ? e['maxLength'] : BOUNDS.long;
        const kept = id in values ? { ...e, value: values[id]!.slice(0, max) } : e;
        const problem = problems[id];
        if (!problem) return [kept as unknown as CardElement];
        placed.add(id);
        return [
          kept as unknown as CardElement,
          textBlock(problem, { id: `${id}-problem`, color: 'attention', size: 'small' }),
        ];
      }
      for (const key of ['items', 'columns'] as const) {
        const inner = e[key];
        if (Array.isArray(inner))
          return [{ ...e, [key]: walk(inner as CardElement[]) } as unknown as CardElement];
      }
      return [el];
    });
  const out = walk(body);
  const loose = Object.entries(problems)
    .filter(([id, text]) => text && !placed.has(id))
    .map(([, text]) => text);
  const count = Object.values(problems).filter(Boolean).length;
  if (!count) return out;
  const top = container(
    [
      textBlock(
        placed.size
          ? `Nothing was saved yet: change what is marked below and send it again.`
          : 'Nothing was saved yet.',
        { weight: 'bolder', color: 'attention' },
      ),
      ...loose.map((t) => textBlock(t, { color: 'attention' })),
    ],
    { style: 'attention', id: 'form-problem' },
  );
  // After the heading (the first element), so the person still sees what the form is.
  return [...out.slice(0, 1), top, ...out.slice(1)];
}

/** A workflow's message in plain words: without the field-name prefix it carries for the API ("viewedAt: …"),
 * starting with a capital. */
export function plainWords(message: string): string {
  const text = message.replace(/^[a-z][A-Za-z.]*:\s+/, '').trim();
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** The data a card sent, as the strings its inputs hold. */
export function valuesOf(data: unknown): Record<string, string> {
  if (!data || typeof data !== 'object') return {};
  return Object.fromEntries(
    Object.entries(data as Record<string, unknown>).flatMap(([k, v]) =>
      typeof v === 'string'
        ? [[k, v]]
        : typeof v === 'number' || typeof v === 'boolean'
          ? [[k, String(v)]]
          : [],
    ),
  );
}
