/**
 * The other conversations: help, my requests, a child's summary, record consent or notice, record an
 * objection, and a timer's notice.
 */
import {
  actionSet,
  card,
  container,
  fact,
  factSet,
  heading,
  inputDate,
  inputText,
  openUrl,
  textBlock,
} from '../cards/build';
import type { AdaptiveCard, CardElement } from '../cards/types';
import type { TabLink } from '../settings';
import type { Role } from '../../policy/situation';
import { act } from './act';
import { capped, LIST_SHOWN, pageLine, pageNav, pageOf, WAITING_ORDER } from './list';
import { markRefusal } from './failure-card';
import { withState, type FormState } from './form';
import type { RequestStatus } from '../../workflow/queries';
import { dateTimeGb, label, statusWords } from '../../vocabulary';
import type { ChildSummary } from '../../workflow/queries/children';
import type { RequestLine } from '../../workflow/queries/request';
export type { ChildSummary, RequestLine };

export const COMMANDS: [string, string][] = [
  ['new request', 'raise a request to view a child’s public social media'],
  ['my requests', 'your requests and their state'],
  ['waiting for me', 'the requests waiting for your decision'],
  ['child DEMO-0001', 'a child’s summary: consent, objections, requests, checks'],
  ['consent DEMO-0001', 'record consent or notice for a child'],
  ['objection DEMO-0001', 'record a child’s objection (stops every check, tells information governance)'],
  ['help', 'this list'],
];

type Command = [string, string];
const CMD = Object.fromEntries(COMMANDS.map((c) => [c[0].split(' ')[0]!, c])) as Record<string, Command>;
const RIPA_QUEUE: Command = [
  'ripa',
  'the RIPA applications waiting for your authorisation, and the authorisations in force and their reviews',
];
const CENTRAL: Command = [
  'central record',
  'the RIPA central record: every authorisation, its reviews, renewals and cancellation, and what waits for an authorising officer',
];

/**
 * The commands of a person's role, the ones that work for them (issue 13 walk: the authorising officer's
 * welcome listed a case manager's commands and not the RIPA queue): what the welcome and "help" list, and the
 * card's buttons (few, so each is whole on a phone: what waits for the person is added on coming back,
 * onReturnCard). Without a role, every case-work command.
 */
export function commandsOf(role?: Role): { commands: Command[]; actions: ReturnType<typeof act>[] } {
  const newRequest = act('request.new', 'New request', {});
  const mine = act('requests.mine', 'My requests', {});
  switch (role) {
    case 'team-manager':
    case 'service-manager':
      return {
        commands: [CMD['waiting']!, CMD['new']!, CMD['my']!, CMD['child']!, CMD['consent']!, CMD['help']!],
        actions: [newRequest, mine],
      };
    case 'authorised-officer':
      return {
        commands: [RIPA_QUEUE, CMD['waiting']!, CMD['child']!, CMD['help']!],
        actions: [act('ripa.queue', 'RIPA queue', {})],
      };
    case 'information-governance':
      return {
        commands: [CENTRAL, CMD['waiting']!, CMD['child']!, CMD['help']!],
        actions: [act('ripa.queue', 'Central record', {})],
      };
    case 'administrator':
      return { commands: [CMD['child']!, CMD['help']!], actions: [] };
    default:
      return { commands: COMMANDS, actions: [newRequest, mine] };
  }
}

/** A form's card with its state applied (values kept, problems under their inputs), marked a refusal when it
 * carries one. */
function formCard(
  body: CardElement[],
  i: { problem?: string; state?: FormState },
  fallbackText: string,
): AdaptiveCard {
  const problems = { ...i.state?.problems, ...(i.problem && i.state ? { '': i.problem } : {}) };
  const made = card(withState(body, i.state && { ...i.state, problems }), { fallbackText });
  const why = i.problem ?? Object.values(problems).join(' ');
  return why ? markRefusal(made, why, 'form') : made;
}

/** What Overt can do, for this person's role (commandsOf): the welcome card and the answer to "help". */
export function helpCard(unknown?: string, role?: Role): AdaptiveCard {
  const { commands, actions } = commandsOf(role);
  const body: CardElement[] = [heading('What Overt can do')];
  if (unknown) body.push(textBlock(`I did not understand “${unknown}”. Try one of these:`, { wrap: true }));
  body.push(factSet(commands.map(([c, d]) => fact(c, d))));
  if (role === 'administrator')
    body.push(
      textBlock('Staff, teams, policies and the audit trail are in the Overt tab.', {
        wrap: true,
        isSubtle: true,
      }),
    );
  return card(body, {
    ...(actions.length ? { actions } : {}),
    fallbackText: `Overt: ${commands.map(([c]) => c).join(', ')}`,
  });
}

