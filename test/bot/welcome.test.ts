/**
 * issue 13: the welcome comes once per person, and the first cards lead somewhere. Teams sends both an
 * installationUpdate and a conversationUpdate when Overt is added in a personal chat, often at once: before,
 * each sent the welcome, and a reinstall sent it again. The welcome's "New request" opens the form; a child's
 * summary has a "New request" that opens the form with that child chosen (the Agents Playground has no
 * typeahead to choose one with).
 */
import { holdNotice } from '../../src/bot/conversations';
import { botOf } from '../../src/bot/surface';
import { raiseRequest } from '../../src/workflow';
import { actionData, activity, execute, post, say, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const CM = 'demo-cm-north-1';
let w: BotWorld;
let connector: FakeConnector;

beforeAll(async () => {
  connector = await fakeConnector();
  w = await botWorld();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

const added = (who: string) => [
  activity(who, `personal-${who}`, {
    type: 'installationUpdate',
    action: 'add',
    serviceUrl: connector.serviceUrl,
  }),
  activity(who, `personal-${who}`, {
    type: 'conversationUpdate',
    serviceUrl: connector.serviceUrl,
    membersAdded: [{ id: 'overt-bot' }, { id: who }],
  }),
];
const welcomes = (who: string) =>
  connector.sent.filter(
    (s) => s.conversationId === `personal-${who}` && /What Overt can do/.test(textOf(cardOf(s))),
  );

it('adding Overt (both events at once, then again) welcomes the person once, and its "New request" opens the form', async () => {
  const results = await Promise.all(added(CM).map((a) => post(w.url, a)));
  for (const r of results) expect(r.status).toBeLessThan(300);
  await botOf(w.running.deps)!.outbox.settled();
  expect(welcomes(CM)).toHaveLength(1);
  // Removed and added again later: not welcomed a second time.
  for (const a of added(CM)) expect((await post(w.url, a)).status).toBeLessThan(300);
  await botOf(w.running.deps)!.outbox.settled();
  expect(welcomes(CM)).toHaveLength(1);
  const events = (await w.running.store.audit.list()).filter((e) => e.action === 'bot.welcome');
  expect(events).toEqual([expect.objectContaining({ target: { kind: 'staff', id: CM } })]);

  // The welcome leads to the form.
  const welcome = cardOf(welcomes(CM)[0]!);
  expect(actionData(welcome, 'request.new')).toEqual({});
  const form = (await execute(w.url, CM, 'request.new', {})).json.value;
  expect(textOf(form)).toMatch(/Request to view a child/);
});

it('a child’s summary has "New request", which opens the form with that child chosen', async () => {
  const [summary] = (await say(w.url, CM, 'DEMO-0001')).cards;
  expect(textOf(summary)).toMatch(/A\.B\. \(demo\) \(DEMO-0001\)/);
  const data = actionData(summary, 'request.new');
  expect(data).toEqual({ childId: await w.childId('DEMO-0001') });
  const form = (await execute(w.url, CM, 'request.new', data!)).json.value;
  expect(textOf(form)).toMatch(/Request to view a child/);
  const child = JSON.stringify(form);
  expect(child).toContain(`"value":"${await w.childId('DEMO-0001')}"`);
  expect(textOf(form)).toMatch(/DEMO-0001 · A\.B\. \(demo\)/);
  // Someone who may not see the child gets a blank form, not the child.
  const other = (await execute(w.url, 'demo-cm-south-1', 'request.new', data!)).json.value;
  expect(textOf(other)).toMatch(/Request to view a child/);
  expect(textOf(other)).not.toMatch(/A\.B\.|DEMO-0001/);
});

it('"hi" answers by role: each person gets what their role comes to do, not the case manager’s form', async () => {
  const first = async (who: string, text = 'hi') => (await say(w.url, who, text)).cards[0];
  // A case manager: the request form.
  expect(textOf(await first(CM))).toMatch(/Request to view a child/);
  // A team manager and the service manager: what waits for their decision.
  for (const who of ['demo-tm-north', 'demo-sm']) {
    const card = await first(who, 'Hello!');
    expect(textOf(card)).toMatch(/Waiting for your decision/);
    expect(textOf(card)).not.toMatch(/Request to view a child/);
  }
  // The authorising officer: the RIPA queue (applications waiting, authorisations in force); information
  // governance the central record, which is read from the same queue.
  for (const [who, title] of [
    ['demo-ao', /RIPA: your queue/],
    // Information governance reads the record and does not authorise: never "your queue" (walk 13b, finding 4).
    ['demo-ig', /RIPA: the central record[\s\S]*for an authorising officer/],
  ] as const) {
    const card = await first(who, 'good morning');
    expect(textOf(card)).toMatch(title);
    expect(textOf(card)).toMatch(/Authorisations in force/);
  }
  // An administrator: the list of what Overt can do.
  expect(textOf(await first('demo-admin'))).toMatch(/What Overt can do/);
});

it('adding Overt with requests waiting and a notice kept says each once per install, not once per Teams event (issue 20 walk)', async () => {
  const TM = 'demo-tm-north';
  const raised = await raiseRequest(w.running.deps, {
    key: 'welcome-waiting-raise',
    actorId: CM,
    childId: await w.childId('DEMO-0002'),
    reason: 'risk-of-cse',
    platforms: [{ platform: 'instagram', account: '@welcome' }],
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(raised.ok).toBe(true);
  await holdNotice(w.running.deps, TM, { title: 'Overt cannot reach someone', text: 'Kept (fictional).' });
  const waitingCards = (from: number) =>
    connector.sent
      .slice(from)
      .filter(
        (s) =>
          s.conversationId === `personal-${TM}` &&
          /requests? waits? for your decision/.test(textOf(cardOf(s))),
      );
  const kept = (from: number) =>
    connector.sent
      .slice(from)
      .filter((s) => s.conversationId === `personal-${TM}` && /While you were away/.test(textOf(cardOf(s))));
  // Both of Teams' events at once: before, each sent "1 request waits for your decision".
  let from = connector.sent.length;
  await Promise.all(added(TM).map((a) => post(w.url, a)));
  await botOf(w.running.deps)!.outbox.settled();
  expect(waitingCards(from)).toHaveLength(1);
  expect(kept(from)).toHaveLength(1);
  expect(welcomes(TM)).toHaveLength(1);
  // One after the other, as Teams also sends them: the same, for the south team's manager.
  const TM_SOUTH = 'demo-tm-south';
  expect(
    (
      await raiseRequest(w.running.deps, {
        key: 'welcome-waiting-raise-south',
        actorId: 'demo-cm-south-1',
        childId: await w.childId('DEMO-0101'),
        reason: 'risk-of-cse',
        platforms: [{ platform: 'instagram', account: '@welcome' }],
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk to the child.',
      })
    ).ok,
  ).toBe(true);
  from = connector.sent.length;
  for (const a of added(TM_SOUTH)) expect((await post(w.url, a)).status).toBeLessThan(300);
  await botOf(w.running.deps)!.outbox.settled();
  const toSouth = connector.sent
    .slice(from)
    .filter(
      (s) =>
        s.conversationId === `personal-${TM_SOUTH}` && /waits? for your decision/.test(textOf(cardOf(s))),
    );
  expect(toSouth).toHaveLength(1);
});
