/**
 * A person who blocked Overt or removed it, and came back, is reached again (issue 20, walk: they were shown
 * "While you were away", but every later decision said "Overt cannot reach …" without trying, and their MRI was
 * gone from every card's refresh.userIds). Any activity from a person — a message, a card click, the app
 * added again, a conversationUpdate — restores their way in; the MRI Teams gave for them is who they are, not
 * where they can be written to, and is never dropped with a conversation. Over HTTP against the bot endpoint
 * and the fake connector.
 */
import { botOf } from '../../src/bot/surface';
import { activity, actionData, execute, mriOf, post, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector, type Sent } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1'; // Dara Dunmore, who raises
const TM = 'demo-tm-north'; // Arlo Ashdown, who decides
const SM = 'demo-sm';
const chat = (who: string) => `personal-${who}`;
const settled = () => botOf(w.running.deps)!.outbox.settled();

beforeAll(async () => {
  w = await botWorld();
  connector = await fakeConnector();
  for (const who of [CM, TM, SM]) await send(who, chat(who), { type: 'installationUpdate', action: 'add' });
  await settled();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

async function send(who: string, conversationId: string, extra: Record<string, unknown>) {
  const r = await post(
    w.url,
    activity(who, conversationId, {
      serviceUrl: connector.serviceUrl,
      deliveryMode: 'expectReplies',
      ...extra,
    }),
  );
  expect(r.status).toBeLessThan(300);
  return ((r.json?.activities ?? []) as { attachments?: { content: unknown }[] }[]).flatMap((a) =>
    (a.attachments ?? []).map((x) => textOf(x.content)),
  );
}

let n = 0;
async function raise() {
  const r = await execute(w.url, CM, 'request.send', {
    formId: `form-comeback-${++n}-${Math.random()}`,
    childId: await w.childId(`DEMO-000${(n % 3) + 1}`),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_comeback',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(textOf(r.json.value)).toMatch(/Request saved/);
  await settled();
  return actionData(r.json.value, 'request.withdraw')!['requestId'] as string;
}

const cardTo = (who: string, requestId: string) => (s: Sent) =>
  s.conversationId === chat(who) &&
  s.method === 'POST' &&
  JSON.stringify(cardOf(s)).includes(requestId) &&
  !/Overt cannot reach/.test(textOf(cardOf(s)));
const refreshUsers = (s: Sent) =>
  ((cardOf(s) as { refresh?: { userIds?: string[] } }).refresh?.userIds ?? []) as string[];

const comebacks: [string, (who: string) => Promise<unknown>][] = [
  ['writing to the bot', (who) => send(who, chat(who), { type: 'message', text: 'hi' })],
  ['adding the app again', (who) => send(who, chat(who), { type: 'installationUpdate', action: 'add' })],
  [
    'a conversationUpdate adding the bot',
    (who) => send(who, chat(who), { type: 'conversationUpdate', membersAdded: [{ id: 'overt-bot' }] }),
  ],
  [
    'clicking a card',
    (who) =>
      post(
        w.url,
        activity(who, chat(who), {
          serviceUrl: connector.serviceUrl,
          type: 'invoke',
          name: 'adaptiveCard/action',
          value: {
            action: { type: 'Action.Execute', verb: 'requests.waiting', data: {} },
            trigger: 'manual',
          },
        }),
      ),
  ],
];

describe('a person who blocked or removed Overt and came back is reached again', () => {
  it.each(comebacks)('blocked (403), then came back by %s', async (_how, comeBack) => {
    connector.block(chat(TM), 403, 'ConversationBlockedByUser');
    const first = await raise();

    await connector.waitFor(
      (s) => s.conversationId === chat(CM) && /Overt cannot reach Arlo Ashdown/.test(textOf(cardOf(s))),
      8000,
    );
    // They unblock Overt and come back.
    connector.unblock(chat(TM));
    await comeBack(TM);
    await settled();
    const from = connector.sent.length;
    const requestId = await raise();
    const card = await connector.waitFor(cardTo(TM, requestId), 8000, from);
    // Their MRI is back on the card's refresh list, in their own chat and in the requester's.
    expect(refreshUsers(card)).toContain(mriOf(TM));
    const cmCard = connector.sent.slice(from).find(cardTo(CM, requestId));
    if (cmCard) expect(refreshUsers(cmCard)).toContain(mriOf(TM));
    expect(
      connector.sent.slice(from).some((s) => /Overt cannot reach Arlo Ashdown/.test(textOf(cardOf(s)))),
    ).toBe(false);
    for (const id of [first, requestId]) await execute(w.url, CM, 'request.withdraw', { requestId: id });
    await settled();
  });

  it('removed the app, then added it again: reached again', async () => {
    await send(TM, chat(TM), { type: 'installationUpdate', action: 'remove' });
    await raise();
    await send(TM, chat(TM), { type: 'installationUpdate', action: 'add' });
    await settled();
    const from = connector.sent.length;
    const requestId = await raise();
    const card = await connector.waitFor(cardTo(TM, requestId), 8000, from);
    expect(refreshUsers(card)).toContain(mriOf(TM));
  });
});
