/**
 * The request form, in a personal chat: the child — a plain choice list of the person's teams' children when
 * they are few (it works in every client, the Agents Playground too, which has no typeahead), else a typeahead
 * the bot answers from the store with a case reference box beside it for a client without one — the reason
 * or purpose as the team's profile lists them, platforms and accounts, the viewing methods the profile
 * allows, and the rationale. "Check with the policy" previews the verdict in place; "Send" appears once the
 * verdict is shown and does not refuse.
 */
import { BOUNDS } from '../../workflow/input';
import {
  actionSet,
  card,
  choice,
  choiceSet,
  container,
  heading,
  inputText,
  textBlock,
  typeahead,
} from '../cards/build';
import { markRefusal } from './failure-card';
import type { AdaptiveCard, CardElement, Choice } from '../cards/types';
import { act } from './act';
import { withState } from './form';
import { besideVerdict, verdictSection, type VerdictView } from './verdict';
import { label } from '../../vocabulary';

export const CHILD_DATASET = 'overt.children';

export type RequestFormInput = {
  formId: string;
  teamName: string;
  reasons: string[];
  /** The profile's own words for its reasons, where it declares them. */
  reasonNames?: Record<string, string>;
  viewers: string[];
  /** The children to pick from, as a plain list; absent, the typeahead and the case reference box. */
  children?: Choice[];
  values?: {
    childId?: string;
    childTitle?: string;
    /** A case reference as typed in the box beside the typeahead. */
    childRef?: string;
    reason?: string;
    platforms?: string;
    viewer?: string;
    rationale?: string;
  };
  verdict?: VerdictView;
  /** A problem with what was entered, shown above the form. */
  problem?: string;
  /** Problems by input, each shown under its input (views/form.ts). */
  problems?: Record<string, string>;
};

const choices = (ids: string[], names: Record<string, string> = {}): Choice[] =>
  ids.map((id) => choice(names[id] ?? label(id), id));

/** The typeahead (Teams asks the bot as the person types) and, for a client without one, a box for the case
 * reference: neither is required by the card, the bot asks for one of them (handlers/requests.ts). */
function childSearch(v: NonNullable<RequestFormInput['values']>): CardElement[] {
  const search = typeahead('childId', 'Child (case reference or initials)', CHILD_DATASET, {
    placeholder: 'Type a case reference',
    count: 10,
    ...(v.childId ? { value: v.childId } : {}),
  });
  if (v.childId) search.choices = [choice(v.childTitle ?? v.childId, v.childId)];
  return [
    search,
    inputText('childRef', 'Or type the child’s case reference', {
      placeholder: 'For example DEMO-0001',
      maxLength: BOUNDS.short,
      ...(v.childRef ? { value: v.childRef } : {}),
    }),
  ];
}

export function requestFormCard(input: RequestFormInput): AdaptiveCard {
  const v = input.values ?? {};
  const child: CardElement[] = input.children
    ? [
        choiceSet('childId', 'Child', input.children, {
          isRequired: true,
          errorMessage: 'Choose the child',
          style: 'filtered',
          placeholder: 'Choose the child',
          ...(v.childId ? { value: v.childId } : {}),
        }),
      ]
    : childSearch(v);
  const body: CardElement[] = [
    heading('Request to view a child’s public social media'),
    textBlock(`Team: ${input.teamName}. The policy is checked before anything is sent.`, {
      isSubtle: true,
      size: 'small',
    }),
  ];
  if (input.problem)
    body.push(
      container([textBlock(input.problem, { color: 'attention' })], { style: 'attention', id: 'problem' }),
    );
  body.push(
    ...child,
    input.reasons.length
      ? choiceSet('reason', 'Reason or purpose', choices(input.reasons, input.reasonNames), {
          isRequired: true,
          errorMessage: 'Choose the reason',
          style: 'compact',
          ...(v.reason ? { value: v.reason } : {}),
        })
      : inputText('reason', 'Reason or purpose', {
          isRequired: true,
          ...(v.reason ? { value: v.reason } : {}),
        }),
    inputText('platforms', 'Platforms and account names (one per line, "instagram: @name")', {
      isMultiline: true,
      isRequired: true,
      errorMessage: 'Name at least one platform and account',
      ...(v.platforms ? { value: v.platforms } : {}),
    }),
    input.viewers.length
      ? choiceSet('viewer', 'How it will be viewed', choices(input.viewers), {
          isRequired: true,
          errorMessage: 'Choose how it will be viewed',
          style: 'expanded',
          ...(v.viewer ? { value: v.viewer } : {}),
        })
      : inputText('viewer', 'How it will be viewed', {
          isRequired: true,
          ...(v.viewer ? { value: v.viewer } : {}),
        }),
    inputText('rationale', 'Why it is necessary and proportionate', {
      isMultiline: true,
      maxLength: BOUNDS.long,
      ...(v.rationale ? { value: v.rationale } : {}),
    }),
  );
  const actions = [act('request.preview', 'Check with the policy', { formId: input.formId })];
  if (input.verdict) {
    body.push(verdictSection(input.verdict));
    if (input.verdict.outcome !== 'refuse')
      actions.push(act('request.send', 'Send request', { formId: input.formId }, { style: 'positive' }));
  }
  body.push(actionSet(actions));
  // The verdict's words once: a problem that repeats them points to the verdict below instead.
  const verdict = input.verdict;
  const problems = Object.fromEntries(
    Object.entries(input.problems ?? {}).map(([k, p]) => [k, verdict ? besideVerdict(p, verdict) : p]),
  );
  const made = card(withState(body, { problems }), {
    fallbackText: 'Request to view a child’s public social media',
  });
  // The audit trail keeps the refusal's own words.
  const why = input.problem ?? Object.values(input.problems ?? {}).join(' ');
  return why ? markRefusal(made, why, 'form') : made;
}
