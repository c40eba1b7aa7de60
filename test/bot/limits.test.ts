/**
 * Teams' limits kept by design (issue 20, found 3), over HTTP against the bot and a fake connector: 61 people
 * who may decide get a working request, card and refresh (refresh.userIds never over 60); every activity
 * the bot sends for the longest inputs allowed stays under Teams' ~28 KB; a burst to one conversation is
 * spaced per Teams' per-conversation limits; and a request stored whose card Teams would not take is never
 * half-told: the requester learns it is kept, where it waits and whom Overt could not reach.
 */
import { botOf } from '../../src/bot/surface';
import { referenceOf } from '../../src/bot/conversations';
import { noticeCard } from '../../src/bot/views/conversation-cards';
import { upsertStaff } from '../../src/workflow';
import { actionData, activity, mriOf, post, textOf } from './client';
import { cardOf, fakeConnector, MAX_ACTIVITY_BYTES, type FakeConnector, type Sent } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

/** Now, to the minute, on the team's calendar (Europe/London): a viewing no earlier than its approval. */
const nowTime = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1';
const CM_SOUTH = 'demo-cm-south-1';
const TM_SOUTH = 'demo-tm-south';
/** The north team's 61 managers: Arlo Ashdown and 60 more, each of whom may decide. */
const MORE = Array.from({ length: 60 }, (_, i) => `demo-tm-north-x${String(i + 1).padStart(2, '0')}`);
const DECIDERS = ['demo-tm-north', ...MORE];
const chat = (who: string) => `personal-${who}`;
const settled = () => botOf(w.running.deps)!.outbox.settled();

const inChat = (who: string, conversationId: string, extra: Record<string, unknown>) =>
  activity(who, conversationId, { serviceUrl: connector.serviceUrl, ...extra });
const install = async (who: string) =>
  expect(
    (
      await post(
        w.url,
        inChat(who, chat(who), {
          type: 'conversationUpdate',
          membersAdded: [{ id: 'overt-bot' }, { id: who }],
        }),
      )
    ).status,
  ).toBeLessThan(300);
const invoke = (who: string, verb: string, data: Record<string, unknown>, trigger = 'manual') =>
  post(
    w.url,
    inChat(who, chat(who), {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data }, trigger },
    }),
  );

