/**
 * A team manager who acts on a request after it went on to the authorised officer is told the truth: it went
 * to the authorised officer on that date, and who decides it now — not "Not yours to see" — and is shown
 * nothing of the request they may no longer see. Their attempt is on the record.
 */
import { actionData, execute, textOf, decideFromCard } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';

async function raise(caseRef: string, n: number) {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: `form-esc-${caseRef}-${n}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  return actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
}

it('a team manager approving a request sent on to the authorised officer is told where it went and when', async () => {
  const first = await raise('DEMO-0003', 1);
  const second = await raise('DEMO-0003', 2);
  const approve = (requestId: string, who = TM) =>
    decideFromCard(w.url, who, 'request.approve', requestId, {
      reasons: 'Necessary and proportionate (fictional).',
    });
  expect(textOf((await approve(first)).json.value)).toMatch(/You approved this request/);
  // The second approval meets the first: the policy sends it on to the authorised officer (000 §12).
  expect(textOf((await approve(second)).json.value)).toMatch(/sending it on to them|authorising officer/);
  const request = (await w.running.store.get('request', second))!.record;
  expect(request.status).toBe('escalated');

  const before = (await w.running.store.audit.list()).length;
  const again = textOf((await approve(second)).json.value);
  expect(again).not.toMatch(/Not yours to see/);
  expect(again).toMatch(/authorising officer/);
  expect(again).toMatch(/\d{1,2} [A-Z][a-z]+ \d{4}/); // the date it went on, in words
  expect(again).not.toMatch(/DEMO-0003|E\.F\.|demo_account|Fictional: new information/);
  expect((await w.running.store.count('decision'))[0]!.count).toBe(1);
  const after = await w.running.store.audit.list();
  expect(after.length).toBeGreaterThan(before);
  expect(after.at(-1)!.outcome).toBe('refuse');

  // Opening the old card says the same.
  const open = textOf((await execute(w.url, TM, 'request.refresh', { requestId: second })).json.value);
  expect(open).not.toMatch(/Not yours to see/);
  expect(open).toMatch(/authorising officer/);
  expect(open).not.toMatch(/DEMO-0003|E\.F\.|demo_account|Fictional: new information/);
}, 60_000);
