/**
 * issue 16: a message Teams throttles is sent again with backoff (Retry-After honoured) and arrives once;
 * one Teams refuses (too large, a conversation gone) is not retried, and the log says what it was and to
 * whom. The fake connector throttles on demand and refuses activities over Teams' size limit.
 */
import { addDays } from 'date-fns';
import { botOf } from '../../src/bot/surface';
import { referenceOf } from '../../src/bot/conversations';
import { runJobs } from '../../src/workflow';
import { activity, post, textOf } from './client';
import { cardOf, fakeConnector, MAX_ACTIVITY_BYTES, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1';
const chat = (who: string) => `personal-${who}`;
beforeAll(async () => {
  w = await botWorld();
  connector = await fakeConnector();
  const r = await post(
    w.url,
    activity(CM, chat(CM), {
      type: 'conversationUpdate',
      serviceUrl: connector.serviceUrl,
      membersAdded: [{ id: 'overt-bot' }, { id: CM }],
    }),
  );
  expect(r.status).toBeLessThan(300);
  await botOf(w.running.deps)!.outbox.settled();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

const logged = () => w.logs.map((l) => JSON.parse(l) as { level: string; msg: string });

it('a notice Teams throttles five times is sent again after Retry-After, logged, and arrives once', async () => {
  const from = connector.sent.length;
  const later = addDays(new Date(), 400); // consent reminders due for the case manager's children
  expect((await runJobs({ ...w.running.deps, clock: () => later }, 'test-jobs')).ran).toBe(true);
  connector.throttle(5, 1);
  const began = Date.now();
  await botOf(w.running.deps)!.deliverNotices();
  await botOf(w.running.deps)!.deliverNotices();
  const reminders = () =>
    connector.sent.slice(from).filter((s) => /A consent reminder is due/.test(textOf(cardOf(s))));
  await connector.waitFor((s) => /A consent reminder is due/.test(textOf(cardOf(s))), 15_000, from);
  expect(connector.throttled).toHaveLength(5);
  expect(Date.now() - began).toBeGreaterThanOrEqual(1000); // Retry-After was waited for
  const refs = reminders().map((s) => textOf(cardOf(s)).match(/DEMO-\d+/)?.[0]);
  expect(new Set(refs).size).toBe(refs.length); // each once
  expect(logged()).toContainEqual(
    expect.objectContaining({
      level: 'warn',
      msg: expect.stringMatching(
        new RegExp(
          `sending the notice reminder-due \\(audit event \\d+\\) to ${CM} failed \\(429: .*\\); trying again in \\d+ ms`,
        ),
      ),
    }),
  );
}, 60_000);

it('Teams throttling a card twice: one request an attempt, and one log line for each retry saying the wait Retry-After asked for', async () => {
  const ref = (await referenceOf(w.running.deps, CM))!;
  const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'Fictional.' }] };
  const asked = connector.requests.length;
  const lines = w.logs.length;
  connector.throttle(2, 1);
  const began = Date.now();
  const id = await botOf(w.running.deps)!.outbox.send(ref, card as never, { what: 'a test card', to: CM });
  expect(id).toBeTruthy();
  expect(Date.now() - began).toBeGreaterThanOrEqual(2000);
  // Before, the connector client retried the 429s itself, unlogged: 3 requests and no line.
  expect(connector.requests.slice(asked).map((r) => r.status)).toEqual([429, 429, 200]);
  const retries = w.logs
    .slice(lines)
    .map((l) => (JSON.parse(l) as { msg: string }).msg)
    .filter((m) => m.startsWith('bot: sending a test card'));
  expect(retries).toHaveLength(2);
  for (const m of retries) {
    const wait = Number(
      /^bot: sending a test card to demo-cm-north-1 failed \(429: .*\); trying again in (\d+) ms \(attempt [23] of 4\)$/.exec(
        m,
      )?.[1],
    );
    expect(wait).toBeGreaterThanOrEqual(1000);
  }
}, 30_000);

it('a card over Teams’ size limit is refused with 413, not retried, and logged with what and to whom', async () => {
  const ref = (await referenceOf(w.running.deps, CM))!;
  const big = {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text: 'x'.repeat(MAX_ACTIVITY_BYTES + 100), wrap: true }],
  };
  const id = await botOf(w.running.deps)!.outbox.send(ref, big as never, { what: 'a test card', to: CM });
  expect(id).toBeUndefined();
  expect(connector.tooLarge).toHaveLength(1);
  expect(logged()).toContainEqual(
    expect.objectContaining({ msg: `bot: could not send a test card to ${CM} (413: Message size too big)` }),
  );
});
