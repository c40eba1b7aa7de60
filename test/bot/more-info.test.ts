/**
 * Issue 13: after "more information", the requester's answer box is their own: empty the first time (the
 * rationale they raised it with stays shown above it), their last answer when asked again — and an answer
 * refused comes back as typed. The decision is said in words: the card showed "Decision: more-info by …" (a
 * code). The answer never replaces the rationale: it replaced it on the record (request.rationale was
 * overwritten), so the approver's card and the child's history lost why the request was raised; both now
 * show the rationale and, beside it, the answer. Over plain HTTP (the bot's endpoint and the tab's API).
 */
import { actionData, execute, inputsOf, problemOf, textOf } from './client';
import { closeTabs, CM, raise, shownTextOf, tab, TM, type Driver } from './ripa-journey';
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
  await closeTabs();
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

  const rationale = 'Fictional: new information suggests a risk to the child.';
  const opened = await d.invoke(CM, 'request.refresh', { requestId });
  expect(inputsOf(opened)).toEqual({ rationale: '' });
  expect(shownTextOf(opened)).toContain(`Why it is necessary and proportionate: ${rationale}`);
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
  expect(textOf(sent)).toMatch(/Your answer is saved\. Overt is sending it to the approver/);

  // The approver's card: the rationale still, and the answer beside it, on the first screen and in the details.
  const approver = await d.invoke(TM, 'request.refresh', { requestId });
  const shown = shownTextOf(approver);
  expect(shown).toContain(`Why: ${rationale}`);
  expect(shown).toMatch(new RegExp(`Their answer, \\d{1,2} \\w+ \\d{4}, \\d\\d:\\d\\d: ${answer}`));
  expect(shown).toContain(`Why it is necessary and proportionate: ${rationale}`);
  expect(shown).toMatch(/Answer to the request for more information, \d{1,2} \w+ \d{4}/);
  // The requester's card, too.
  expect(shownTextOf(sent)).toContain(`Why it is necessary and proportionate: ${rationale}`);
  expect(shownTextOf(sent)).toContain(answer);

  // The child's history: the request keeps its rationale; the answer is its own entry, by the requester.
  const history = async () => {
    const res = await tab(w, TM, `/api/v1/children/${await w.childId('DEMO-0001')}/history`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { timeline: { title: string; by?: string; facts: [string, string][] }[] })
      .timeline;
  };
  const timeline = await history();
  const request = timeline.find((t) => t.title.startsWith('Check requested'));
  expect(request?.facts).toContainEqual(['Rationale', rationale]);
  expect(timeline.filter((t) => t.title === 'More information given')).toEqual([
    expect.objectContaining({ by: expect.stringMatching(/\(demo\)$/), facts: [['Answer', answer]] }),
  ]);

  // Asked again: the box holds the answer they gave.
  await ask(requestId, 'Who else saw it? (fictional)');
  const again = await d.invoke(CM, 'request.refresh', { requestId });
  expect(inputsOf(again)).toEqual({ rationale: answer });
  expect(shownTextOf(again)).toMatch(
    /More information asked for by Arlo Ashdown \(demo\), .*: Who else saw it\?/,
  );
  const second = 'Fictional: only her cousin, who reported it.';
  await d.invoke(CM, 'request.answer', { ...actionData(again, 'request.answer'), rationale: second });
  const both = (await history()).filter((t) => t.title === 'More information given');
  expect(both.map((t) => t.facts)).toEqual([[['Answer', answer]], [['Answer', second]]]);
  const last = shownTextOf(await d.invoke(TM, 'request.refresh', { requestId }));
  expect(last).toContain(`Why: ${rationale}`);
  expect(last).toMatch(new RegExp(`Their answer, [^\\n]*\\d: ${second}`));
}, 60_000);
