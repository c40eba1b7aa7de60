/**
 * issue 20 (newcomer's finding 1): a decision's follow-ups Teams keeps failing for (502 through every attempt)
 * are kept in the notices' cursor like the timers' notices, sent once when Teams takes them again — and when
 * it never does, given up after the last pass with someone named told, on the record.
 */
import { addHours } from 'date-fns';
import { deliverNotices } from '../../src/bot/notices';
import { Outbox, SEND_RETRY } from '../../src/bot/outbox';
import { botOf } from '../../src/bot/surface';
import { GIVE_UP_AFTER } from '../../src/workflow';
import { actionData, activity, decideFromCard, execute, post, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector, type Sent } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
const CM2 = 'demo-cm-north-2';
const chat = (who: string) => `personal-${who}`;
beforeAll(async () => {
  w = await botWorld({ OVERT_NOTICES_EVERY: '3600' });
  connector = await fakeConnector();
  for (const who of [CM, CM2, TM]) {
    const r = await post(
      w.url,
      activity(who, chat(who), {
        type: 'conversationUpdate',
        serviceUrl: connector.serviceUrl,
        membersAdded: [{ id: 'overt-bot' }, { id: who }],
      }),
    );
    expect(r.status).toBeLessThan(300);
  }
  await botOf(w.running.deps)!.outbox.settled();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

const bot = () => botOf(w.running.deps)!;
const in_ = (who: string, text: RegExp, from: number) =>
  connector.sent
    .slice(from)
    .filter((s: Sent) => s.conversationId === chat(who) && text.test(textOf(cardOf(s))));
const checkCards = (from: number) =>
  connector.sent
    .slice(from)
    .filter(
      (s) => s.conversationId === chat(CM) && s.method === 'POST' && actionData(cardOf(s), 'check.record'),
    );
/** The requests each message to this conversation took, from `from` on (by its client activity id). */
const attemptsPerMessage = (who: string, from: number) => {
  const per = new Map<string, number>();
  for (const r of connector.requests.slice(from))
    if (r.conversationId === chat(who) && r.method === 'POST')
      per.set(r.clientId ?? '', (per.get(r.clientId ?? '') ?? 0) + 1);
  return [...per.values()];
};
const cursor = async () =>
  (await w.running.store.get('setting', 'bot.notices.cursor'))?.record.value as {
    later?: { seq: number; to: string[]; tries: number }[];
  };

/** A later pass by the notices' holder, its time come (each two hours on from the one before). An outbox with
 * the bot's attempts per message and no wait between them stands for the same bot, sooner. (It had one attempt,
 * and the connector client's own hidden retries made up the others: 4 requests a pass, now 1 an attempt.) */
let hours = 0;
const later = async () => {
  const quick = new Outbox(bot().adapter, '', () => undefined, {
    retry: { ...SEND_RETRY, baseMs: 1, maxMs: 1 },
  });
  return deliverNotices(
    { ...w.running.deps, clock: () => addHours(new Date(), (hours += 2)) },
    quick,
    'a-later-holder',
    new Date().toISOString(),
  );
};

async function raise(caseRef: string, who = CM): Promise<string> {
  const sent = await execute(w.url, who, 'request.send', {
    formId: `form-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();
  await bot().outbox.settled();
  return requestId;
}

it('an approval whose status card and record-the-check card Teams answers 502 through every attempt: kept, then sent once each', async () => {
  const requestId = await raise('DEMO-0001');
  await bot().deliverNotices();
  connector.block(chat(CM), 502, 'BadGateway');
  const from = connector.sent.length;
  const asked = connector.requests.length;
  const r = await decideFromCard(w.url, TM, 'request.approve', requestId, {
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(textOf(r.json.value)).toMatch(/You approved this request/);
  await bot().outbox.settled();
  await bot().deliverNotices();
  expect(in_(CM, /Your request was approved/, from)).toHaveLength(0);
  // The Outbox's 4 attempts are 4 requests: the connector client does not retry inside each (it did: 16).
  expect(attemptsPerMessage(CM, asked)).toEqual([4]);
  expect((await cursor()).later).toEqual([expect.objectContaining({ to: ['tell'], tries: 1 })]);
  expect(
    w.logs.some((l) =>
      /could not send the status card of request .* to demo-cm-north-1 \(502: .*\) after 4 attempts; kept to be sent later/.test(
        l,
      ),
    ),
  ).toBe(true);

  connector.unblock(chat(CM));
  await later();
  await later();
  expect(
    in_(CM, /Your request was approved/, from).filter((s) => !actionData(cardOf(s), 'check.record')),
  ).toHaveLength(1);
  expect(checkCards(from)).toHaveLength(1);
  expect((await cursor()).later).toBeUndefined();
}, 60_000);

it('Teams never takes them: after the last pass the requester is told whose approval card did not go, and the approver that the requester was not sent the outcome', async () => {
  // The approver's chat fails: the approval card is kept, tried in every pass, then given up.
  connector.block(chat(TM), 502, 'BadGateway');
  const from = connector.sent.length;
  const requestId = await raise('DEMO-0002');
  for (let i = 0; i < GIVE_UP_AFTER; i++) await later();
  expect((await cursor()).later).toBeUndefined();
  const told = in_(CM, /a card did not go/, from);
  expect(told).toHaveLength(1);
  expect(textOf(cardOf(told[0]!))).toMatch(
    /Teams did not accept the approval card for Arlo Ashdown \(demo\)/,
  );
  const audit = await w.running.store.audit.list();
  expect(audit.find((e) => e.action === 'bot.deliver' && e.target.id === requestId)).toMatchObject({
    outcome: 'not-sent',
    details: { notSent: [TM], told: [CM] },
  });

  // Now the requester's chat fails: the approver decides from the request itself, and is told.
  connector.unblock(chat(TM));
  connector.block(chat(CM), 502, 'BadGateway');
  const r = await decideFromCard(w.url, TM, 'request.approve', requestId, {
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(textOf(r.json.value)).toMatch(/You approved this request/);
  await bot().outbox.settled();
  for (let i = 0; i < GIVE_UP_AFTER; i++) await later();
  expect((await cursor()).later).toBeUndefined();
  const toApprover = in_(TM, /Overt could not send Dara Dunmore \(demo\) a message/, from);
  expect(toApprover).toHaveLength(1);
  expect(textOf(cardOf(toApprover[0]!))).toMatch(/Their request is now approved/);
  expect(
    (await w.running.store.audit.list()).find(
      (e) => e.action === 'bot.deliver' && e.outcome === 'not-delivered' && e.target.id === CM,
    ),
  ).toMatchObject({
    details: expect.objectContaining({ about: `requester:${requestId}:approved`, told: [TM] }),
  });
  connector.unblock(chat(CM));
}, 120_000);

it('a status card Teams took but answered 502, through every attempt of a pass: asked for again by the same identity, in that pass and the next — one message shows', async () => {
  const requestId = await raise('DEMO-0003', CM2);
  await later();
  const from = connector.sent.length;
  const repeats = connector.repeats.length;
  const asked = connector.requests.length;
  // Delivered, yet 502 to each of the pass's 4 attempts: the first is taken, the other 3 are the same message.
  connector.takeThenFail(chat(CM2), 4, 502);
  const r = await decideFromCard(w.url, TM, 'request.approve', requestId, {
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(textOf(r.json.value)).toMatch(/You approved this request/);
  await bot().outbox.settled();
  await bot().deliverNotices();
  await later(); // its time come: the same message again, answered with its id now
  await later();
  const status = connector.sent
    .slice(from)
    .filter(
      (s) =>
        s.conversationId === chat(CM2) &&
        /Your request was approved/.test(textOf(cardOf(s))) &&
        !actionData(cardOf(s), 'check.record'),
    );
  expect(status).toHaveLength(1);
  const again = connector.repeats.slice(repeats).filter((s) => s.conversationId === chat(CM2));
  expect(again).toHaveLength(4); // 3 in the first pass, 1 in the later one
  // One request per attempt: 4 in the pass Teams answered 502, 1 in the later pass (not 4 × 4, then more).
  expect(attemptsPerMessage(CM2, asked).sort()).toEqual([1, 5]);
  expect(again.every((s) => s.messageId === status[0]!.messageId)).toBe(true);
  expect(
    connector.sent
      .slice(from)
      .filter((s) => s.conversationId === chat(CM2) && actionData(cardOf(s), 'check.record')),
  ).toHaveLength(1);
  expect((await cursor()).later).toBeUndefined();
}, 60_000);
