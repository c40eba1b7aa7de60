/**
 * Issue 13 (a fresh walker): a request's status read differently in the bot and the tab — "waiting for a higher
 * authority" on a card, "Escalated" in the tab. One vocabulary (`statusWords`) now says every status. A case
 * manager holds a request in each status Overt has; the bot's "my requests" card (over HTTP) and the tab's My
 * requests (in Chromium, as that person) list them in the same order, and each shows the same words for it.
 */
import { existsSync } from 'node:fs';
import { buildTab } from '../../src/tab/build';
import { REQUEST_STATUS, REQUEST_STATUSES, statusWords } from '../../src/vocabulary';
import { launchChromium, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { execute, say, textOf } from '../bot/client';
import { CM, raise, type Driver } from '../bot/ripa-journey';
import { botWorld, cleanupBotWorlds, type BotWorld } from '../bot/world';

let w: BotWorld;
let browser: BrowserSession;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/ensure-chromium.sh`);
  await buildTab();
  process.env.OVERT_DEMO_AUTH = 'on';
  w = await botWorld({ OVERT_BOT_TENANTS: '' });
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  delete process.env.OVERT_DEMO_AUTH;
  await browser?.close();
  await w?.close();
  await cleanupBotWorlds();
});

it('every status has its own words, and none is a code', () => {
  expect(REQUEST_STATUSES.sort()).toEqual(
    [
      'approved',
      'completed',
      'declined',
      'escalated',
      'expired',
      'more-info',
      'pending',
      'refused',
      'stopped',
      'withdrawn',
    ].sort(),
  );
  const words = REQUEST_STATUSES.map(statusWords);
  expect(new Set(words).size).toBe(words.length);
  for (const s of REQUEST_STATUSES) expect(statusWords(s)).toBe(REQUEST_STATUS[s]);
  for (const word of words) expect(word).toMatch(/^[A-Z][a-z ,]+$/);
});

it('the bot and the tab say each status in the same words', async () => {
  const d: Driver = {
    invoke: async (who, verb, data) => {
      const r = await execute(w.url, who, verb, data);
      expect(r.status).toBe(200);
      return r.json.value;
    },
    reminded: () => Promise.reject(new Error('not used')),
  };
  await raise(d, w, 'DEMO-0001');
  const [raised] = await w.running.store.query('request', { where: { requesterId: CM } });
  // One request in each status, a day apart (so both surfaces list them in one order, newest first), written
  // as the workflow keeps them, each with its audit event.
  const base = raised!.record;
  const statuses = REQUEST_STATUSES.filter((s) => s !== base.status);
  for (const [i, status] of statuses.entries()) {
    const at = new Date(Date.parse(base.createdAt) - (i + 1) * 86_400_000).toISOString();
    const record = { ...base, id: `${base.id}-${status}`, status, createdAt: at, updatedAt: at };
    const done = await w.running.store.commit({
      key: `status-words-${status}`,
      at,
      writes: [{ kind: 'request', record: record as typeof base, ifVersion: null }],
      audit: [
        {
          actor: { id: CM, role: 'case-manager' },
          action: 'request.raise',
          target: { kind: 'request', id: record.id },
          outcome: status,
          details: { status },
        },
      ],
    });
    expect(done.status).toBe('committed');
  }
  const expected = [base.status, ...statuses].map(statusWords);

  // The bot: "my requests", each entry's second line ends with its status.
  const sent = await say(w.url, CM, 'my requests');
  const mine = sent.cards.filter((c) => /^Your requests/.test(textOf(c)));
  expect(mine).toHaveLength(1);
  const botText = textOf(mine[0]);
  const botWords = [...botText.matchAll(/\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} · ([^\n]+)/g)].map((m) =>
    m[1]!.trim(),
  );

  // The tab: My requests, the Status column.
  const page = await browser.newPage();
  try {
    await page.addInitScript((id) => sessionStorage.setItem('overt-demo-persona', id), CM);
    const port = (w.running.servers[1]!.address() as { port: number }).port;
    await page.goto(`http://localhost:${port}/`);
    const table = page.getByRole('table', { name: 'My requests' });
    await table.waitFor({ timeout: 20_000 });
    const heads = await table.locator('thead th').allInnerTexts();
    const col = heads.findIndex((h) => h.trim() === 'Status');
    expect(col).toBeGreaterThanOrEqual(0);
    const tabWords = (await table.locator(`tbody tr td:nth-child(${col + 1})`).allInnerTexts()).map((s) =>
      s.trim(),
    );
    expect({ bot: botWords, tab: tabWords }).toEqual({ bot: expected, tab: expected });
  } finally {
    await page.close();
  }
}, 90_000);
