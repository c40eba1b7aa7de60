/**
 * Every list card stays well under Teams' 28 KB for an activity (issue 20, a newcomer's find): "Waiting for me"
 * listed every request (67 were 33 KB, 105 were 52 KB: Teams answers 413 and the person sees "Something went
 * wrong"), and "My requests" showed 15 with nothing saying there were more. At 200 requests each card shows the
 * first few, says how many more there are, and opens the tab by its Teams deep link. Over HTTP against the bot
 * endpoint, as an invoke and as a message.
 */
import { raiseRequest } from '../../src/workflow';
import { CARD_BUDGET } from '../../src/bot/cards/build';
import { validateCard } from '../../src/bot/cards/validate';
import { LIST_SHOWN } from '../../src/bot/views/list';
import { execute, say, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const APP = '5c0f7e2a-1d3b-4f6e-9a8c-000000000001';
const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
const MANY = 200;
/** Well under Teams' 28 KB for the whole activity: the card alone at most this. */
const WELL_UNDER = 16 * 1024;
let w: BotWorld;

beforeAll(async () => {
  // No notice passes: the 200 requests' cards are not what is tested here.
  w = await botWorld({ TEAMS_APP_ID: APP, OVERT_NOTICES_EVERY: '3600' });
  for (let i = 0; i < MANY; i++) {
    const r = await raiseRequest(w.running.deps, {
      key: `list-cards-${i}`,
      actorId: CM,
      childId: await w.childId(['DEMO-0001', 'DEMO-0002', 'DEMO-0003'][i % 3]!),
      reason: 'risk-of-cse',
      platforms: [{ platform: 'instagram', account: `@list_${i}` }],
      viewer: 'own-personal-account',
      rationale: 'Fictional: new information suggests a risk to the child.',
    });
    expect(r.ok).toBe(true);
  }
}, 120_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x), 'utf8');
type Json = Record<string, unknown>;
const openUrls = (card: unknown): string[] =>
  [...JSON.stringify(card).matchAll(/"type":"Action.OpenUrl","title":"[^"]*","url":"([^"]*)"/g)].map(
    (m) => m[1]!,
  );
const opens = (card: unknown) => (JSON.stringify(card).match(/"verb":"request.refresh"/g) ?? []).length;

it.each([
  [
    'waiting for me',
    TM,
    'requests.waiting',
    'waiting for me',
    'decisions',
    /190 more requests are not shown here/,
  ],
  ['my requests', CM, 'requests.mine', 'my requests', 'requests', /190 older requests are not shown here/],
] as const)(
  `"%s" at ${MANY} requests: the first ten, how many more, the tab by its deep link, well under 28 KB`,
  async (_what, who, verb, words, view, more) => {
    const pressed = await execute(w.url, who, verb, {});
    expect(pressed.status).toBe(200);
    const said = await say(w.url, who, words);
    expect(said.status).toBe(200);
    for (const card of [pressed.json.value as Json, said.cards[0] as Json]) {
      expect(validateCard(card)).toEqual({ ok: true });
      expect(bytes(card)).toBeLessThan(WELL_UNDER);
      expect(bytes(card)).toBeLessThan(CARD_BUDGET);
      expect(opens(card)).toBe(LIST_SHOWN);
      expect(textOf(card)).toMatch(more);
      const [url] = openUrls(card);
      expect(url).toBe(
        `https://teams.microsoft.com/l/entity/${APP}/${view === 'requests' ? 'my-requests' : 'dashboard'}?context=${encodeURIComponent(JSON.stringify({ subEntityId: view }))}`,
      );
    }
    // The whole reply activity, as Teams would carry it.
    expect(bytes(said)).toBeLessThan(WELL_UNDER + 2048);
  },
  60_000,
);

it('a child’s summary with 67 requests shows the newest five, says how many more, and opens the child’s record in the tab', async () => {
  const childId = await w.childId('DEMO-0001');
  for (const how of [
    () => execute(w.url, CM, 'child.summary', { childId }).then((r) => r.json.value as Json),
    () => say(w.url, CM, 'DEMO-0001').then((r) => r.cards[0] as Json),
  ]) {
    const card = await how();
    expect(validateCard(card)).toEqual({ ok: true });
    expect(bytes(card)).toBeLessThan(WELL_UNDER);
    const text = textOf(card);
    expect(text).toMatch(/62 more requests not shown here: open the Overt tab to see them all\./);
    // Five requests shown ("Awaiting decision (Dara Dunmore (demo))"), none of the rest.
    expect(text.match(/\(Dara Dunmore \(demo\)\)/g)).toHaveLength(5);
    expect(openUrls(card)).toEqual([
      `https://teams.microsoft.com/l/entity/${APP}/dashboard?context=${encodeURIComponent(JSON.stringify({ subEntityId: `child/${childId}` }))}`,
    ]);
  }
});
