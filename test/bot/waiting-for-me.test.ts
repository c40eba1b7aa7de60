/**
 * Whoever a request was sent to for a decision finds it in "Waiting for me", and in the count that greets them
 * on install (issue 20 walk: 61 authorised officers added with `overt staff add --role authorised-officer`
 * and no team got the application's card, and an empty list). One rule (approversOf) decides both. Over HTTP
 * against the bot endpoint and the fake connector.
 */
import { botOf } from '../../src/bot/surface';
import { upsertStaff } from '../../src/workflow';
import { actionData, activity, execute, post, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
/** An authorised officer in no team: authorised officers act for every team. */
const AO2 = 'demo-ao-noteam';
const chat = (who: string) => `personal-${who}`;
const settled = () => botOf(w.running.deps)!.outbox.settled();
const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
const nowTime = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );

async function install(who: string) {
  const r = await post(
    w.url,
    activity(who, chat(who), {
      serviceUrl: connector.serviceUrl,
      deliveryMode: 'expectReplies',
      type: 'installationUpdate',
      action: 'add',
    }),
  );
  expect(r.status).toBeLessThan(300);
  return ((r.json?.activities ?? []) as { attachments?: { content: unknown }[] }[]).flatMap((a) =>
    (a.attachments ?? []).map((x) => textOf(x.content)),
  );
}

beforeAll(async () => {
  w = await botWorld();
  connector = await fakeConnector();
  const r = await upsertStaff(w.running.deps, {
    key: 'waiting-ao-noteam',
    actorId: 'demo-admin',
    staff: { id: AO2, name: 'Noor Teamless (demo)', role: 'authorised-officer', teamIds: [] },
  });
  expect(r.ok).toBe(true);
  for (const who of [CM, TM, AO2]) await install(who);
  await settled();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

const send = async () =>
  (
    await execute(w.url, CM, 'request.send', {
      formId: `form-waiting-${Math.random()}`,
      childId: await w.childId('DEMO-0001'),
      reason: 'risk-of-cse',
      platforms: 'instagram: @demo_north_1',
      viewer: 'own-personal-account',
      rationale: 'Fictional: new information suggests a risk to the child.',
    })
  ).json.value;

it('an authorised officer in no team who was sent the application finds it waiting, and is greeted with the count', async () => {
  // A first check, approved and recorded; the repeat inside three months goes to the authorised officers.
  const first = actionData(await send(), 'request.withdraw')!['requestId'] as string;
  const opened = await execute(w.url, TM, 'request.refresh', { requestId: first });
  const approved = await execute(w.url, TM, 'request.approve', {
    ...actionData(opened.json.value, 'request.approve'),
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(textOf(approved.json.value)).toMatch(/You approved this request/);
  const form = await execute(w.url, CM, 'check.open', { requestId: first });
  const done = await execute(w.url, CM, 'check.record', {
    ...actionData(form.json.value, 'check.record'),
    viewedDate: today(),
    viewedTime: nowTime(),
    accounts: 'account-0',
    relevantInfo: 'Fictional: nothing of note.',
    thirdPartyData: 'none',
    sensitive: 'false',
    attestNoFriendFollow: 'true',
    attestOpenSourceOnly: 'true',
  });
  expect(textOf(done.json.value)).toMatch(/Check recorded/);
  await settled();
  const from = connector.sent.length;
  const repeat = await send();
  const requestId = actionData(repeat, 'request.withdraw')!['requestId'] as string;
  expect((await w.running.store.get('request', requestId))!.record.authority).toBe('authorised-officer');
  await settled();
  // Sent to them for a decision…
  await connector.waitFor(
    (s) => s.conversationId === chat(AO2) && JSON.stringify(cardOf(s)).includes(requestId),
    8000,
    from,
  );
  // …so it waits for them: in "Waiting for me", and in the count when they add Overt again.
  const waiting = await execute(w.url, AO2, 'requests.waiting', {});
  expect(JSON.stringify(waiting.json.value)).toContain(requestId);
  expect((await install(AO2)).join('\n')).toMatch(/1 request waits for your decision/);
}, 60_000);
