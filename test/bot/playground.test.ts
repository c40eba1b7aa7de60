/**
 * End to end through the Microsoft 365 Agents Playground: the bot in-process on a free port with a temp data
 * folder; the Playground started once, driven through its HTTP API and websocket. What the Playground cannot
 * do (PLAYGROUND.md): it never runs a Universal Actions refresh by itself, so the tests send the refresh
 * invoke ("Open") as a client would; it sends messages only as its current user, so the team manager's and
 * IG's first contact with the bot is a custom activity in the group chat. The journeys of issue 13 (a decline
 * without a reason, a refused record corrected, the RIPA route) run here and over HTTP from one definition, in
 * journeys.test.ts.
 */
import { validateCard } from '../../src/bot/cards/validate';
import { botOf } from '../../src/bot/surface';
import { actionData, textOf } from './client';
import {
  BOT_ID,
  GROUP,
  PERSONAL,
  TENANT,
  startPlayground,
  type Frame,
  type Json,
  type Playground,
} from './playground';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

/** Now, to the minute, on the team's calendar (Europe/London): a viewing no earlier than its approval. */
const nowTime = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );

let w: BotWorld;
let pg: Playground;
const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';

beforeAll(async () => {
  w = await botWorld();
  pg = await startPlayground(w.url);
  // The team manager and IG meet the bot in the group chat (the Playground has one personal chat, the current user's).
  for (const id of [TM, 'demo-ig'])
    await pg.custom({
      type: 'message',
      id: `hello-${id}`,
      text: 'help',
      channelId: 'msteams',
      serviceUrl: `${pg.base}/_connector`,
      from: { id, aadObjectId: id, name: id },
      recipient: { id: BOT_ID, name: 'Overt' },
      conversation: { id: GROUP, conversationType: 'groupChat', isGroup: true, tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
    });
  await pg.waitFrame((f) => f.actionConversationId === GROUP && /What Overt can do/.test(textOf(f.message)));
}, 150_000);

afterAll(async () => {
  await pg?.stop();
  await w?.close();
  await cleanupBotWorlds();
});

const cardOf = (f: Frame): Json => f.message.attachments?.[0]?.content;
const settle = () => botOf(w.running.deps)!.outbox.settled();

async function form(): Promise<Frame> {
  const seen = pg.frames.length;
  await pg.message(PERSONAL, CM, 'new request');
  return pg.waitFrame(
    (f) =>
      pg.frames.indexOf(f) >= seen &&
      f.actionConversationId === PERSONAL &&
      /Request to view a child/.test(textOf(cardOf(f))),
  );
}

async function send(caseRef: string, reason = 'risk-of-cse') {
  const f = await form();
  const data = {
    formId: `pg-${caseRef}-${Date.now()}`,
    childId: await w.childId(caseRef),
    reason,
    platforms: 'instagram: @demo_north',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk.',
  };
  const preview = await pg.invoke(PERSONAL, CM, f.message.messageId, 'request.preview', data);
  const sent = await pg.invoke(PERSONAL, CM, f.message.messageId, 'request.send', data);
  return { preview: preview.value, sent: sent.value, data, formFrame: f };
}

describe('through the Agents Playground', () => {
  it('a case manager raises a request, the team manager approves from the card, every copy updates, the requester is told and records the check', async () => {
    const { preview, sent } = await send('DEMO-0001');
    expect(validateCard(preview)).toEqual({ ok: true });
    expect(textOf(preview)).toMatch(
      /The policy allows this request[\s\S]*Nottinghamshire YJS policy, section 11/,
    );
    expect(textOf(preview)).not.toMatch(/§/);
    expect(textOf(sent)).toMatch(
      /Request saved. Overt is sending it to the team manager, Arlo Ashdown \(demo\), to decide/,
    );
    const requestId = actionData(sent, 'request.withdraw')!['requestId'] as string;

    // The approval card reaches the group chat (the team manager's only chat with the bot here): where others
    // can read it, nothing about the child, not even the case reference.
    const base = await pg.waitFrame(
      (f) =>
        f.action === 'createMessage' &&
        f.actionConversationId === GROUP &&
        actionData(cardOf(f), 'request.refresh')?.['requestId'] === requestId,
    );
    const baseCard = cardOf(base);
    expect(validateCard(baseCard)).toEqual({ ok: true });
    expect(textOf(baseCard)).toMatch(/A request in Overt/);
    expect(JSON.stringify(baseCard)).not.toMatch(/DEMO-0001|A\.B\.|instagram|risk/i);
    expect(baseCard.refresh.userIds).toEqual(expect.arrayContaining([TM, CM]));

    // The team manager's own view (the refresh Teams would run), then Approve.
    const view = (await pg.invoke(GROUP, TM, base.message.messageId, 'request.refresh', { requestId })).value;
    expect(textOf(view)).toMatch(/A\.B\. \(demo\)/);
    const approve = {
      ...actionData(view, 'request.approve')!,
      reasons: 'Necessary and proportionate (fictional).',
    };
    const approved = (await pg.invoke(GROUP, TM, base.message.messageId, 'request.approve', approve)).value;
    expect(textOf(approved)).toMatch(/You approved this request/);

    // Every copy updates; the requester is told and gets the record-the-check card.
    const updated = await pg.waitFrame(
      (f) => f.action === 'updateMessage' && f.message.messageId === base.message.messageId,
    );
    expect(textOf(cardOf(updated))).toMatch(/Approved, check not yet recorded/);
    const told = await pg.waitFrame(
      (f) => f.actionConversationId === PERSONAL && /Your request was approved/.test(textOf(cardOf(f))),
    );
    expect(told).toBeTruthy();
    const checkFrame = await pg.waitFrame(
      (f) => f.actionConversationId === PERSONAL && /Record the check:/.test(textOf(cardOf(f))),
    );
    expect(textOf(cardOf(checkFrame))).toMatch(/Before you view/);

    // The same approval pressed again is told it is recorded; a forged or stale invoke gets an error card.
    const second = (await pg.invoke(GROUP, TM, base.message.messageId, 'request.approve', approve)).value;
    expect(textOf(second)).toMatch(/You already approved this request/);
    const forged = (
      await pg.invoke(GROUP, 'demo-tm-south', base.message.messageId, 'request.approve', { requestId })
    ).value;
    expect(textOf(forged)).toMatch(/belongs to another team/);
    const unknown = (await pg.invoke(GROUP, TM, base.message.messageId, 'request.teleport', { requestId }))
      .value;
    expect(textOf(unknown)).toMatch(/Unknown action/);

    // The case manager records the check.
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const recorded = (
      await pg.invoke(PERSONAL, CM, checkFrame.message.messageId, 'check.record', {
        ...actionData(cardOf(checkFrame), 'check.record'),
        viewedDate: today,
        viewedTime: nowTime(),
        accounts: 'account-0',
        relevantInfo: 'Nothing relevant (fictional).',
        thirdPartyData: 'none',
        sensitive: 'false',
        attestNoFriendFollow: 'true',
        attestOpenSourceOnly: 'true',
      })
    ).value;
    expect(textOf(recorded)).toMatch(/Check recorded/);
    await settle();
  });

  it('a second request inside three months goes to the RIPA route, shown with its clause', async () => {
    const { preview } = await send('DEMO-0001');
    expect(textOf(preview)).toMatch(/higher authority/);
    expect(textOf(preview)).toMatch(/Nottinghamshire YJS policy, section 12/);
    expect(textOf(preview)).toMatch(/authorising officer/);
    await settle();
  });

  it('an objection blocks a request, and information governance is told', async () => {
    const seen = pg.frames.length;
    await pg.message(PERSONAL, CM, 'record an objection for DEMO-0002');
    const f = await pg.waitFrame(
      (x) => pg.frames.indexOf(x) >= seen && /Record an objection: case DEMO-0002/.test(textOf(cardOf(x))),
    );
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    const raised = (
      await pg.invoke(PERSONAL, CM, f.message.messageId, 'objection.raise', {
        ...actionData(cardOf(f), 'objection.raise'),
        raisedBy: 'the child',
        raisedAt: today,
        detail: 'Fictional.',
      })
    ).value;
    expect(textOf(raised)).toMatch(/Objection recorded/);
    // IG met the bot only in the group chat: Overt opens a personal chat with them for the notice (the
    // Playground accepts it but shows only its one personal chat), and posts nothing about the child in the group.
    await settle();
    const kept = (await w.running.store.get('conversation', 'demo-ig'))!.record.reference as {
      personal?: { conversation: { id: string; conversationType: string } };
    };
    expect(kept.personal?.conversation.conversationType).toBe('personal');
    expect(
      pg.frames.filter(
        (x) =>
          x.actionConversationId === GROUP && /DEMO-0002|Objection recorded/.test(JSON.stringify(x.message)),
      ),
    ).toEqual([]);
    const { preview, sent } = await send('DEMO-0002');
    expect(textOf(preview)).toMatch(/The policy refuses this request/);
    expect(textOf(preview)).toMatch(/Nottinghamshire YJS policy, section 8/);
    expect(textOf(preview)).not.toMatch(/§/);
    expect(actionData(preview, 'request.send')).toBeUndefined();
    expect(textOf(sent)).toMatch(/refuses/);
    await settle();
  });
});
