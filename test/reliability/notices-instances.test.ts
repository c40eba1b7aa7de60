/**
 * issue 16, many instances, one truth: notices and card updates, each exactly once, with two server
 * processes on one store (one SQLite folder; one site of the local Graph server) and the fake Teams connector
 * counting every call. A request raised on one instance and approved on the other: the requester is told
 * once, every copy of the approval card is updated once. The timers' consent reminders, delivered by
 * whichever instance holds the notices' lease: that instance killed while Teams holds one of its messages,
 * the other takes over within the lease and sends what was left — each reminder once.
 */
import { subDays } from 'date-fns';
import { botOf } from '../../src/bot/surface';
import { importCaseList, recordConsent, type Outcome } from '../../src/workflow';
import { actionData, activity, post, textOf } from '../bot/client';
import { cardOf, fakeConnector, type FakeConnector, type Sent } from '../bot/connector';
import { cleanupBotWorlds } from '../bot/world';
import { twoProcesses, type Processes } from './race';
import { cleanupStores, type StoreName } from './stores';

afterAll(async () => {
  await cleanupStores();
  cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
const PEOPLE = [CM, 'demo-cm-north-2', TM, 'demo-sm', 'demo-ao', 'demo-ig'];
const LEASE_S = 3;

const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const textOfSent = (s: Sent) => textOf(cardOf(s));

async function until<T>(
  what: string,
  f: () => T | undefined | false | Promise<T | undefined | false>,
  ms = 30_000,
): Promise<T> {
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
    const timers = { OVERT_JOBS_EVERY: '1', OVERT_TIMERS_LEASE: String(LEASE_S) };
    // This process delivers notices only when the test asks (a pass every hour); the second every second,
    // so it holds the notices' lease until it is killed.
    p = await twoProcesses(store, {
      first: {
        ...timers,
        OVERT_NOTICES_EVERY: '3600',
        OVERT_NOTICES_LEASE: String(LEASE_S),
        OVERT_DEMO_AUTH: 'on',
        OVERT_BOT_TENANTS: '', // the demo's tenant, with demo sign-in for the tab
      },
      second: { ...timers, OVERT_NOTICES_EVERY: '1', OVERT_NOTICES_LEASE: String(LEASE_S) },
    });
    for (const who of PEOPLE) {
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

  /** Until the connector has taken nothing new for a second (the notices' holder has sent what it had). */
  const quiet = async () => {
    let seen = -1;
    await until('the connector quiet', async () => {
      const now = connector.sent.length;
      const still = now === seen;
      seen = now;
      await sleep(1000);
      return still;
    });
  };

  /** This process's dashboard, as the service manager sees it in the tab. */
  const dashboard = async () => {
    const port = (p.w.running.servers[1]!.address() as { port: number }).port;
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/dashboard`, {
      headers: { 'x-overt-demo-persona': 'demo-sm' },
    });
    expect(r.status).toBe(200);
    const d = (await r.json()) as {
      periods: { total: { approvals: number } }[];
      open: Record<string, { awaitingRecord: number }>;
    };
    return { approvals: d.periods[0]!.total.approvals, awaitingRecord: d.open['north']?.awaitingRecord ?? 0 };
  };

  it('a request raised on one and approved on the other: the requester is told once, every card copy updated once; the first one’s dashboard shows it at once', async () => {
    const childId = await p.w.childId('DEMO-0001');
    const shown = await dashboard();
    const from = connector.sent.length;
    const raised = await post(
      p.urls[0]!,
      invoke(CM, 'request.send', {
        formId: `form-${store}-once`,
        childId,
        reason: 'risk-of-cse',
        platforms: 'instagram: @demo_north_1',
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk to the child.',
      }),
    );
    expect(raised.status).toBe(200);
    const requestId = actionData(raised.json?.value, 'request.withdraw')?.['requestId'] as string;
    expect(typeof requestId).toBe('string');
    await botOf(p.w.running.deps)!.outbox.settled();
    // The copies of the approval card, one per approver's chat, sent by the instance holding the notices'
    // lease (the second): the raise's follow-up, kept with it.
    await connector.waitFor(
      (s) => s.method === 'POST' && s.conversationId === `personal-${TM}`,
      20_000,
      from,
    );
    await quiet();
    const copies = connector.sent
      .slice(from)
      .filter((s) => s.method === 'POST' && s.conversationId !== `personal-${CM}`);
    expect(copies.map((c) => c.conversationId)).toContain(`personal-${TM}`);

    const before = connector.sent.length;
    // From the team manager's own card of the request: it carries the version it showed.
    const view = (await post(p.urls[0]!, invoke(TM, 'request.refresh', { requestId }))).json?.value;
    const approved = await post(
      p.urls[1]!,
      invoke(TM, 'request.approve', {
        ...actionData(view, 'request.approve'),
        reasons: 'Necessary and proportionate (fictional).',
      }),
    );
    expect(approved.status).toBe(200);
    expect(textOf(approved.json?.value)).toMatch(/You approved this request/);
    // The other instance's decision is on this one's dashboard with its next call: no delay but the call's.
    expect(await dashboard()).toEqual({
      approvals: shown.approvals + 1,
      awaitingRecord: shown.awaitingRecord + 1,
    });
    const told = () =>
      connector.sent
        .slice(before)
        .filter(
          (s) =>
            s.conversationId === `personal-${CM}` &&
            s.method === 'POST' &&
            /Your request was approved/.test(textOfSent(s)),
        );
    const updatesOf = (c: Sent) =>
      connector.sent.slice(before).filter((s) => s.method === 'PUT' && s.messageId === c.messageId);
    await until('the requester told and every copy updated', () =>
      told().length >= 1 && copies.every((c) => updatesOf(c).length >= 1) ? true : undefined,
    );
    // Both instances' after-turn work and notice passes have had time to do anything twice.
    await botOf(p.w.running.deps)!.deliverNotices();
    await botOf(p.w.running.deps)!.outbox.settled();
    await sleep(3000);
    expect(told()).toHaveLength(1);
    expect(copies.map((c) => [c.conversationId, updatesOf(c).length])).toEqual(
      copies.map((c) => [c.conversationId, 1]),
    );
    // The record-the-check card that follows the approval, once too.
    const checkCards = connector.sent
      .slice(before)
      .filter((s) => s.conversationId === `personal-${CM}` && actionData(cardOf(s), 'check.record'));
    expect(checkCards).toHaveLength(1);
  }, 120_000);

  it('consent reminders: the notices’ holder killed while Teams holds its second message, the other sends the rest — each once', async () => {
    const deps = p.w.running.deps;
    let k = 0;
    const key = () => `notices-${store}-${++k}-${Math.random()}`;
    const refs = [1, 2, 3].map((i) => `REMIND-${store}-${i}`);
    connector.hold(1); // the first reminder is taken; the second is held, unanswered
    const from = connector.sent.length;
    must(
      await importCaseList(deps, {
        key: key(),
        actorId: 'demo-admin',
        csv: [
          'case_reference,initials,team,worker,platforms',
          ...refs.map((r, i) => `${r},R.${i}. (demo),north,${CM},instagram:@remind_${i}`),
        ].join('\n'),
      }),
    );
    // Consent given 400 days ago: each child is due a reminder, which the timers (every second) find.
    const longAgo = subDays(new Date(), 400).toISOString().slice(0, 10);
    for (const r of refs)
      must(
        await recordConsent(deps, {
          key: key(),
          actorId: CM,
          childId: await p.w.childId(r),
          givenBy: 'child and parent',
          date: longAgo,
          scope: { platforms: [], purposes: ['000 §3 criteria'] },
        }),
      );
    const reminders = () =>
      connector.sent
        .slice(from)
        .filter((s) => /A consent reminder is due/.test(textOfSent(s)))
        .map((s) => textOfSent(s).match(/REMIND-\w+-\d/)?.[0]);
    await until('the second process sending its second reminder', () => connector.held.length === 1, 60_000);
    expect(reminders()).toHaveLength(1);
    p.child.kill('SIGKILL');
    // This process takes the notices' lease once the killed holder's has run out, and sends the rest.
    const killedAt = Date.now();
    const first = botOf(deps)!;
    await until(
      'every reminder sent',
      () => {
        void first.deliverNotices().catch(() => undefined);
        return reminders().length >= 3;
      },
      30_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(LEASE_S * 1000 + 10_000);
    await first.deliverNotices();
    await first.outbox.settled();
    await sleep(1500);
    await first.deliverNotices();
    expect(reminders().sort()).toEqual([...refs].sort());
    // The takeover is logged, naming the instance whose lease ran out.
    expect(p.w.logs.join('\n')).toMatch(new RegExp(`took over the notices’ lease from bot-${p.child.pid}-`));
  }, 180_000);

  it('a decision whose instance is killed after it commits and before its follow-ups: the other sends them, each once', async () => {
    const deps = p.w.running.deps;
    const first = botOf(deps)!;
    await p.restart(); // killed by the test before; it delivers notices every second again
    const pid = p.child.pid!;
    await until(
      'the second process holding the notices’ lease',
      async () => {
        const l = (await deps.store.get('lease', 'bot-notices'))?.record as
          { holder: string; until: string } | undefined;
        return !!l && l.holder.startsWith(`bot-${pid}-`) && new Date(l.until).getTime() > Date.now();
      },
      30_000,
    );
    const ref = `FOLLOW-${store}`;
    must(
      await importCaseList(deps, {
        key: `follow-${store}-import`,
        actorId: 'demo-admin',
        csv: `case_reference,initials,team,worker,platforms\n${ref},F.U. (demo),north,${CM},instagram:@follow_up`,
      }),
    );
    const childId = await p.w.childId(ref);
    must(
      await recordConsent(deps, {
        key: `follow-${store}-consent`,
        actorId: CM,
        childId,
        givenBy: 'child and parent',
        date: new Date().toISOString().slice(0, 10),
        scope: { platforms: [], purposes: ['000 §3 criteria'] },
      }),
    );
    const from = connector.sent.length;
    const raised = await post(
      p.urls[0]!,
      invoke(CM, 'request.send', {
        formId: `form-${store}-follow`,
        childId,
        reason: 'risk-of-cse',
        platforms: 'instagram: @follow_up',
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk to the child.',
      }),
    );
    expect(raised.status).toBe(200);
    const requestId = actionData(raised.json?.value, 'request.withdraw')?.['requestId'] as string;
    // The approval cards follow the request from the notices' holder (the second process); all of them sent.
    await connector.waitFor(
      (s) => s.method === 'POST' && s.conversationId === `personal-${TM}`,
      20_000,
      from,
    );
    await quiet();
    const copies = connector.sent
      .slice(from)
      .filter((s) => s.method === 'POST' && s.conversationId !== `personal-${CM}`);
    expect(copies.length).toBeGreaterThan(0);

    const before = connector.sent.length;
    const heldBefore = connector.held.length;
    const view = (await post(p.urls[0]!, invoke(TM, 'request.refresh', { requestId }))).json?.value;
    connector.hold(0); // the decision's first follow-up message is held, unanswered, and its sender killed
    const approved = await post(
      p.urls[1]!,
      invoke(TM, 'request.approve', {
        ...actionData(view, 'request.approve'),
        reasons: 'Necessary and proportionate (fictional).',
      }),
    );
    expect(approved.status).toBe(200);
    expect(textOf(approved.json?.value)).toMatch(/You approved this request/);
    await until('the deciding process sending its first follow-up', () => connector.held.length > heldBefore);
    p.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(connector.sent.length).toBe(before); // nothing of the follow-up was taken

    const told = () =>
      connector.sent
        .slice(before)
        .filter(
          (s) =>
            s.conversationId === `personal-${CM}` &&
            s.method === 'POST' &&
            /Your request was approved/.test(textOfSent(s)),
        );
    const updatesOf = (c: Sent) =>
      connector.sent.slice(before).filter((s) => s.method === 'PUT' && s.messageId === c.messageId);
    await until(
      'the requester told and every copy updated by the other process',
      () => {
        void first.deliverNotices().catch(() => undefined);
        return told().length >= 1 && copies.every((c) => updatesOf(c).length >= 1);
      },
      LEASE_S * 1000 + 20_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(LEASE_S * 1000 + 10_000);
    await first.deliverNotices();
    await first.outbox.settled();
    await sleep(1500);
    await first.deliverNotices();
    expect(told()).toHaveLength(1);
    expect(copies.map((c) => [c.conversationId, updatesOf(c).length])).toEqual(
      copies.map((c) => [c.conversationId, 1]),
    );
    const checkCards = connector.sent
      .slice(before)
      .filter((s) => s.conversationId === `personal-${CM}` && actionData(cardOf(s), 'check.record'));
    expect(checkCards).toHaveLength(1);
    expect(p.w.logs.join('\n')).toMatch(new RegExp(`took over the notices’ lease from bot-${pid}-`));
  }, 180_000);
});
