/**
 * Who may act is answered before what they filled in, for every decision verb (issue 12 walk): the requester
 * approving their own request with reasons "ok" was told "Give the reasons in a few words", and that was the
 * audited reason; "nobody decides their own request" must come first. Likewise a colleague recording a check
 * that is not theirs with a form at fault is told it is not theirs, not what is wrong with the form. Over the
 * bot endpoint and the API; each answer is the audited refusal, and nothing is written.
 */
import { decideRequest, importCaseList, raiseRequest, recordConsent } from '../../src/workflow';
import { execute, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
const REFS = ['DEMO-0021', 'DEMO-0022', 'DEMO-0023'];
const CM = 'demo-cm-north-1';
const CM2 = 'demo-cm-north-2';
const TM = 'demo-tm-north';

beforeAll(async () => {
  w = await botWorld({ OVERT_DEMO_AUTH: 'on', OVERT_BOT_TENANTS: '' });
  const deps = w.running.deps;
  const imported = await importCaseList(deps, {
    key: 'first-children',
    actorId: 'demo-admin',
    csv: [
      'case_reference,initials,team,worker,platforms',
      ...REFS.map((r) => `${r},X.Y. (demo),north,${CM},instagram:@x`),
    ].join('\n'),
  });
  expect(imported.ok).toBe(true);
  for (const ref of REFS)
    expect(
      (
        await recordConsent(deps, {
          key: `first-consent-${ref}`,
          actorId: CM,
          childId: await w.childId(ref),
          givenBy: 'child and parent',
          date: new Date().toISOString().slice(0, 10),
          scope: { platforms: [], purposes: ['000 §3 criteria'] },
        })
      ).ok,
    ).toBe(true);
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const raise = async (by: string, ref: string) => {
  const r = await raiseRequest(w.running.deps, {
    key: `first-raise-${by}-${ref}`,
    actorId: by,
    childId: await w.childId(ref),
    reason: 'risk-of-cse',
    platforms: [{ platform: 'instagram', account: '@first' }],
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.request.id;
};
const refusals = async () => (await w.running.store.audit.list()).filter((e) => e.outcome === 'refuse');

it('the requester deciding their own request is told that first, whatever the reasons say (bot and API)', async () => {
  const requestId = await raise(TM, REFS[0]!);
  const version = async () => (await w.running.store.get('request', requestId))!.version;
  const tab = (w.running.servers[1]!.address() as { port: number }).port;
  const cases: [string, string][] = [
    ['approve', 'ok'],
    ['approve', '.'],
    ['decline', 'n/a'],
    ['decline', ''],
    ['more-info', ''],
    ['more-info', 'ok'],
  ];
  const table: Record<string, unknown>[] = [];
  for (const [outcome, reasons] of cases) {
    const before = (await refusals()).length;
    const v = await version();
    const bot = await execute(w.url, TM, `request.${outcome}`, { requestId, version: v, reasons });
    const botText = textOf(bot.json.value);
    const botEvent = (await refusals()).slice(before);
    const api = await fetch(`http://localhost:${tab}/api/v1/requests/${requestId}/decision`, {
      method: 'POST',
      headers: {
        'x-overt-demo-persona': TM,
        'content-type': 'application/json',
        'idempotency-key': `first-${outcome}-${reasons}-key`,
      },
      body: JSON.stringify({ outcome, reasons, expectedVersion: v }),
    });
    const apiBody = (await api.json()) as { detail: string };
    const apiEvent = (await refusals()).slice(before + botEvent.length);
    table.push({
      outcome,
      reasons,
      bot: /nobody decides their own request/i.test(botText) && !/few words|Fill this in/i.test(botText),
      botAudited: botEvent.map((e) => (e.details as { message: string }).message),
      api: api.status,
      apiDetail: apiBody.detail,
      apiAudited: apiEvent.map((e) => (e.details as { message: string }).message),
    });
  }
  expect(table).toEqual(
    cases.map(([outcome, reasons]) => ({
      outcome,
      reasons,
      bot: true,
      botAudited: ['nobody decides their own request'],
      api: 403,
      apiDetail: 'nobody decides their own request',
      apiAudited: ['nobody decides their own request'],
    })),
  );
  const r = (await w.running.store.get('request', requestId))!.record;
  expect(r.status).not.toMatch(/approved|declined|more-info/);
  expect(await w.running.store.query('decision', { where: { requestId } })).toEqual([]);
}, 60_000);

it('a colleague recording a check that is not theirs, with a form at fault, is told it is not theirs', async () => {
  const requestId = await raise(CM, REFS[1]!);
  const approved = await decideRequest(w.running.deps, {
    key: 'first-approve',
    actorId: TM,
    requestId,
    outcome: 'approve',
    reasons: 'Fictional: necessary and proportionate.',
  });
  expect(approved.ok).toBe(true);
  const before = (await refusals()).length;
  const r = await execute(w.url, CM2, 'check.record', {
    requestId,
    formId: 'first-check-form-1',
    viewedDate: new Date().toISOString().slice(0, 10),
    viewedTime: '00:00',
    accounts: 'instagram: @first',
    relevantInfo: '',
    thirdPartyData: 'none',
    // At fault twice over: a rationale of one mark, for data not kept.
    thirdPartyRationale: 'ok',
    sensitive: 'false',
    attestNoFriendFollow: 'true',
    attestOpenSourceOnly: 'true',
  });
  const text = textOf(r.json.value);
  expect(text).toMatch(/Not yours to record/);
  expect(text).not.toMatch(/few words|make sense only when/);
  const events = (await refusals()).slice(before);
  expect(events.map((e) => e.actor.id)).toEqual([CM2]);
  expect((events[0]!.details as { message: string }).message).not.toMatch(/few words|make sense only when/);
  // The same with a form the card's own schema refuses (no date of viewing): the card was "Not yours to
  // record", but the trail kept "viewedDate: pick the date of viewing" as the reason.
  const before2 = (await refusals()).length;
  const r2 = await execute(w.url, CM2, 'check.record', {
    requestId,
    formId: 'first-check-form-2',
    viewedDate: '',
    viewedTime: '',
    accounts: '',
    thirdPartyData: 'none',
    sensitive: 'false',
    attestNoFriendFollow: 'true',
    attestOpenSourceOnly: 'true',
  });
  expect(textOf(r2.json.value)).toMatch(/Not yours to record/);
  const events2 = (await refusals()).slice(before2);
  expect(events2.map((e) => e.actor.id)).toEqual([CM2]);
  expect((events2[0]!.details as { message: string }).message).toMatch(/Not yours to record/);
  expect(await w.running.store.query('check', { where: { requestId } })).toEqual([]);
}, 60_000);

it('a colleague answering a request for more information that is not theirs, with an answer of one word, is told it is not theirs', async () => {
  const requestId = await raise(CM, REFS[2]!);
  const asked = await decideRequest(w.running.deps, {
    key: 'first-more-info',
    actorId: TM,
    requestId,
    outcome: 'more-info',
    reasons: 'Fictional: say why now, please.',
  });
  expect(asked.ok).toBe(true);
  const before = (await refusals()).length;
  const r = await execute(w.url, CM2, 'request.answer', {
    requestId,
    formId: 'first-answer-form-1',
    rationale: 'ok',
  });
  const text = textOf(r.json.value);
  // The card says no more than that the request is not theirs; the trail keeps why, and it is not the form.
  expect(text).toMatch(/Not yours/);
  expect(text).not.toMatch(/few words/);
  const events = (await refusals()).slice(before);
  expect(events.map((e) => [e.actor.id, (e.details as { message: string }).message])).toContainEqual([
    CM2,
    'only the requester answers a request for more information',
  ]);
  expect(JSON.stringify(events)).not.toMatch(/few words/);
  expect((await w.running.store.get('request', requestId))!.record.status).toBe('more-info');
}, 60_000);
