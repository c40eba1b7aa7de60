/**
 * Someone Overt cannot reach, and their return (issue 20, faults 1 and 2), over HTTP against the bot and a
 * fake connector: a requester who blocked the bot (403 ConversationBlockedByUser) or whose chat has gone
 * (404) is not lost. The approver who acted is told by name; the notice is kept and shown when the person is
 * next reachable ("While you were away"), whether they speak to the bot or add it again. An approver who comes
 * back is shown what waits for their decision.
 */
import { addDays } from 'date-fns';
import { botOf } from '../../src/bot/surface';
import { runJobs } from '../../src/workflow';
import { actionData, activity, execute, post, textOf, decideFromCard } from './client';
import { cardOf, fakeConnector, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1'; // Dara Dunmore
const CM2 = 'demo-cm-north-2'; // Eden Elmstead
const TM = 'demo-tm-north'; // Arlo Ashdown
const SM = 'demo-sm'; // Sol Marsh
const chat = (who: string) => `personal-${who}`;
const settled = () => botOf(w.running.deps)!.outbox.settled();

beforeAll(async () => {
  w = await botWorld();
  connector = await fakeConnector();
  // Only the team manager and the case managers have Overt: no service manager can be told.
  for (const who of [CM, CM2, TM]) await installed(who, chat(who), 'conversationUpdate');
  await settled();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

/** Overt added in a personal chat; the cards answered in the turn. */
async function installed(
  who: string,
  conversationId: string,
  how: 'installationUpdate' | 'conversationUpdate',
) {
  const r = await post(
    w.url,
    activity(who, conversationId, {
      serviceUrl: connector.serviceUrl,
      deliveryMode: 'expectReplies',
      ...(how === 'installationUpdate'
        ? { type: 'installationUpdate', action: 'add' }
        : { type: 'conversationUpdate', membersAdded: [{ id: 'overt-bot' }, { id: who }] }),
    }),
  );
  expect(r.status).toBeLessThan(300);
  return repliesOf(r.json);
}
type Replies = { activities?: { attachments?: { content: unknown }[] }[] } | undefined;
const repliesOf = (json: Replies): string[] =>
  (json?.activities ?? []).flatMap((a) => (a.attachments ?? []).map((x) => textOf(x.content)));
async function says(who: string, text: string) {
  const r = await post(
    w.url,
    activity(who, chat(who), {
      serviceUrl: connector.serviceUrl,
      type: 'message',
      text,
      deliveryMode: 'expectReplies',
    }),
  );
  expect(r.status).toBe(200);
  return { texts: repliesOf(r.json), json: r.json };
}
async function raise(who: string, caseRef: string) {
  const r = await execute(w.url, who, 'request.send', {
    formId: `form-away-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_away',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(textOf(r.json.value)).toMatch(/Request saved/);
  await settled();
  return actionData(r.json.value, 'request.withdraw')!['requestId'] as string;
}
const unreachableFor = async (who: string) =>
  (await w.running.store.audit.list()).filter(
    (e) => e.action === 'bot.deliver' && e.outcome === 'unreachable' && e.target.id === who,
  );

describe('a requester Overt cannot reach (fault 1)', () => {
  it('an approval: the approver who acted is told by name; the requester is shown it when they next speak to Overt', async () => {
    const requestId = await raise(CM, 'DEMO-0001');
    connector.block(chat(CM), 403, 'ConversationBlockedByUser');
    const from = connector.sent.length;
    const decided = await decideFromCard(w.url, TM, 'request.approve', requestId, {
      reasons: 'Fictional: agreed.',
    });
    expect(textOf(decided.json.value)).toMatch(/You approved this request/);
    await settled();
    // The approver is told, in their own chat, that the requester could not be reached.
    const notice = await connector.waitFor(
      (s) => s.conversationId === chat(TM) && /Overt cannot reach Dara Dunmore/.test(textOf(cardOf(s))),
      8000,
      from,
    );
    expect(textOf(cardOf(notice))).toMatch(/when they next open Overt/);
    const [e] = await unreachableFor(CM);
    expect(e).toMatchObject({ details: { told: [TM], kept: 'yes' } });
    // Dara comes back (the block lifted) and says hello: the approval she missed comes first.
    connector.unblock(chat(CM));
    const back = await says(CM, 'hi');
    // One reply (issue 20 walk): her hello is answered first — a case manager's is the request form (issue 12
    // walk) — and what she missed is under it, in the same card.
    expect(back.texts).toHaveLength(1);
    const i = back.texts.findIndex((t) => /While you were away/.test(t));
    expect(i).toBe(0);
    expect(back.texts[0]).toMatch(/^Request to view a child’s public social media/);
    expect(back.texts[0]!.indexOf('While you were away')).toBeGreaterThan(0);
    expect(back.texts[i]).toMatch(/Your request for DEMO-0001/);
    expect(back.texts[i]).toMatch(/Your request was approved/);
    expect(actionData(back.json.activities[i].attachments[0].content, 'request.refresh')).toMatchObject({
      requestId,
    });
    // Shown once: not again next time.
    expect((await says(CM, 'hi')).texts.join('\n')).not.toMatch(/While you were away/);
  });

  it('a timer notice ("has expired"): kept, and shown when the requester adds Overt again', async () => {
    const requestId = await raise(CM2, 'DEMO-0002');
    connector.block(chat(CM2), 404, 'ConversationNotFound');
    const later = addDays(new Date(), 30);
    expect((await runJobs({ ...w.running.deps, clock: () => later }, 'test-away')).ran).toBe(true);
    expect((await w.running.store.get('request', requestId))!.record.status).toBe('expired');
    await botOf(w.running.deps)!.deliverNotices();
    await botOf(w.running.deps)!.deliverNotices();
    await settled();
    const events = await unreachableFor(CM2);
    expect(events.some((e) => (e.details as { kept?: string }).kept === 'yes')).toBe(true);
    // No service manager can be reached now either (none has Overt: as after the connector lost every
    // conversation, a 404 for all): it is kept for them, named on the record — never told nobody.
    const expiry = events.find((e) => /^notice:/.test(String((e.details as { about?: string }).about)))!;
    expect(expiry.details).toMatchObject({ told: [], toldOnReturn: expect.arrayContaining([SM]) });
    // Eden adds Overt again (a new personal chat): the welcome, then what she missed.
    const texts = await installed(CM2, `${chat(CM2)}-again`, 'installationUpdate');
    // She was welcomed when she first added Overt; coming back with notices kept, she is welcomed again, and
    // first — the notices alone said nothing of what Overt does (issue 12 walk). Teams' second event of the
    // same install adds nothing.
    expect(texts.length).toBe(2);
    expect(texts[0]).toMatch(/^What Overt can do/);
    expect(await installed(CM2, `${chat(CM2)}-again`, 'conversationUpdate')).toEqual([]);
    const away = texts.find((t) => /While you were away/.test(t));
    expect(away).toMatch(/A request expired/);
    expect(away).toMatch(/has expired/);
    // The service manager adds Overt: they are told, by name, whom Overt could not reach.
    const told = (await installed(SM, chat(SM), 'installationUpdate')).find((t) =>
      /While you were away/.test(t),
    );
    expect(told).toMatch(/Overt cannot reach Eden Elmstead/);
    expect(told).toMatch(/A notice for them could not be delivered/);
  });
});

describe('an approver who comes back (fault 2)', () => {
  it('is shown how many requests wait for their decision, with a way to open them, on install and on hello', async () => {
    await raise(CM, 'DEMO-0003');
    await raise(CM2, 'DEMO-0001');
    // Overt added again: Teams' two events, one answer between them (issue 20 walk: each said the count).
    const added = [
      ...(await installed(TM, chat(TM), 'installationUpdate')),
      ...(await installed(TM, chat(TM), 'conversationUpdate')),
    ];
    for (const texts of [added, (await says(TM, 'hi')).texts]) {
      const waiting = texts.filter((t) => /waits? for your decision/.test(t));
      expect(waiting).toEqual([expect.stringMatching(/2 requests wait for your decision/)]);
    }
    const back = await says(TM, 'hello');
    const card =
      back.json.activities[back.texts.findIndex((t) => /wait for your decision/.test(t))].attachments[0]
        .content;
    // A manager's hello is the list itself: each request opens from it (on install, the count opens the list).
    expect(actionData(card, 'request.refresh')).toBeDefined();
    // A case manager with nothing to decide gets only the help card.
    expect((await says(CM2, 'hi')).texts.join('\n')).not.toMatch(/wait for your decision/);
  });
});
