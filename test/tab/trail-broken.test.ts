/**
 * issue 12 (a newcomer's attack): with the audit trail broken, the tab answered its own page with the raw 503
 * JSON (`{"code":"AUDIT_TRAIL_BROKEN",…}`) to anyone, signed in or not, and `/healthz` named the event and the
 * record that broke it — staff and record ids — to anyone. Now a stranger and a member of staff alike see one
 * plain page ("Overt is not taking changes" and what to do); `/healthz` says the trail is broken and where the
 * details are; which event and which record go to the service's log (and `overt audit verify`). In headless
 * Chromium on the demo service: signed out, and as a case manager. Screenshots in test-artifacts/tab/trail-broken/.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import { sqliteFile } from '../../src/store/open';
import { launchChromium, screenshot, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { tempDirs } from '../store/temp-dirs';

const dirs = tempDirs('tab-trail-broken');
let running: Running;
let browser: BrowserSession;
let base: string;
let data: string;
const logs: string[] = [];
const saved = process.env.OVERT_DEMO_AUTH;

const SENTENCE = 'Overt has stopped taking changes while its record is checked; tell your administrator.';
const CM = 'demo-cm-north-1';

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/ensure-chromium.sh`);
  await buildTab();
  process.env.OVERT_DEMO_AUTH = 'on';
  data = dirs.make();
  running = await start({ OVERT_DATA: data, BOT_PORT: '0', TAB_PORT: '0', OVERT_JOBS_EVERY: '3600' }, (l) =>
    logs.push(l),
  );
  base = `http://localhost:${(running.servers[1]!.address() as { port: number }).port}`;
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  if (saved === undefined) delete process.env.OVERT_DEMO_AUTH;
  else process.env.OVERT_DEMO_AUTH = saved;
  dirs.cleanup();
});

/** A page of the tab with a demo persona kept (signed in), or none. */
async function tab(persona?: string): Promise<Page> {
  const page = await browser.newPage();
  if (persona) await page.addInitScript((p) => sessionStorage.setItem('overt-demo-persona', p), persona);
  await page.goto(`${base}/`);
  return page;
}

it('a stranger and a case manager see one plain page; /healthz names no one; the details are in the log', async () => {
  // Ids that must not leak: every member of staff, child and request of the demo, and the event numbers.
  const ids = [
    ...(await running.store.query('staff')).map((s) => s.record.id),
    ...(await running.store.query('child')).map((c) => c.record.id),
    ...(await running.store.query('request')).map((r) => r.record.id),
  ];
  expect(ids.length).toBeGreaterThan(20);
  const leaks = (text: string) => ids.filter((id) => text.includes(id));

  const signedIn = await tab(CM);
  const cm = (await running.store.get('staff', CM))!.record.name;
  await signedIn.getByText(`Signed in as ${cm}`).waitFor();

  // Someone edits a request in the live file (dropping nothing: the record no longer matches its event).
  const [request] = await running.store.query('request');
  const db = new Database(sqliteFile(data));
  db.prepare(
    `UPDATE request SET body = json_set(body, '$.rationale', 'Edited outside Overt.') WHERE id = ?`,
  ).run(request!.record.id);
  db.close();
  let health = await fetch(`${base}/healthz`);
  for (let i = 0; i < 20 && health.status === 200; i++) {
    await fetch(`${base}/api/v1/requests/mine`, { headers: { 'x-overt-demo-persona': CM } });
    health = await fetch(`${base}/healthz`);
  }
  expect(health.status).toBe(503);
  const said = await health.text();
  expect(leaks(said)).toEqual([]);
  expect(said).not.toMatch(/event \d|differs|request |child |staff /);
  expect(JSON.parse(said)).toMatchObject({ status: 'degraded', audit: { ok: false } });
  // The details, for the administrator: in the service's log, once.
  const detailed = logs.filter((l) => l.includes(`request ${request!.record.id} differs from what event`));
  expect(detailed.length).toBeGreaterThanOrEqual(1);
  await fetch(`${base}/healthz`);
  expect(logs.filter((l) => l.includes(`request ${request!.record.id} differs from what event`)).length).toBe(
    detailed.length,
  );

  // The page itself, fetched as a browser does: HTML, never the problem's JSON.
  const raw = await fetch(`${base}/`);
  expect(raw.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await raw.text();
  expect(html).not.toMatch(/AUDIT_TRAIL_BROKEN|"status":503/);
  expect(leaks(html)).toEqual([]);

  // Signed out (no persona) and signed in as the case manager: the same plain page.
  const stranger = await tab();
  await signedIn.reload();
  for (const [name, page] of [
    ['signed-out', stranger],
    ['case-manager', signedIn],
  ] as const) {
    const status = page.getByRole('status');
    await status.waitFor();
    expect(await status.innerText()).toBe(`Overt is not taking changes\n${SENTENCE}`);
    const all = await page.locator('body').innerText();
    expect({ name, leaks: leaks(all) }).toEqual({ name, leaks: [] });
    expect(all).not.toMatch(/[{}]|AUDIT|503|event \d|Demo persona|Signed in as/);
    for (const width of [1280, 400]) {
      await page.setViewportSize({ width, height: 700 });
      await screenshot(page, `tab/trail-broken/${name}-${width}.png`);
    }
    await page.close();
  }
}, 120_000);