/** One page of a person's requests, newest first: which of how many these are, each with Open, and the way to
 * the newer and older pages (buttons, or typed: "my requests 2"), and to the tab, where the whole list is. */
export function myRequestsCard(
  mine: { lines: RequestLine[]; total: number; page: number; size: number },
  tab: TabLink,
): AdaptiveCard {
  const body: CardElement[] = [heading('Your requests')];
  const pages = Math.max(1, Math.ceil(mine.total / mine.size));
  const first = (mine.page - 1) * mine.size + 1;
  if (!mine.lines.length) body.push(textBlock('You have no requests on record.'));
  else if (pages > 1)
    body.push(
      textBlock(
        `Page ${mine.page} of ${pages}: requests ${first} to ${first + mine.lines.length - 1} of ${mine.total}, newest first.`,
        { wrap: true, isSubtle: true },
      ),
    );
  body.push(
    ...mine.lines.map((l) =>
      container(
        [
          textBlock(`${l.caseRef} · ${label(l.reason)}`, { weight: 'bolder' }),
          textBlock(`${dateTimeGb(l.createdAt, l.timeZone)} · ${statusWords(l.status)}`, {
            size: 'small',
            isSubtle: true,
          }),
          actionSet([act('request.refresh', 'Open', { requestId: l.id })]),
        ],
        { separator: true },
      ),
    ),
  );
  if (pages > 1) {
    body.push(
      textBlock(
        `Or type “my requests” and a page’s number, e.g. “my requests ${mine.page < pages ? mine.page + 1 : 1}”.`,
        {
          wrap: true,
          size: 'small',
          isSubtle: true,
          separator: true,
        },
      ),
      actionSet([
        ...(mine.page > 1 ? [act('requests.mine', 'Newer requests', { page: String(mine.page - 1) })] : []),
        ...(mine.page < pages
          ? [act('requests.mine', 'Older requests', { page: String(mine.page + 1) })]
          : []),
      ]),
    );
    const url = tab('requests');
    if (url) body.push(actionSet([openUrl('Open the Overt tab', url)]));
  }
  return card(body, {
    actions: [act('request.new', 'New request', {})],
    fallbackText: `Your requests: ${mine.total}`,
  });
}

export type WaitingLine = {
  id: string;
  caseRef: string;
  childName: string;
  requesterName: string;
  reason: string;
  status: RequestStatus;
  createdAt: string;
  /** The team's profile's time zone: the time asked is shown on its calendar. */
  timeZone: string;
};

const WAITING_HEADING = 'Waiting for your decision';

/** Whether a card is the list of what waits for the person's decision (`waitingCard`): it says the count itself. */
export const isWaitingCard = (c: AdaptiveCard): boolean =>
  (c.body?.[0] as { text?: string } | undefined)?.text === WAITING_HEADING;

export { WAITING_ORDER };

/** One page of what waits for this person's decision, the longest waiting first, each with a button that opens
 * its approval card; which of how many these are, and the way to the other pages (buttons, or typed: "waiting
 * for me 2") and to the tab — nothing is only in the tab. */
export function waitingCard(lines: WaitingLine[], tab: TabLink, page = 1, size = LIST_SHOWN): AdaptiveCard {
  const body: CardElement[] = [heading(WAITING_HEADING)];
  const p = pageOf(lines, page, size);
  body.push(
    textBlock(
      !lines.length
        ? 'Nothing is waiting for your decision.'
        : lines.length === 1
          ? '1 request waits for your decision.'
          : `${lines.length} requests wait for your decision, ${WAITING_ORDER}.`,
      { wrap: true },
    ),
    ...pageLine(p, 'requests'),
  );
  body.push(
    ...p.these.map((l) =>
      container(
        [
          textBlock(`${l.childName ? `${l.childName} (${l.caseRef})` : l.caseRef} · ${label(l.reason)}`, {
            weight: 'bolder',
            wrap: true,
          }),
          textBlock(
            `Asked by ${l.requesterName}, ${dateTimeGb(l.createdAt, l.timeZone)} · ${statusWords(l.status)}`,
            { size: 'small', isSubtle: true, wrap: true },
          ),
          actionSet([act('request.refresh', 'Open', { requestId: l.id })]),
        ],
        { separator: true },
      ),
    ),
    ...pageNav(p, { typed: 'waiting for me', verb: 'requests.waiting', tab, view: 'decisions' }),
  );
  return card(body, { fallbackText: `Waiting for your decision: ${lines.length}` });
}

