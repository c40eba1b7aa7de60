/**
 * issue 16: the notice to information governance of an objection goes through the notices' lease like every
 * follow-up — the instance that took the objection killed while Teams holds that notice, the other sends it,
 * once. Before, it ran only in the memory of the instance that took the objection: lost with it.
 */
import { botOf } from '../../src/bot/surface';
import { activity, post, textOf } from '../bot/client';
import { cardOf, fakeConnector, type FakeConnector } from '../bot/connector';
import { cleanupBotWorlds } from '../bot/world';
import { twoProcesses, type Processes } from './race';
import { cleanupStores, type StoreName } from './stores';

afterAll(async () => {
  await cleanupStores();
  cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const IG = 'demo-ig';
const LEASE_S = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, f: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(100);
  }
}

describe.each(['sqlite', 'graph'] as StoreName[])('on the %s store, two processes', (store) => {
  let p: Processes;
  let connector: FakeConnector;

  beforeAll(async () => {
    connector = await fakeConnector();
    // The second process holds the notices' lease (a pass every second) until it is killed.
    p = await twoProcesses(store, {
      first: { OVERT_NOTICES_EVERY: '3600', OVERT_NOTICES_LEASE: String(LEASE_S) },
      second: { OVERT_NOTICES_EVERY: '1', OVERT_NOTICES_LEASE: String(LEASE_S) },
    });
    for (const who of [CM, IG]) {
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
    await botOf(p.w.running.deps)!.outbox.settled();
  }, 120_000);
  afterAll(async () => {
    connector?.release();
    await p?.stop();
    await connector?.close();
  });

  it('the instance that took an objection killed while Teams holds its notice: the other tells information governance, once', async () => {
    const deps = p.w.running.deps;
    const pid = p.child.pid!;
    await until('the second process holding the notices’ lease', async () => {
      const l = (await deps.store.get('lease', 'bot-notices'))?.record as
        { holder: string; until: string } | undefined;
      return !!l && l.holder.startsWith(`bot-${pid}-`) && new Date(l.until).getTime() > Date.now();
    });
    const from = connector.sent.length;
    connector.hold(0);
    const raised = await post(
      p.urls[1]!,
      activity(CM, `personal-${CM}`, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        serviceUrl: connector.serviceUrl,
        value: {
          action: {
            type: 'Action.Execute',
            verb: 'objection.raise',
            data: {
              formId: `objection-${store}`,
              childId: await p.w.childId('DEMO-0001'),
              raisedBy: 'the child',
              raisedAt: new Date().toISOString().slice(0, 10),
              detail: 'Fictional.',
            },
          },
          trigger: 'manual',
        },
      }),
    );
    expect(textOf(raised.json?.value)).toMatch(/Objection recorded for DEMO-0001/);
    await until('the objection’s instance sending its notice', () => connector.held.length > 0);
    p.child.kill('SIGKILL');
    expect(connector.sent.length).toBe(from);

    const first = botOf(deps)!;
    const told = () =>
      connector.sent
        .slice(from)
        .filter(
          (s) =>
            s.conversationId === `personal-${IG}` &&
            /Objection recorded: case DEMO-0001/.test(textOf(cardOf(s))),
        );
    await until(
      'information governance told by the other process',
      () => {
        void first.deliverNotices().catch(() => undefined);
        return told().length > 0;
      },
      LEASE_S * 1000 + 20_000,
    );
    await first.deliverNotices();
    await first.outbox.settled();
    await sleep(1500);
    await first.deliverNotices();
    expect(told()).toHaveLength(1);
    expect(textOf(cardOf(told()[0]!))).toMatch(
      /Dara Dunmore \(demo\) recorded an objection raised by the child on/,
    );
  }, 120_000);
});
