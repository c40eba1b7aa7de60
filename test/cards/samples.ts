/**
 * Sample cards for the render test, made with the builders as the bot's cards will be. The real request,
 * approval and record-the-check cards arrive with the bot (issue 7) and join this list.
 */
import {
  actionSet,
  card,
  choice,
  choiceSet,
  column,
  columnSet,
  container,
  execute,
  fact,
  factSet,
  heading,
  inputDate,
  inputText,
  inputTime,
  inputToggle,
  refresh,
  textBlock,
} from '../../src/bot/cards/build';
import { statusCard } from '../../src/bot/cards/status';
import type { AdaptiveCard } from '../../src/bot/cards/types';

export type SampleCard = { name: string; card: AdaptiveCard };

const statusInfo = statusCard({
  title: 'Request sent to your team manager',
  detail: 'You will be told here when it is decided.',
  facts: [
    ['Case', 'CR-1042'],
    ['Platforms', 'Instagram, TikTok'],
    ['Status', 'Awaiting decision'],
  ],
  tone: 'info',
});

const statusError = statusCard({
  title: 'That card is out of date',
  detail: 'The request was already decided by another manager. Nothing was changed.',
  tone: 'error',
});

const form = card(
  [
    heading('Record the check'),
    textBlock('Case CR-1042 · approved by the team manager', { isSubtle: true, spacing: 'none' }),
    columnSet([
      column(
        [inputDate('checkedOn', 'Date of the check', { isRequired: true, errorMessage: 'Give the date' })],
        {
          width: 'stretch',
        },
      ),
      column([inputTime('checkedAt', 'Time', { isRequired: true, errorMessage: 'Give the time' })], {
        width: 'stretch',
      }),
    ]),
    choiceSet(
      'accounts',
      'Accounts accessed',
      [choice('Instagram @example.child', 'instagram'), choice('TikTok @example', 'tiktok')],
      {
        isMultiSelect: true,
        style: 'expanded',
        isRequired: true,
        errorMessage: 'Choose at least one account',
      },
    ),
    inputText('found', 'Relevant information found', {
      isMultiline: true,
      maxLength: 2000,
      placeholder: 'Only what is relevant to the assessment',
    }),
    inputToggle('thirdParty', 'Third-party data', 'Third-party data was seen'),
    container(
      [
        factSet([
          fact('Obligation', 'Do not friend, follow or message'),
          fact('Viewing', 'Designated organisation account'),
        ]),
        inputToggle(
          'attest',
          'Attestation',
          'I viewed open-source content only and did not friend or follow',
          {
            isRequired: true,
            errorMessage: 'The attestation is required',
          },
        ),
      ],
      { style: 'emphasis' },
    ),
    actionSet([execute('check.record', 'Record the check', { requestId: 'req-1' }, { style: 'positive' })]),
  ],
  {
    actions: [execute('check.cancel', 'Not now', { requestId: 'req-1' }, { associatedInputs: 'none' })],
    refresh: refresh(execute('request.refresh', 'Refresh', { requestId: 'req-1' }), ['aad-case-manager']),
  },
);

export const SAMPLE_CARDS: SampleCard[] = [
  { name: 'status-info', card: statusInfo },
  { name: 'status-error', card: statusError },
  { name: 'form-record-check', card: form },
];
