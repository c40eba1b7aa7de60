/** Cards for what went wrong: a clear headline and what to do, and for a refusal the verdict's clauses. */
import { card, container, heading, textBlock } from '../cards/build';
import { statusCard } from '../cards/status';
import type { AdaptiveCard } from '../cards/types';
import { plainWords } from './form';
import { besideVerdict, verdictSection, type VerdictView } from './verdict';

/**
 * The bot says no only with one of these cards (or a form showing its problem): each is marked as a refusal,
 * with why and its kind, so the route table (routes.ts) puts it on the audit trail in one place. The kind is
 * said where the refusal is made, never worked out later from its words:
 * - `sender`: who sent it may not act here (not theirs to record, not an officer, another team's request) —
 *   they are told that and nothing of what they filled in, and it is the reason kept;
 * - `form`: a form sent back marking its own problems by their fields;
 * - `other`: anything else (no such request, a card out of date, a state that does not allow it).
 */
export type RefusalKind = 'sender' | 'form' | 'other';
const refusals = new WeakMap<AdaptiveCard, { why: string; kind: RefusalKind }>();
export function markRefusal(card: AdaptiveCard, why: string, kind: RefusalKind = 'other'): AdaptiveCard {
  refusals.set(card, { why, kind });
  return card;
}
export const refusalOf = (card: AdaptiveCard): string | undefined => refusals.get(card)?.why;
export const refusalKindOf = (card: AdaptiveCard): RefusalKind | undefined => refusals.get(card)?.kind;

export function errorCard(
  title: string,
  detail: string,
  more?: string,
  kind: RefusalKind = 'other',
): AdaptiveCard {
  return markRefusal(
    statusCard({
      title,
      // Shown in plain words: never the field name a workflow message carries for the API ("requestId: …").
      detail: plainWords(more && more !== detail ? `${detail}\n\n${more}` : detail),
      tone: 'error',
    }),
    `${title}: ${detail}`,
    kind,
  );
}

/** A refusal of who sent it: they may not act here, and are told only that. */
export const notYoursCard = (title: string, detail: string): AdaptiveCard =>
  errorCard(title, detail, undefined, 'sender');

export function refusalCard(title: string, message: string, verdict: VerdictView): AdaptiveCard {
  return markRefusal(
    card(
      [
        container([heading(title, { color: 'attention' })], { style: 'attention', bleed: true }),
        textBlock(besideVerdict(message, verdict)),
        verdictSection(verdict),
      ],
      { fallbackText: `${title}: ${message}` },
    ),
    `${title}: ${message}`,
  );
}
