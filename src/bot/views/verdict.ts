/**
 * The policy's verdict as a card section: the outcome in plain words, the explanation, each clause it rests
 * on with its title, and the obligations that follow. Pure: the bot passes the clause titles in.
 */
import { authorityAlone, authorityInSentence, numericDatesInWords, phrase } from '../../vocabulary';
import { container, textBlock } from '../cards/build';
import type { CardElement, ContainerStyle } from '../cards/types';

export type { VerdictView } from '../../workflow/queries/request';
import type { VerdictView } from '../../workflow/queries/request';

const HEADLINE: Record<VerdictView['outcome'], string> = {
  allow: 'The policy allows this request',
  'needs-escalation': 'The policy sends this request to a higher authority',
  refuse: 'The policy refuses this request',
};
const STYLE: Record<VerdictView['outcome'], ContainerStyle> = {
  allow: 'good',
  'needs-escalation': 'warning',
  refuse: 'attention',
};

/** A code inside a sentence, as its label ("risk of child sexual exploitation"); never a de-hyphenated id. */
export const words = (id: string): string => phrase(id);

/** The verdict in one sentence, in its colour: what the policy says and who decides. */
export function verdictLine(v: VerdictView): CardElement {
  const who = v.authority
    ? `; ${v.authorityWords?.inSentence ?? authorityInSentence(v.authority)} decides`
    : '';
  return container([textBlock(`${HEADLINE[v.outcome]}${who}.`, { weight: 'bolder' })], {
    style: STYLE[v.outcome],
    id: 'verdict-line',
  });
}

/** The sentences of a text, each as a reader compares them: without spacing, case or a closing stop. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((x) =>
      x
        .replace(/\s+/g, ' ')
        .replace(/[.!?]$/, '')
        .trim()
        .toLowerCase(),
    )
    .filter((x) => x.length >= 25);
}

/**
 * A refusal's message shown beside the verdict section that explains it: the verdict's words are said once,
 * in the section, so a message that repeats a sentence of its explanation becomes a pointer to it ("why is
 * below"); any other message is kept as it is. Every card that puts a problem beside a verdict says it so.
 */
export function besideVerdict(message: string, v: VerdictView): string {
  const said = new Set(sentencesOf(v.explanation));
  if (!sentencesOf(message).some((x) => said.has(x))) return message;
  return v.outcome === 'refuse'
    ? 'The policy does not allow this: why, and the clauses it rests on, are below.'
    : 'What the policy says, and the clauses it rests on, are below.';
}

/** The verdict in full; `style` overrides its colour (a request decided against is never shown green). */
export function verdictSection(v: VerdictView, options: { style?: ContainerStyle } = {}): CardElement {
  const items: CardElement[] = [
    textBlock(HEADLINE[v.outcome], { weight: 'bolder' }),
    textBlock(v.explanation, { size: 'small' }),
  ];
  if (v.authority)
    items.push(
      textBlock(`Decided by: ${v.authorityWords?.alone ?? authorityAlone(v.authority)}`, { size: 'small' }),
    );
  if (v.clauses.length) {
    items.push(textBlock('The policy says so in:', { weight: 'bolder', size: 'small' }));
    for (const c of v.clauses)
      items.push(
        textBlock(`• ${c.cite}${c.title ? `: ${numericDatesInWords(c.title)}` : ''}`, { size: 'small' }),
      );
  }
  if (v.obligations.length) {
    items.push(textBlock('Before and while viewing:', { weight: 'bolder', size: 'small' }));
    for (const o of v.obligations) items.push(textBlock(`• ${numericDatesInWords(o)}`, { size: 'small' }));
  }
  return container(items, { style: options.style ?? STYLE[v.outcome], id: 'verdict' });
}