/** The most checks, and requests, a child's summary shows; the rest are in the child's record in the tab. */
export const SUMMARY_SHOWN = 5;

export function childSummaryCard(c: ChildSummary, tab: TabLink = () => undefined): AdaptiveCard {
  // Each list capped like the list cards (list.ts): the newest, how many more, and the child's record in the tab.
  const list = (rows: [string, string][], total: number, what: (n: number) => string): CardElement[] =>
    rows.length
      ? capped(
          rows.map(([t, v]) => factSet([fact(t, v)], { spacing: 'none' })),
          total,
          { view: 'child', arg: c.childId, tab, what, shown: SUMMARY_SHOWN },
        )
      : [textBlock('None on record.', { isSubtle: true })];
  const body: CardElement[] = [
    heading(`${c.name} (${c.caseRef})`),
    factSet([
      fact('Team', c.team),
      fact('Consent / notice', c.consent),
      fact('Objection', c.objection ?? 'none open'),
    ]),
    textBlock('Checks', { weight: 'bolder' }),
    ...list(
      c.checks.map((x) => [dateTimeGb(x.at, c.timeZone), x.by]),
      c.checksTotal,
      (n) => (n === 1 ? '1 more check' : `${n} more checks`),
    ),
    textBlock('Requests', { weight: 'bolder' }),
    ...list(
      c.requests.map((x) => [dateTimeGb(x.at, c.timeZone), `${statusWords(x.status)} (${x.by})`]),
      c.requestsTotal,
      (n) => (n === 1 ? '1 more request' : `${n} more requests`),
    ),
  ];
  return card(body, {
    actions: [
      act('request.new', 'New request', { childId: c.childId }),
      act('consent.open', 'Record consent', { childId: c.childId }),
      act('objection.open', 'Record an objection', { childId: c.childId }),
    ],
    fallbackText: `Summary for case ${c.caseRef}`,
  });
}

export function consentCard(i: {
  formId: string;
  childId: string;
  caseRef: string;
  today: string;
  problem?: string;
  state?: FormState;
}): AdaptiveCard {
  const body: CardElement[] = [heading(`Record consent or notice: case ${i.caseRef}`)];
  if (i.problem && !i.state)
    body.push(container([textBlock(i.problem, { color: 'attention' })], { style: 'attention' }));
  body.push(
    inputText('givenBy', 'Given by (the child, a parent or carer)', {
      isRequired: true,
      errorMessage: 'Say who gave it',
    }),
    inputDate('date', 'Date', {
      isRequired: true,
      errorMessage: 'Pick the date',
      value: i.today,
      max: i.today,
    }),
    inputText('platforms', 'Platforms it covers (comma-separated; empty for all)'),
    actionSet([
      act(
        'consent.record',
        'Record consent',
        { formId: i.formId, childId: i.childId },
        { style: 'positive' },
      ),
    ]),
  );
  return formCard(body, i, `Record consent for case ${i.caseRef}`);
}

export function objectionCard(i: {
  formId: string;
  childId: string;
  caseRef: string;
  today: string;
  problem?: string;
  state?: FormState;
}): AdaptiveCard {
  const body: CardElement[] = [
    heading(`Record an objection: case ${i.caseRef}`),
    textBlock('While an objection is open no check may proceed. Information governance is told at once.', {
      size: 'small',
    }),
  ];
  if (i.problem && !i.state)
    body.push(container([textBlock(i.problem, { color: 'attention' })], { style: 'attention' }));
  body.push(
    inputText('raisedBy', 'Raised by (the child, a parent or carer)', {
      isRequired: true,
      errorMessage: 'Say who objected',
    }),
    inputDate('raisedAt', 'Date raised', {
      isRequired: true,
      errorMessage: 'Pick the date',
      value: i.today,
      max: i.today,
    }),
    inputText('detail', 'What was said', { isMultiline: true }),
    actionSet([
      act(
        'objection.raise',
        'Record the objection',
        { formId: i.formId, childId: i.childId },
        { style: 'destructive' },
      ),
    ]),
  );
  return formCard(body, i, `Record an objection for case ${i.caseRef}`);
}

