/** Cards for what went wrong: a clear headline and what to do, and for a refusal the verdict's clauses. */
import { card, container, heading, textBlock } from '../cards/build';
import { statusCard } from '../cards/status';
import type { AdaptiveCard } from '../cards/types';
import { plainWords } from './form';
import { besideVerdict, verdictSection, type VerdictView } from './verdict';

/**
 * The bot says no only with one of these cards (or a form showing its problem): each is marked as a refusal,
 * with why, so the route table (routes.ts) puts it on the audit trail in one place.
 */
const refusals = new WeakMap<AdaptiveCard, string>();
export function markRefusal(card: AdaptiveCard, why: string): AdaptiveCard {
  refusals.set(card, why);
  return card;
}
export const refusalOf = (card: AdaptiveCard): string | undefined => refusals.get(card);

export function errorCard(title: string, detail: string, more?: string): AdaptiveCard {
  return markRefusal(
    statusCard({
      title,
      // Shown in plain words: never the field name a workflow message carries for the API ("requestId: …").
      detail: plainWords(more && more !== detail ? `${detail}\n\n${more}` : detail),
      tone: 'error',
    }),
    `${title}: ${detail}`,
  );
}

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
