/**
 * After approval, the record-the-check card for the requester: the obligations first (before viewing), then
 * what was done — accounts accessed, date and time, relevant information found, third-party data, sensitive
 * information, safeguarding follow-up — and the attestations.
 */
import { BOUNDS } from '../../workflow/input';
import { numericDatesInWords } from '../../vocabulary';
import {
  actionSet,
  card,
  choice,
  choiceSet,
  container,
  fact,
  factSet,
  heading,
  inputDate,
  inputText,
  inputTime,
  inputToggle,
  textBlock,
} from '../cards/build';
import { markRefusal } from './failure-card';
import type { AdaptiveCard, CardElement } from '../cards/types';
import { act } from './act';
import { withState, type FormState } from './form';

export type RecordCheckInput = {
  requestId: string;
  /** The version of the request the card shows: recording on an older one is a stale card (issue 20). */
  version: string;
  formId: string;
  caseRef: string;
  childName: string;
  platforms: { platform: string; account: string }[];
  obligations: string[];
  /** Approved under a RIPA authorisation: the one the check is done under, named with its end (or why none
   * covers it today), shown before anything is saved. */
  underRipa?: string;
  today: string;
  /** The team's managers, by name: who may authorise keeping other people's information (000 §17). */
  authorisers: { id: string; name: string }[];
  /** On the route where the team manager with social media responsibility views (000 §13): who may have
   * viewed, by name; the person opening the form first when they are one. */
  viewers?: { id: string; name: string }[];
  viewerDefault?: string;
  /** A problem about the form as a whole. */
  problem?: string;
  /** As sent, with problems by input (a refusal answers with the form as it was filled in). */
  state?: FormState;
};

/** Each approved account's choice value: its place in the request's list, never its text (a name may hold a
 * comma, and the values of a multi-select arrive joined by commas). */
export const accountChoice = (index: number) => `account-${index}`;

/** An obligation addressed to someone other than the viewer: the officer's or the deciding manager's. */
const SOMEONE_ELSES = /^The (authorising officer|authorised officer|team manager)\b/;

export function recordCheckCard(i: RecordCheckInput): AdaptiveCard {
  const body: CardElement[] = [
    heading(`Record the check: ${i.childName} (${i.caseRef})`),
    factSet(i.platforms.map((p) => fact(p.platform, p.account))),
  ];
  if (i.problem && !i.state)
    body.push(container([textBlock(i.problem, { color: 'attention' })], { style: 'attention' }));
  if (i.underRipa)
    body.push(container([textBlock(i.underRipa, { weight: 'bolder', size: 'small' })], { id: 'under-ripa' }));
  // Only what the viewer must do: a duty the policy gives another (the authorising officer, the team manager)
  // was theirs to do before the check was approved.
  const mine = i.obligations.filter((o) => !SOMEONE_ELSES.test(o));
  if (mine.length) {
    const items: CardElement[] = [textBlock('Before you view:', { weight: 'bolder' })];
    for (const o of mine) items.push(textBlock(`• ${numericDatesInWords(o)}`, { size: 'small' }));
    body.push(container(items, { style: 'warning', id: 'obligations' }));
  }
  const accounts = i.platforms.map((p, n) => choice(`${p.platform}: ${p.account}`, accountChoice(n)));
  if (i.viewers)
    body.push(
      choiceSet(
        'viewerId',
        'Who viewed (the team manager with social media responsibility)',
        i.viewers.map((v) => choice(v.name, v.id)),
        {
          style: 'compact',
          isRequired: true,
          errorMessage: 'Pick who viewed',
          ...(i.viewerDefault ? { value: i.viewerDefault } : {}),
        },
      ),
    );
  body.push(
    choiceSet('accounts', 'Accounts accessed', accounts, {
      isMultiSelect: true,
      style: 'expanded',
      isRequired: true,
      errorMessage: 'Tick the accounts you looked at',
      value: accounts.map((a) => a.value).join(','),
    }),
    inputDate('viewedDate', 'Date viewed', {
      isRequired: true,
      errorMessage: 'Pick the date of viewing',
      value: i.today,
      max: i.today,
    }),
    inputTime('viewedTime', 'Time viewed', { isRequired: true, errorMessage: 'Pick the time of viewing' }),
    inputText('relevantInfo', 'Relevant information found (only what is relevant)', {
      isMultiline: true,
      maxLength: BOUNDS.long,
    }),
    choiceSet(
      'thirdPartyData',
      'Other people’s information',
      [
        choice('None seen', 'none'),
        choice('Seen, not kept', 'seen-not-kept'),
        choice('Kept (needs authorisation and rationale)', 'kept'),
      ],
      {
        style: 'compact',
        value: 'none',
        isRequired: true,
        errorMessage: 'Say whether other people’s information was seen',
      },
    ),
    ...(i.authorisers.length
      ? [
          choiceSet(
            'thirdPartyAuthorisedBy',
            'If kept: the team manager who authorised it',
            i.authorisers.map((a) => choice(a.name, a.id)),
            { style: 'compact' },
          ),
        ]
      : []),
    inputText('thirdPartyRationale', 'If kept: why (safeguarding concern)', { isMultiline: true }),
    inputToggle('sensitive', 'Sensitive information', 'Sensitive information was found', { value: 'false' }),
    inputText('safeguardingFollowUp', 'Safeguarding follow-up, if any', { isMultiline: true }),
    inputToggle('attestNoFriendFollow', 'Attestation', 'I did not friend, follow or contact the child', {
      value: 'false',
    }),
    inputToggle('attestOpenSourceOnly', 'Attestation', 'I viewed open-source (public) information only', {
      value: 'false',
    }),
    actionSet([
      act(
        'check.record',
        'Record the check',
        { requestId: i.requestId, version: i.version, formId: i.formId },
        { style: 'positive' },
      ),
    ]),
  );
  const problems = { ...i.state?.problems, ...(i.problem && i.state ? { '': i.problem } : {}) };
  const made = card(withState(body, i.state && { ...i.state, problems }), {
    fallbackText: `Record the check for case ${i.caseRef}`,
  });
  const why = i.problem ?? Object.values(problems).join(' ');
  return why ? markRefusal(made, why, 'form') : made;
}
