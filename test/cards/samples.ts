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
import type { RequestView } from '../../src/bot/views/request-view';

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

/** Markdown and links as a person might type them into each free-text field. */
export const HOSTILE = {
  rationale: 'Urgent: [Open the case file to approve](https://phishing.invalid/login) **now**',
  account: '[@demo_north](https://phishing.invalid/a) _x_',
  requester: 'Dara **Dunmore** (demo)',
  reasons: '- first\n1. second <b>bold</b> {{DATE(2017-02-14T06:08:39Z, SHORT)}} www.phishing-demo.com',
  objection: '# Heading ![img](https://phishing.invalid/i.png)',
};

/** A request as the approver sees it, every field a person typed holding markdown. */
export const hostileView: RequestView = {
  id: 'req-hostile',
  version: 'v1',
  caseRef: 'DEMO-0001',
  childName: 'A.B. (demo)',
  status: 'pending',
  reason: 'risk-of-cse',
  platforms: [{ platform: 'instagram', account: HOSTILE.account }],
  viewer: 'own-personal-account',
  rationale: HOSTILE.rationale,
  requesterName: HOSTILE.requester,
  createdAt: '2026-01-15T10:00:00.000Z',
  authority: 'team-manager',
  verdict: {
    outcome: 'allow',
    authority: 'team-manager',
    explanation: 'The policy allows this request.',
    clauses: [{ id: '000 §11', cite: 'Nottinghamshire YJS policy, section 11', title: 'Open-source checks' }],
    obligations: ['Do not view stories.'],
  },
  consent: 'given by the child (fictional)',
  objection: HOSTILE.objection,
  recentChecks: [],
  reasonsToApprove: { required: true, why: HOSTILE.rationale, cites: [] },
  decided: {
    by: 'Arlo Ashdown (demo)',
    at: '2026-01-16T10:00:00.000Z',
    outcome: 'declined',
    reasons: HOSTILE.reasons,
  },
};

export const SAMPLE_CARDS: SampleCard[] = [
  { name: 'status-info', card: statusInfo },
  { name: 'status-error', card: statusError },
  { name: 'form-record-check', card: form },
];
