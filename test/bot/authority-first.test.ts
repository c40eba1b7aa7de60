/**
 * Who may act is answered before what they filled in, for every decision verb (issue 12 walk): the requester
 * approving their own request with reasons "ok" was told "Give the reasons in a few words", and that was the
 * audited reason; "nobody decides their own request" must come first. Likewise a colleague recording a check
 * that is not theirs with a form at fault is told it is not theirs, not what is wrong with the form. Over the
 * bot endpoint and the API; each answer is the audited refusal, and nothing is written.
 */
import {
  decideRequest,
  importCaseList,
  raiseRequest,
  recordCheck,
  recordConsent,
  refuseRipa,
} from '../../src/workflow';
import { approveThroughBot, checkForm, raiseThroughBot, recordThroughBot } from '../reliability/bot-steps';
import { execute, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
const REFS = ['DEMO-0021', 'DEMO-0022', 'DEMO-0023', 'DEMO-0024', 'DEMO-0025'];
const CM = 'demo-cm-north-1';
const CM2 = 'demo-cm-north-2';
const TM = 'demo-tm-north';
const TM_SOUTH = 'demo-tm-south';
const AO = 'demo-ao';

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
  // With the request's current version, as a card of it would carry (a card with none is stale, whoever
  // presses it: test/bot/card-version-verbs.test.ts), so that only who may act is at issue.
  const version = (await w.running.store.get('request', requestId))!.version;
  const r = await execute(w.url, CM2, 'check.record', {
    requestId,
    version,
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
  // Naming a viewer Overt does not know: told the check is not theirs, not who is staff (was "viewerId: … is
  // not a member of staff known to Overt", and off the trail).
  const before3 = (await refusals()).length;
  const named = await recordCheck(w.running.deps, {
    key: 'first-check-named-viewer',
    actorId: CM2,
    requestId,
    viewerId: 'nobody-known-to-overt',
    viewedAt: new Date().toISOString(),
    accounts: [{ platform: 'instagram', account: '@first' }],
    relevantInfo: 'Nothing of note (fictional).',
    thirdPartyData: 'none',
    sensitive: false,
    attestNoFriendFollow: true,
    attestOpenSourceOnly: true,
  });
  expect(named.ok ? 'recorded' : named.error.message).toBe(
    'requestId: this check is for the person who asked for it to record; nothing was recorded',
  );
  expect((await refusals()).slice(before3).map((e) => e.actor.id)).toEqual([CM2]);
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
    version: (await w.running.store.get('request', requestId))!.version,
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

it('who may act comes before what became of a request and which authority it waits for: a RIPA refusal, a named authority, a decline (bot, API, workflow)', async () => {
  const deps = w.running.deps;
  const store = w.running.store;
  const tab = (w.running.servers[1]!.address() as { port: number }).port;
  const ref = REFS[3]!;
  // A check done for the child; a repeat inside three months then waits for the authorising officer (000 §12).
  const first = await raiseThroughBot(w, ref);
  expect(await approveThroughBot(w, first)).toMatch(/You approved this request/);
  expect(await recordThroughBot(w, CM, checkForm(first, 'first-ripa-check-form'))).toMatch(/Check recorded/);
  const escalated = async () => {
    const id = await raiseThroughBot(w, ref);
    expect((await store.get('request', id))!.record).toMatchObject({
      status: 'escalated',
      authority: 'authorised-officer',
    });
    return id;
  };
  const repeat = await escalated();
  const message = (e: { details: unknown }) => (e.details as { message: string }).message;

  // 1. A team manager of another team, through the workflow (the one caller that names an authority): told
  // the request is another team's — never which authority it waits for, nor that it is not waiting for an
  // authorising officer — and each refusal is on the trail.
  let before = (await refusals()).length;
  const named = await decideRequest(deps, {
    key: 'first-named-authority',
    actorId: TM_SOUTH,
    requestId: repeat,
    outcome: 'decline',
    reasons: 'Declined by the team manager (fictional).',
    authority: 'team-manager',
  });
  const ripaRefused = await refuseRipa(deps, {
    key: 'first-ripa-refused-south',
    actorId: TM_SOUTH,
    requestId: first,
    ground: 'not-necessary',
    reasons: 'Not necessary (fictional).',
  });
  const stranger = [named, ripaRefused].map((r) => (r.ok ? 'done' : r.error.message));
  expect(stranger).toEqual([
    'requestId: this request belongs to another team',
    'requestId: this request belongs to another team',
  ]);
  expect((await refusals()).slice(before).map((e) => [e.actor.id, message(e)])).toEqual([
    [TM_SOUTH, 'requestId: this request belongs to another team'],
    [TM_SOUTH, 'requestId: this request belongs to another team'],
  ]);

  // 2. A colleague of the team who does not decide, declining the request already approved: told they do not
  // decide it, not what became of it (bot).
  before = (await refusals()).length;
  const colleague = await execute(w.url, CM2, 'request.decline', {
    requestId: first,
    version: (await store.get('request', first))!.version,
    reasons: 'Declined by a colleague (fictional).',
  });
  const colleagueText = textOf(colleague.json.value);
  expect(colleagueText).toMatch(/only the team manager can decline this request/i);
  expect(colleagueText).not.toMatch(/already|approved/i);
  expect((await refusals()).slice(before).map((e) => [e.actor.id, message(e)])).toEqual([
    [CM2, expect.stringMatching(/^only the team manager can decline this request$/i)],
  ]);

  // 3. Someone who is not an authorising officer opening an application is told that, not whether it exists.
  const nobody = await execute(w.url, TM, 'ripa.open', { requestId: 'no-such-request' });
  expect(textOf(nobody.json.value)).toMatch(/Only an authorising officer can do this/);

  // 4. The officer refusing the application twice from one card (a double click, or Teams sending it again):
  // the second answer is the first's — never "not waiting for an authorising officer", which the officer's
  // own first refusal made true. Over the bot, then over the API with one Idempotency-Key.
  const refuse = {
    requestId: repeat,
    // The version the application card showed (one card, pressed twice).
    version: (await store.get('request', repeat))!.version,
    formId: 'first-ripa-refuse-form',
    ground: 'not-necessary',
    refuseReasons: 'Fictional: less intrusive means have not been tried.',
  };
  const twice = [
    textOf((await execute(w.url, AO, 'ripa.refuse', refuse)).json.value),
    textOf((await execute(w.url, AO, 'ripa.refuse', refuse)).json.value),
  ];
  expect(twice.map((t) => /Authorisation refused/.test(t) && !/not waiting/.test(t))).toEqual([true, true]);
  expect(await store.query('decision', { where: { requestId: repeat } })).toHaveLength(1);
  const viaApi = await escalated();
  const post = () =>
    fetch(`http://localhost:${tab}/api/v1/requests/${viaApi}/ripa-refusal`, {
      method: 'POST',
      headers: {
        'x-overt-demo-persona': AO,
        'content-type': 'application/json',
        'idempotency-key': 'first-ripa-refusal-api-key',
      },
      body: JSON.stringify({ ground: 'not-necessary', reasons: 'Fictional: not necessary now.' }),
    });
  const answers = [];
  for (const r of [await post(), await post()]) answers.push([r.status, await r.json()]);
  expect(answers).toEqual([
    [200, { status: 'declined' }],
    [200, { status: 'declined' }],
  ]);
  expect(await store.query('decision', { where: { requestId: viaApi } })).toHaveLength(1);

  // 5. The officer, whose standing is established, is still told the request is not waiting for them.
  before = (await refusals()).length;
  const notWaiting = await execute(w.url, AO, 'ripa.refuse', {
    ...refuse,
    requestId: first,
    formId: 'first-ripa-refuse-2',
  });
  expect(textOf(notWaiting.json.value)).toMatch(/not waiting for an authorising officer/);
  expect((await refusals()).slice(before).map((e) => [e.actor.id, message(e)])).toEqual([
    [AO, 'requestId: this request is not waiting for an authorising officer'],
  ]);
  expect((await store.get('request', first))!.record.status).toBe('completed');
}, 120_000);

it('a case manager of the same team gets one answer per action, whatever the reasons, the form or the card version say (issue 20 walk)', async () => {
  // Before: Approve with "ok" was "Not yours to see", with a sentence the policy's refusal, with no version the
  // stale card's answer; Withdraw and the RIPA steps likewise changed with the version.
  const requestId = await raise(CM, REFS[4]!);
  const version = (await w.running.store.get('request', requestId))!.version;
  const verbs = [
    'request.approve',
    'request.decline',
    'request.more-info',
    'request.answer',
    'request.withdraw',
    'check.record',
    'ripa.authorise',
    'ripa.refuse',
  ];
  const bodies = ['ok', '', 'x'.repeat(9000), 'Fictional: a full sentence of reasons for this.'];
  const versions = [version, undefined, 5];
  const seen: Record<string, Set<string>> = {};
  const audited: Record<string, Set<string>> = {};
  for (const verb of verbs)
    for (const text of bodies)
      for (const v of versions) {
        const before = (await refusals()).length;
        const r = await execute(w.url, CM2, verb, {
          requestId,
          version: v,
          formId: `first-same-team-${verb}`,
          reasons: text,
          rationale: text,
          refuseReasons: text,
          necessity: text,
        });
        (seen[verb] ??= new Set()).add(textOf(r.json.value));
        const events = (await refusals()).slice(before);
        expect(events.map((e) => e.actor.id)).toEqual([CM2]);
        (audited[verb] ??= new Set()).add((events[0]!.details as { message: string }).message);
      }
  const one = (m: Record<string, Set<string>>) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, [...v]]));
  expect(one(audited)).toEqual({
    'request.approve': ['only the team manager can approve this request'],
    'request.decline': ['only the team manager can decline this request'],
    'request.more-info': ['only the team manager can question this request'],
    'request.answer': ['only the requester answers a request for more information'],
    'request.withdraw': ['only the requester or their team manager can withdraw a request'],
    'check.record': [
      expect.stringMatching(/^Not yours to record: Only the person who asked records the check/),
    ],
    'ripa.authorise': [expect.stringMatching(/^Only an authorising officer can do this/)],
    'ripa.refuse': [expect.stringMatching(/^Only an authorising officer can do this/)],
  });
  for (const verb of verbs) expect([verb, seen[verb]!.size]).toEqual([verb, 1]);
  expect([...seen['request.approve']!][0]).toMatch(/Only the team manager can approve this request/);
  expect(await w.running.store.query('decision', { where: { requestId } })).toEqual([]);
  expect((await w.running.store.get('request', requestId))!.version).toBe(version);
}, 120_000);
