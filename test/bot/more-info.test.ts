/**
 * Issue 13: after "more information", the requester's answer box shows what they typed before — the rationale
 * they raised it with, then their last answer when asked again — and an answer refused comes back as typed.
 * The decision is said in words: the card showed "Decision: more-info by …" (a code). Over plain HTTP.
 */
import { actionData, execute, inputsOf, problemOf, textOf } from './client';
import { CM, raise, shownTextOf, TM, type Driver } from './ripa-journey';
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

const ask = async (requestId: string, reasons: string) =>
  d.invoke(TM, 'request.more-info', {
    ...actionData(await d.invoke(TM, 'request.refresh', { requestId }), 'request.more-info'),
    reasons,
  });

it('the answer box keeps what the requester typed before, and the decision is in words', async () => {
  const raised = await raise(d, w, 'DEMO-0001');
  const requestId = actionData(raised, 'request.withdraw')!['requestId'] as string;
  await ask(requestId, 'What is new since last month? (fictional)');

  const opened = await d.invoke(CM, 'request.refresh', { requestId });
  expect(inputsOf(opened)).toEqual({
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(shownTextOf(opened)).toMatch(/Decision\nMore information asked for by Arlo Ashdown \(demo\)/);
  expect(shownTextOf(opened)).not.toMatch(/\bmore-info\b/);

  // An answer with nothing in it comes back with what was typed and the problem by the box.
  const blank = await d.invoke(CM, 'request.answer', {
    ...actionData(opened, 'request.answer'),
    rationale: ' ',
  });
  expect(problemOf(blank, 'rationale')).toBeTruthy();
  const answer = 'Fictional: she posted a picture of a knife last night.';
  const sent = await d.invoke(CM, 'request.answer', {
    ...actionData(opened, 'request.answer'),
    rationale: answer,
  });
  expect(textOf(sent)).toMatch(/Your answer was sent to the approver/);

  // Asked again: the box holds the answer they gave.
  await ask(requestId, 'Who else saw it? (fictional)');
  const again = await d.invoke(CM, 'request.refresh', { requestId });
  expect(inputsOf(again)).toEqual({ rationale: answer });
  expect(shownTextOf(again)).toMatch(
    /More information asked for by Arlo Ashdown \(demo\), .*: Who else saw it\?/,
  );
}, 60_000);
