/**
 * issue 16: a notice Teams keeps failing for (504 through every attempt) is not lost: it is logged with what
 * and for whom, kept in the notices' cursor, and sent in a later pass once Teams takes it — once.
 */
import { addDays, addHours } from 'date-fns';
import { botOf } from '../../src/bot/surface';
import { deliverNotices } from '../../src/bot/notices';
import { runJobs } from '../../src/workflow';
import { activity, post, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1';
const chat = `personal-${CM}`;
beforeAll(async () => {
  w = await botWorld({ OVERT_NOTICES_EVERY: '3600' });
  connector = await fakeConnector();
  const r = await post(
    w.url,
    activity(CM, chat, {
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

it('a notice Teams answers 504 through every attempt is kept, logged with what and to whom, and sent once in a later pass', async () => {
  const deps = w.running.deps;
  const bot = botOf(deps)!;
  const from = connector.sent.length;
  const later = addDays(new Date(), 400); // consent reminders due for the case manager's children
  expect((await runJobs({ ...deps, clock: () => later }, 'test-jobs')).ran).toBe(true);
  connector.block(chat, 504, 'GatewayTimeout');
  await bot.deliverNotices();
  const reminders = () =>
    connector.sent.slice(from).filter((s) => /A consent reminder is due/.test(textOf(cardOf(s))));
  expect(reminders()).toHaveLength(0);
  const kept = logged().filter((l) =>
    new RegExp(
      `could not send the notice reminder-due \\(audit event \\d+\\) to ${CM} \\(504: .*\\) after \\d+ attempts; kept to be sent later`,
    ).test(l.msg),
  );
  expect(kept.length).toBeGreaterThan(0);
  const cursor = (await deps.store.get('setting', 'bot.notices.cursor'))?.record.value as {
    later?: { to: string[] }[];
  };
  expect(cursor.later?.length).toBe(kept.length);
  expect(cursor.later?.every((k) => k.to.includes(CM))).toBe(true);
  // Teams takes messages again; a later pass (its time come) sends each kept notice once.
  connector.unblock(chat);
  const sent = await deliverNotices(
    { ...deps, clock: () => addHours(new Date(), 2) },
    bot.outbox,
    'a-later-pass',
    new Date().toISOString(),
  );
  expect(sent).toBe(kept.length);
  expect(reminders()).toHaveLength(kept.length);
  const refs = reminders().map((s) => textOf(cardOf(s)).match(/DEMO-\d+/)?.[0]);
  expect(new Set(refs).size).toBe(refs.length);
  // Nothing is left kept, and nothing is sent again.
  expect(
    (
      (await deps.store.get('setting', 'bot.notices.cursor'))?.record.value as {
        later?: unknown[];
      }
    ).later,
  ).toBeUndefined();
  await deliverNotices(
    { ...deps, clock: () => addHours(new Date(), 4) },
    bot.outbox,
    'a-later-pass',
    new Date().toISOString(),
  );
  expect(reminders()).toHaveLength(kept.length);
}, 180_000);
