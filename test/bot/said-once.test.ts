/**
 * Issue 13: a card says each thing once. The Nottinghamshire refusal of a repeat for a purpose that is not a
 * crime (000 §12) put the verdict's whole explanation under the reason and again in the verdict below it;
 * every card that shows a problem beside a verdict now points to the verdict instead (views/verdict.ts
 * besideVerdict). Over plain HTTP on a SQLite service: the refusal when checked with the policy and when sent,
 * and the check the policy refuses (each rule's words under its input).
 */
import { actionData, execute, problemOf, textOf } from './client';
import { CM, raise, repeatedSentences, TM, type Driver } from './ripa-journey';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let d: Driver;
beforeAll(async () => {
  w = await botWorld();
  d = {
    invoke: async (who, verb, data) => {
      const r = await execute(w.url, who, verb, data);
      expect(r.status).toBe(200);
      return r.json.value;
    },
    reminded: () => Promise.reject(new Error('not used')),
  };
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const EXPLANATION = /this reason is not one, so there is no route/g;

it('the 000 §12 refusal says its verdict once, checked with the policy and sent, and points to it from the reason', async () => {
  const first = await raise(d, w, 'DEMO-0002');
  const firstId = actionData(first, 'request.withdraw')!['requestId'] as string;
  const approved = await d.invoke(TM, 'request.approve', {
    ...actionData(await d.invoke(TM, 'request.refresh', { requestId: firstId }), 'request.approve'),
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(textOf(approved)).toMatch(/You approved this request/);
  const form = {
    formId: `said-once-${Math.random().toString(36).slice(2)}`,
    childId: await w.childId('DEMO-0002'),
    reason: 'serious-self-harm-risk',
    platforms: 'instagram: @demo_north_2',
    viewer: 'own-personal-account',
    rationale: 'Fictional: the child posted about harming themselves.',
  };
  for (const verb of ['request.preview', 'request.send']) {
    const refused = await d.invoke(CM, verb, form);
    expect(textOf(refused)).toMatch(/The policy refuses this request/);
    expect(textOf(refused).match(EXPLANATION)).toHaveLength(1);
    // Sent, the form marks the reason, pointing to the verdict (before: the explanation again).
    if (verb === 'request.send')
      expect(problemOf(refused, 'reason')).toBe(
        'The policy does not allow this: why, and the clauses it rests on, are below.',
      );
    expect({ verb, repeated: repeatedSentences(refused) }).toEqual({ verb, repeated: [] });
  }
  // Nothing was raised, and the refusal's own words are on the audit trail.
  const last = (await w.running.store.audit.list()).filter((e) => e.action === 'request.raise').at(-1)!;
  expect(last).toMatchObject({ outcome: 'refuse', actor: { id: CM } });
}, 60_000);

it('a check the policy refuses says each rule once, under its input', async () => {
  const raised = await raise(d, w, 'DEMO-0003');
  const requestId = actionData(raised, 'request.withdraw')!['requestId'] as string;
  await d.invoke(TM, 'request.approve', {
    ...actionData(await d.invoke(TM, 'request.refresh', { requestId }), 'request.approve'),
    reasons: 'Necessary and proportionate (fictional).',
  });
  const form = await d.invoke(CM, 'check.open', { requestId });
  const now = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date());
  const refused = await d.invoke(CM, 'check.record', {
    ...actionData(form, 'check.record'),
    viewedDate: new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' }),
    viewedTime: now,
    accounts: 'account-0',
    relevantInfo: 'Fictional: a public post about a party.',
    thirdPartyData: 'kept',
    sensitive: 'false',
    attestNoFriendFollow: 'false',
    attestOpenSourceOnly: 'false',
  });
  expect(textOf(refused)).toMatch(/Nothing was saved yet/);
  expect(repeatedSentences(refused)).toEqual([]);
}, 60_000);
