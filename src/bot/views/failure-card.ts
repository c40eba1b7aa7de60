/** Cards for what went wrong: a clear headline and what to do, and for a refusal the verdict's clauses. */
import { card, container, heading, textBlock } from '../cards/build';
import { statusCard } from '../cards/status';
import type { AdaptiveCard } from '../cards/types';
import { verdictSection, type VerdictView } from './verdict';

export function errorCard(title: string, detail: string, more?: string): AdaptiveCard {
  return statusCard({
    title,
    detail: more && more !== detail ? `${detail}\n\n${more}` : detail,
    tone: 'error',
  });
}

export function refusalCard(title: string, message: string, verdict: VerdictView): AdaptiveCard {
  return card(
    [
      container([heading(title, { color: 'attention' })], { style: 'attention', bleed: true }),
      textBlock(message),
      verdictSection(verdict),
    ],
    { fallbackText: `${title}: ${message}` },
  );
}
