import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import { upsertTeam } from '../../src/workflow';
import { launchChromium, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { tempDirs } from '../store/temp-dirs';

/**
 * One time zone, the profile's (issue 15, kind 4), in the tab: the day a RIPA form proposes ("Date reviewed",
 * "Date granted") is today on the calendar of the person's profile, never London's. A profile here is Nottinghamshire's moved to a zone whose day differs from London's right now (ahead of
 * London in the UTC afternoon, behind it in the morning), and the authorising officer's first team runs on it,
 * so a London "today" would be a different day.
 */

const dirs = tempDirs('tab-tz');
let running: Running;
let browser: BrowserSession;
let base: string;
const dayIn = (tz: string) => new Date().toLocaleDateString('en-CA', { timeZone: tz });
const ZONE = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'].find((z) => dayIn(z) !== dayIn('Europe/London'))!;
const gb = (iso: string) => iso.split('-').reverse().join('/');

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/ensure-chromium.sh`);
  await buildTab();
  const notts = JSON.parse(readFileSync('src/policy/profiles/nottinghamshire-yjs.json', 'utf8')) as object;
  const file = join(dirs.make(), 'far.json');
  writeFileSync(file, JSON.stringify({ ...notts, id: 'notts-far', timeZone: ZONE }));
  process.env.OVERT_DEMO_AUTH = 'on';
  running = await start(
    {
      OVERT_DATA: dirs.make(),
      BOT_PORT: '0',
      TAB_PORT: '0',
      OVERT_JOBS_EVERY: '3600',
      OVERT_PROFILE_FILES: file,
    },
    () => undefined,
  );
  base = `http://localhost:${(running.servers[1]!.address() as { port: number }).port}`;
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  delete process.env.OVERT_DEMO_AUTH;
  await browser?.close();
  await running?.stop();
  dirs.cleanup();
});

it("a RIPA form proposes today in the profile's zone, not London's", async () => {
  expect(ZONE).toBeDefined();
  const page = await browser.newPage();
  await page.addInitScript(() => sessionStorage.setItem('overt-demo-persona', 'demo-ao'));
  await page.goto(`${base}/#ripa`);
  const me = (await page.evaluate(async () =>
    (await fetch('/api/v1/me', { headers: { 'x-overt-demo-persona': 'demo-ao' } })).json(),
  )) as { teamIds: string[] };
  const team = (await running.deps.store.get('team', me.teamIds[0]!))!.record;
  const moved = await upsertTeam(running.deps, {
    key: 'tz-tab-team',
    actorId: 'demo-admin',
    team: { ...team, profileId: 'notts-far' },
  });
  if (!moved.ok) throw new Error(moved.error.message);
  await page.reload();
  const after = (await page.evaluate(async () =>
    (await fetch('/api/v1/me', { headers: { 'x-overt-demo-persona': 'demo-ao' } })).json(),
  )) as { timeZone: string };
  expect(after.timeZone).toBe(ZONE);
  await page.locator('main details').first().waitFor({ timeout: 30_000 });
  await page.$$eval('main details', (ds) => ds.forEach((d) => ((d as HTMLDetailsElement).open = true)));
  const field = page.getByRole('textbox', { name: /^Date (reviewed|granted)/ }).first();
  await field.waitFor({ timeout: 30_000 });
  expect(await field.inputValue()).toBe(gb(dayIn(ZONE)));
  expect(await field.inputValue()).not.toBe(gb(dayIn('Europe/London')));
  await page.close();
}, 120_000);
