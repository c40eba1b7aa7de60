/**
 * issue 20 (newcomer's finding 3): the notices' holder killed (SIGKILL) part-way through sending a request's
 * approval card to 63 people who may decide. Each copy is kept as it is sent, so the other process continues
 * where it stopped: every decider gets one card, and a decision updates every copy once.
 */
import { upsertStaff } from '../../src/workflow';
import { actionData, activity, post, textOf } from '../bot/client';
import { fakeConnector, type FakeConnector, type Sent } from '../bot/connector';
import { cleanupBotWorlds } from '../bot/world';
import { twoProcesses, type Processes } from './race';
import { cleanupStores, type StoreName } from './stores';

afterAll(async () => {
  await cleanupStores();
  cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
const MORE = Array.from({ length: 62 }, (_, i) => `demo-tm-north-y${String(i + 1).padStart(2, '0')}`);
const DECIDERS = [TM, ...MORE];
const LEASE_S = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  f: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(100);
  }
}

describe.each(['sqlite', 'graph'] as StoreName[])('on the %s store, two processes', (store) => {
  let p: Processes;
  let connector: FakeConnector;
  const invoke = (from: string, verb: string, data: Record<string, unknown>) =>
    activity(from, `personal-${from}`, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      serviceUrl: connector.serviceUrl,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
    });

  beforeAll(async () => {
    connector = await fakeConnector();
    // The second process holds the notices' lease (a pass every second) until it is killed.
    p = await twoProcesses(store, {
      first: { OVERT_NOTICES_EVERY: '3600', OVERT_NOTICES_LEASE: String(LEASE_S) },
      second: { OVERT_NOTICES_EVERY: '1', OVERT_NOTICES_LEASE: String(LEASE_S) },
    });
    let k = 0;
    for (const id of MORE) {
      const r = await upsertStaff(p.w.running.deps, {
        key: `fan-out-staff-${++k}`,
        actorId: 'demo-admin',
        staff: { id, name: `Manager ${id.slice(-2)} (demo)`, role: 'team-manager', teamIds: ['north'] },
      });
      expect(r.ok).toBe(true);
    }
    for (const who of [CM, ...DECIDERS]) {
      const r = await post(
        p.urls[0]!,
        activity(who, `personal-${who}`, {
          type: 'conversationUpdate',
          serviceUrl: connector.serviceUrl,
          membersAdded: [{ id: 'overt-bot' }, { id: who }],
        }),
      );
      expect(r.status).toBeLessThan(300);
    }
  }, 180_000);
  afterAll(async () => {
    connector?.release();
    await p?.stop();
    await connector?.close();
  });

  it('the holder killed after 12 of 63 approval cards: the other sends the other 51, each decider one card, and a decision updates each copy once', async () => {
    const deps = p.w.running.deps;
    const pid = p.child.pid!;
    await until('the second process holding the notices’ lease', async () => {
      const l = (await deps.store.get('lease', 'bot-notices'))?.record as
        { holder: string; until: string } | undefined;
      return !!l && l.holder.startsWith(`bot-${pid}-`) && new Date(l.until).getTime() > Date.now();
    });
    const from = connector.sent.length;
    const heldBefore = connector.held.length;
    connector.hold(12); // the 13th approval card is held unanswered, and its sender killed
    const raised = await post(
      p.urls[0]!,
      invoke(CM, 'request.send', {
        formId: `form-${store}-fan-out`,
        childId: await p.w.childId('DEMO-0001'),
        reason: 'risk-of-cse',
        platforms: 'instagram: @demo_north_1',
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk to the child.',
      }),
    );
    expect(raised.status).toBe(200);
    const requestId = actionData(raised.json?.value, 'request.withdraw')?.['requestId'] as string;
    await until('the holder sending its 13th card', () => connector.held.length > heldBefore, 60_000);
    p.child.kill('SIGKILL');
    const cards = () =>
      connector.sent.slice(from).filter((s) => s.method === 'POST' && s.conversationId !== `personal-${CM}`);
    expect(cards()).toHaveLength(12);

    const first = (await import('../../src/bot/surface')).botOf(deps)!;
    await until(
      'every decider sent a card by the other process',
      () => {
        void first.deliverNotices().catch(() => undefined);
        return cards().length >= DECIDERS.length;
      },
      60_000,
    );
    await first.deliverNotices();
    await first.outbox.settled();
    const perChat = (list: Sent[]) =>
      Object.fromEntries(
        DECIDERS.map((d) => [d, list.filter((s) => s.conversationId === `personal-${d}`).length]),
      );
    expect(perChat(cards())).toEqual(Object.fromEntries(DECIDERS.map((d) => [d, 1])));

    // Every copy is on record: the decision updates each one once, and posts no second card anywhere.
    const before = connector.sent.length;
    const view = (await post(p.urls[0]!, invoke(TM, 'request.refresh', { requestId }))).json?.value;
    const approved = await post(
      p.urls[0]!,
      invoke(TM, 'request.approve', {
        ...actionData(view, 'request.approve'),
        reasons: 'Necessary and proportionate (fictional).',
      }),
    );
    expect(textOf(approved.json?.value)).toMatch(/You approved this request/);
    const updates = () => connector.sent.slice(before).filter((s) => s.method === 'PUT');
    await until(
      'every copy updated',
      () => {
        void first.deliverNotices().catch(() => undefined);
        return updates().length >= DECIDERS.length;
      },
      60_000,
    );
    await first.deliverNotices();
    await first.outbox.settled();
    expect(
      updates()
        .map((u) => u.messageId)
        .sort(),
    ).toEqual(
      cards()
        .map((c) => c.messageId)
        .sort(),
    );
    expect(
      connector.sent
        .slice(before)
        .filter((s) => s.method === 'POST' && s.conversationId !== `personal-${CM}`),
    ).toHaveLength(0);
  }, 240_000);
});