/** A timer's notice, or a message to someone who should know (the requester, information governance). */
export function noticeCard(title: string, text: string, requestId?: string): AdaptiveCard {
  return card([heading(title), textBlock(text)], {
    actions: requestId ? [act('request.refresh', 'Open the request', { requestId })] : [],
    fallbackText: `${title}: ${text}`,
  });
}

/** Posted where others can read it instead of a notice about a child: says only that there is one. */
export function neutralNoticeCard(name: string): AdaptiveCard {
  return card(
    [
      heading(`Overt has a notice for ${name}`),
      textBlock(
        'It is about a child’s record, so it is not shown here: open your personal chat with Overt, or the Overt tab.',
        {
          isSubtle: true,
          size: 'small',
        },
      ),
    ],
    { fallbackText: `Overt has a notice for ${name}` },
  );
}

/**
 * What a shared conversation (a channel, a group chat) is told when someone there asks for something about a
 * child: nothing of it — the answer went to their personal chat with Overt.
 */
export function sentPrivatelyCard(): AdaptiveCard {
  return card(
    [
      heading('Sent to your personal chat with Overt'),
      textBlock(
        'It is about a child’s record, so it is not shown here where others can read it. Carry on in your personal chat with Overt, or in the Overt tab.',
        { isSubtle: true, size: 'small' },
      ),
    ],
    { fallbackText: 'Sent to your personal chat with Overt' },
  );
}

/** A notice kept while the person could not be reached (conversations.ts `Held`). */
export type Missed = { title: string; text: string; requestId?: string; at: string };

/**
 * What a person is shown when they come back to their personal chat (Overt added again, or they speak to it):
 * the notices that could not reach them while they were away, and how many requests wait for their decision,
 * with a way to open each. Undefined when there is nothing.
 */
/** `timeZone`: the person's team's (IANA), in which each notice's time is said. */
export function onReturnCard(missed: Missed[], waiting: number, timeZone?: string): AdaptiveCard | undefined {
  if (!missed.length && !waiting) return undefined;
  const body: CardElement[] = [];
  const actions: ReturnType<typeof act>[] = [];
  if (missed.length) {
    body.push(heading('While you were away'));
    body.push(
      textBlock(
        `Overt could not reach you, so ${missed.length === 1 ? 'this notice was' : `these ${missed.length} notices were`} kept for you:`,
        { isSubtle: true, size: 'small' },
      ),
    );
    for (const m of missed) {
      body.push(textBlock(`${m.title} (${dateTimeGb(m.at, timeZone)})`, { weight: 'bolder' }));
      body.push(textBlock(m.text));
    }
    const requests = [...new Set(missed.flatMap((m) => (m.requestId ? [m.requestId] : [])))];
    for (const [i, requestId] of requests.slice(0, 3).entries())
      actions.push(
        act('request.refresh', requests.length > 1 ? `Open request ${i + 1}` : 'Open the request', {
          requestId,
        }),
      );
  }
  if (waiting) {
    body.push(
      heading(
        waiting === 1 ? '1 request waits for your decision' : `${waiting} requests wait for your decision`,
      ),
    );
    actions.unshift(act('requests.waiting', 'Open what waits for me', {}));
  }
  const fallbackText = missed.length
    ? `While you were away: ${missed.map((m) => m.title).join('; ')}`
    : `${waiting} requests wait for your decision`;
  return card(body, { actions, fallbackText });
}

/** An answer with what the person is shown on coming back (`onReturnCard`) under it, in one card: one reply
 * to one message. The answer's own actions come first. */
export function withKept(answer: AdaptiveCard, kept: AdaptiveCard): AdaptiveCard {
  const actions = [...(answer.actions ?? []), ...(kept.actions ?? [])];
  return card([...answer.body, container(kept.body, { separator: true, spacing: 'large' })], {
    ...(actions.length ? { actions } : {}),
    ...(answer.refresh ? { refresh: answer.refresh } : {}),
    fallbackText: [answer.fallbackText, kept.fallbackText].filter(Boolean).join(' — '),
  });
}

/** What a shared conversation is told when the answer could not be sent to the person's personal chat:
 * plainly, with nothing about the child. */
export function notSentPrivatelyCard(): AdaptiveCard {
  return card(
    [
      heading('Overt could not open your personal chat'),
      textBlock(
        'The answer is about a child’s record, so it is not shown here where others can read it, and Overt could not send it to your personal chat. Add Overt in Teams (Apps, then Overt) or open the Overt tab, then ask again there.',
        { isSubtle: true, size: 'small' },
      ),
    ],
    { fallbackText: 'Overt could not open your personal chat' },
  );
}
