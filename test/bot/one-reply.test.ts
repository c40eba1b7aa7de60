/**
 * One message, one reply (issue 20 walk, finding 5): a command from an older Overt ("approve 12"), an older
 * card's Submit (a message with a value and no text) or "help" was answered with the help card and then, as a
 * second message, what waits for the person and what was kept for them. Over plain HTTP, answered inline
 * (expectReplies): each is one activity with one card, and what was kept is shown once, in that card.
 */
import { holdNotice } from '../../src/bot/conversations';
import { raiseRequest } from '../../src/workflow';
import { activity, post, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const TM = 'demo-tm-north';
let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
  const raised = await raiseRequest(w.running.deps, {
    key: 'one-reply-raise',
    actorId: 'demo-cm-north-1',
    childId: await w.childId('DEMO-0001'),
    reason: 'risk-of-cse',
    platforms: [{ platform: 'instagram', account: '@one_reply' }],
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(raised.ok).toBe(true);
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

/** A message to the bot, its replies as Teams would show them: activities, each with its cards. */
async function replies(extra: Record<string, unknown>) {
  const r = await post(
    w.url,
    activity(TM, `personal-${TM}`, { type: 'message', deliveryMode: 'expectReplies', ...extra }),
  );
  expect(r.status).toBe(200);
  return ((r.json?.activities ?? []) as { attachments?: { content: unknown }[] }[]).map((a) =>
    (a.attachments ?? []).map((x) => textOf(x.content)),
  );
}

it('a legacy command, an older card’s Submit and "help" each get one reply; what was kept is in the first, once', async () => {
  await holdNotice(w.running.deps, TM, {
    title: 'Overt cannot reach someone',
    text: 'Kept for you (fictional).',
  });
  const legacy = await replies({ text: 'approve 12', textFormat: 'plain' });
  expect(legacy).toHaveLength(1);
  expect(legacy[0]).toHaveLength(1);
  const [answer] = legacy[0]!;
  expect(answer).toMatch(/What Overt can do/);
  expect(answer).toMatch(/1 request waits for your decision/);
  expect(answer!.match(/Kept for you \(fictional\)\./g)).toHaveLength(1);

  const submit = await replies({ value: { action: 'approve', requestId: 'x' } });
  expect(submit.map((a) => a.length)).toEqual([1]);
  expect(submit[0]![0]).not.toMatch(/Kept for you/);

  const help = await replies({ text: 'help', textFormat: 'plain' });
  expect(help.map((a) => a.length)).toEqual([1]);
  expect(help[0]![0]).toMatch(/1 request waits for your decision/);

  // "hi": one card too, the count said once in it.
  const hi = await replies({ text: 'hi', textFormat: 'plain' });
  expect(hi.map((a) => a.length)).toEqual([1]);
  expect(hi[0]![0]!.match(/1 request waits for your decision/g)).toHaveLength(1);
});