beforeAll(async () => {
  w = await botWorld();
  connector = await fakeConnector();
  let k = 0;
  for (const id of MORE) {
    const r = await upsertStaff(w.running.deps, {
      key: `limits-staff-${++k}`,
      actorId: 'demo-admin',
      staff: { id, name: `Manager ${id.slice(-2)} (demo)`, role: 'team-manager', teamIds: ['north'] },
    });
    expect(r.ok).toBe(true);
  }
  for (const who of [CM, CM_SOUTH, TM_SOUTH, 'demo-sm', ...DECIDERS]) await install(who);
  await settled();
}, 120_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

async function raise(caseRef: string, who: string, extra: Record<string, unknown> = {}) {
  const r = await invoke(who, 'request.send', {
    formId: `form-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_limits',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
    ...extra,
  });
  expect(r.status).toBe(200);
  expect(textOf(r.json.value)).not.toMatch(/could not finish/);
  expect(textOf(r.json.value)).toMatch(/Request saved/);
  return actionData(r.json.value, 'request.withdraw')!['requestId'] as string;
}

const cardsFor = (requestId: string, from: number) =>
  connector.sent
    .slice(from)
    .filter(
      (s) =>
        actionData(cardOf(s), 'request.refresh')?.['requestId'] === requestId ||
        JSON.stringify(s.activity).includes(requestId),
    );

describe('61 people who may decide', () => {
  it('a request is raised, the approval card reaches all 61, and an automatic refresh by any of them works; refresh.userIds ≤ 60 in every card', async () => {
    const from = connector.sent.length;
    const requestId = await raise('DEMO-0001', CM);
    await settled();
    const sent = cardsFor(requestId, from);
    for (const who of DECIDERS)
      expect(sent.filter((s) => s.conversationId === chat(who) && s.method === 'POST')).toHaveLength(1);
    for (const s of connector.sent.slice(from)) {
      const ids = cardOf(s)?.refresh?.userIds as string[] | undefined;
      if (ids) expect(ids.length).toBeLessThanOrEqual(60);
    }
    // Teams refreshes the card for those listed: one listed and the 61st (opening it by hand) both get their view.
    const listed = cardOf(sent.find((s) => s.conversationId === chat(DECIDERS[0]!))!).refresh
      .userIds as string[];
    // Teams' user ids (MRIs, "29:…"), the chat's own recipient first, then the requester, then the first who
    // may decide: never a staff id or an Entra object id, which Teams would not match to anyone.
    expect(listed).toEqual([DECIDERS[0]!, CM, ...DECIDERS.slice(1, 59)].map(mriOf));
    // Each chat's card lists its own recipient, within 60: the 59th, 60th and 61st too (issue 20 walk: one
    // list for every chat left the last ones off their own card).
    for (const who of DECIDERS) {
      const ids = cardOf(sent.find((s) => s.conversationId === chat(who))!).refresh.userIds as string[];
      expect(ids.slice(0, 2)).toEqual([mriOf(who), mriOf(CM)]);
      expect(ids.length).toBe(60);
    }
    for (const who of [DECIDERS[0]!, DECIDERS[60]!]) {
      const r = await invoke(
        who,
        'request.refresh',
        { requestId },
        who === DECIDERS[0] ? 'automatic' : 'manual',
      );
      expect(r.status).toBe(200);
      expect(textOf(r.json.value)).not.toMatch(/could not finish/);
      expect(actionData(r.json.value, 'request.approve')).toMatchObject({ requestId });
      expect(r.json.value.refresh.userIds.length).toBeLessThanOrEqual(60);
    }
    const automatic = await invoke(DECIDERS[59]!, 'request.refresh', { requestId }, 'automatic');
    expect(actionData(automatic.json.value, 'request.approve')).toMatchObject({ requestId });
    // The 61st decides; every copy is updated, each under the limit.
    const before = connector.sent.length;
    const sixtyFirst = await invoke(DECIDERS[60]!, 'request.refresh', { requestId });
    const decided = await invoke(DECIDERS[60]!, 'request.approve', {
      ...actionData(sixtyFirst.json.value, 'request.approve'),
      reasons: 'Fictional: agreed.',
    });
    expect(textOf(decided.json.value)).toMatch(/You approved this request/);
    await settled();
    const updates = connector.sent.slice(before).filter((s) => s.method === 'PUT');
    expect(updates.length).toBeGreaterThanOrEqual(61);
    for (const s of connector.sent.slice(before))
      expect((cardOf(s)?.refresh?.userIds ?? []).length).toBeLessThanOrEqual(60);
    // Each updated copy still lists the person of its chat first.
    for (const who of DECIDERS) {
      const update = updates.find((s) => s.conversationId === chat(who))!;
      expect((cardOf(update).refresh.userIds as string[])[0]).toBe(mriOf(who));
    }
  }, 120_000);
});

describe('message size', () => {
  it('raise, approve and record with every text at its longest: every activity the connector receives is under 28 KB', async () => {
    // Markdown and multi-byte characters grow when escaped and encoded: the worst case for the budget.
    const long = (seed: string) =>
      Array.from(seed.repeat(Math.ceil(4_000 / seed.length)))
        .slice(0, 3_990)
        .join('');
    const rationale = long('[Open the case file](https://phishing.invalid/x) *é€😀_ \\ "<b>" ');
    const platforms = Array.from(
      { length: 10 },
      (_, i) => `instagram: @demo_${String(i)}_${'y'.repeat(80)}`,
    ).join('\n');
    const from = connector.sent.length;
    const requestId = await raise('DEMO-0002', CM, { rationale, platforms });
    await settled();
    const view = await invoke(DECIDERS[1]!, 'request.refresh', { requestId });
    const decided = await invoke(DECIDERS[1]!, 'request.approve', {
      ...actionData(view.json.value, 'request.approve'),
      reasons: long('Reasons — *ok* [x](y) ✓ '),
    });
    expect(textOf(decided.json.value)).toMatch(/You approved this request/);
    await settled();
    const check = await invoke(CM, 'check.record', {
      ...actionData((await invoke(CM, 'check.open', { requestId })).json.value, 'check.record'),
      viewedDate: new Date().toISOString().slice(0, 10),
      viewedTime: nowTime(),
      accounts: platforms
        .split('\n')
        .map((_, n) => `account-${n}`)
        .join(','),
      relevantInfo: long('Seen: «quote» *bold* [link](https://x.invalid) ☃ '),
      thirdPartyData: 'seen-not-kept',
      sensitive: 'true',
      safeguardingFollowUp: long('Follow-up: _under_ `code` 😀 '),
      attestNoFriendFollow: 'true',
      attestOpenSourceOnly: 'true',
    });
    expect(check.status).toBe(200);
    expect(textOf(check.json.value)).not.toMatch(/could not finish|at most|not recorded/);
    expect((await w.running.store.query('check', { where: { requestId } })).length).toBe(1);
    await settled();
    const all = connector.sent.slice(from);
    expect(all.length).toBeGreaterThan(61);
    const largest = Math.max(...all.map((s) => s.bytes));
    expect(largest).toBeLessThan(MAX_ACTIVITY_BYTES);
    // The inline answers (invoke responses) are under the limit too.
    for (const r of [decided, check])
      expect(Buffer.byteLength(JSON.stringify(r.json))).toBeLessThan(MAX_ACTIVITY_BYTES);
    expect(connector.tooLarge).toEqual([]);
  }, 120_000);
});

describe('rate limits', () => {
  it('a burst of 12 notices to one conversation is spaced within 7 a second and 8 in 2 seconds', async () => {
    const outbox = botOf(w.running.deps)!.outbox;
    const ref = (await referenceOf(w.running.deps, CM_SOUTH))!;
    const from = (connector.times.get(ref.conversation.id) ?? []).length;
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        outbox.send(ref, noticeCard(`Notice ${i + 1}`, 'Fictional: a burst.')),
      ),
    );
    const times = connector.times.get(ref.conversation.id)!.slice(from);
    expect(times).toHaveLength(12);
    // Arrival times carry a little network jitter: count inside each window less a 250 ms allowance.
    const most = (ms: number) =>
      Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + ms - 250).length));
    expect(most(1_000)).toBeLessThanOrEqual(7);
    expect(most(2_000)).toBeLessThanOrEqual(8);
  }, 30_000);
});

describe('never half-committed', () => {
  // A 5xx is not a refusal: the card is kept and sent later, and the requester told only when Teams never
  // takes it (test/bot/follow-up-later.test.ts).
  it.each([[413, 'MessageSizeTooBig']] as const)(
    'the approval card refused by Teams (%i): the request is stored and the requester told where it waits and who was not reached',
    async (status, code) => {
      connector.block(chat(TM_SOUTH), status, code);
      const from = connector.sent.length;
      try {
        const requestId = await raise('DEMO-0101', CM_SOUTH);
        await settled();
        expect((await w.running.store.get('request', requestId))?.record.status).toBe('pending');
        const told = await connector.waitFor(
          (s: Sent) => s.conversationId === chat(CM_SOUTH) && /a card did not go/.test(textOf(cardOf(s))),
          20_000,
          from,
        );
        const text = textOf(cardOf(told));
        expect(text).toMatch(/Your request is stored in Overt and waits for a decision by the team manager/);
        expect(text).toMatch(/Bryn Birchwood \(demo\)/);
        expect(text).not.toMatch(/demo-tm-south|could not finish/);
        const e = (await w.running.store.audit.list()).find(
          (x) => x.action === 'bot.deliver' && x.target.id === requestId,
        );
        expect(e).toMatchObject({ outcome: 'not-sent', details: { notSent: [TM_SOUTH], told: [CM_SOUTH] } });
        await invoke(CM_SOUTH, 'request.withdraw', {
          ...actionData(
            (await invoke(CM_SOUTH, 'request.refresh', { requestId })).json.value,
            'request.withdraw',
          ),
        });
      } finally {
        connector.unblock(chat(TM_SOUTH));
        await settled();
      }
    },
    60_000,
  );
});

describe('many who may decide cannot be reached (issue 20, fault 3)', () => {
  it('the requester gets ONE summary card naming how many of the 61 Overt could not reach, not one card each', async () => {
    const blocked = DECIDERS.slice(2);
    for (const who of blocked) connector.block(chat(who), 403, 'ConversationBlockedByUser');
    const from = connector.sent.length;
    await raise('DEMO-0003', CM);
    await settled();
    const toRequester = connector.sent
      .slice(from)
      .filter(
        (s) => s.conversationId === chat(CM) && /Overt (could not|cannot) reach/.test(textOf(cardOf(s))),
      );
    expect(toRequester).toHaveLength(1);
    expect(textOf(cardOf(toRequester[0]!))).toMatch(
      /Overt could not reach 59 of the 61 people who may decide/,
    );
    expect(textOf(cardOf(toRequester[0]!))).toMatch(/and 54 others/);
    // It names the request (its child's case reference), and its fallback text says the heading once.
    const told = cardOf(toRequester[0]!) as { fallbackText: string };
    expect(textOf(told)).toMatch(/case DEMO-0003/);
    expect(told.fallbackText.match(/could not reach 59/g)).toHaveLength(1);
    const events = (await w.running.store.audit.list()).filter(
      (e) => e.action === 'bot.deliver' && e.outcome === 'unreachable',
    );
    expect(new Set(events.map((e) => e.target.id))).toEqual(new Set(blocked));
    for (const e of events) expect((e.details as { told: string[] }).told).toContain(CM);
    for (const who of blocked) connector.unblock(chat(who));
  });
});
