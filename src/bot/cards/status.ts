/**
 * A generic status card: a headline, an optional line of detail and facts, in a tone. The bot uses it for
 * plain outcomes ("Request sent", "Already decided", a clear error for bad input); the request, approval and
 * record-the-check cards arrive with the bot.
 */
import { card, container, fact, factSet, heading, textBlock } from './build';
import type { AdaptiveCard, CardAction, CardElement, ContainerStyle, TextColor } from './types';

export type StatusTone = 'info' | 'success' | 'warning' | 'error';

export type StatusCardInput = {
  title: string;
  detail?: string;
  facts?: ReadonlyArray<readonly [title: string, value: string]>;
  tone?: StatusTone;
  actions?: CardAction[];
};

const STYLE: Record<StatusTone, { container: ContainerStyle; color: TextColor }> = {
  info: { container: 'emphasis', color: 'default' },
  success: { container: 'good', color: 'good' },
  warning: { container: 'warning', color: 'warning' },
  error: { container: 'attention', color: 'attention' },
};

export function statusCard(input: StatusCardInput): AdaptiveCard {
  const tone = STYLE[input.tone ?? 'info'];
  const body: CardElement[] = [
    container([heading(input.title, { color: tone.color })], { style: tone.container, bleed: true }),
  ];
  if (input.detail) body.push(textBlock(input.detail));
  if (input.facts && input.facts.length > 0)
    body.push(factSet(input.facts.map(([title, value]) => fact(title, value))));
  return card(body, {
    actions: input.actions,
    fallbackText: input.detail ? `${input.title}: ${input.detail}` : input.title,
  });
}
