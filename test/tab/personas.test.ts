import { existsSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { source as axeSource } from 'axe-core';
import type { Page } from 'playwright-core';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import { CODES } from '../../src/vocabulary';
import { launchChromium, screenshot, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { tempDirs } from '../store/temp-dirs';
import { pdfText } from '../api/pdf-text';

/**
 * The tab as each demo persona, at 1280 px and at 400 px (Teams mobile, the meeting side panel): the landing
 * view is theirs; every view the server offers them opens without a refusal; nothing scrolls sideways; no
 * code, staff id or record id is in the text; axe-core finds no serious or critical violation. Screenshots in
 * test-artifacts/tab/personas/<persona>-<width>-<view>.png.
 */

const dirs = tempDirs('tab-personas');
let running: Running;
let browser: BrowserSession;
let base: string;

const PERSONAS: { id: string; landing: string; heading: RegExp }[] = [
  { id: 'demo-cm-north-1', landing: 'requests', heading: /^My requests$/ },
  { id: 'demo-tm-north', landing: 'decisions', heading: /^Awaiting your decision$/ },
  { id: 'demo-sm', landing: 'dashboard', heading: /^Service dashboard$/ },
  { id: 'demo-ig', landing: 'objections', heading: /^Objections$/ },
  { id: 'demo-ao', landing: 'ripa', heading: /^RIPA central record$/ },
  { id: 'demo-admin', landing: 'organisation', heading: /^Teams and staff$/ },
];
const WIDTHS = [1280, 400];

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/ensure-chromium.sh`);
  await buildTab();
  process.env.OVERT_DEMO_AUTH = 'on';
  running = await start(
    { OVERT_DATA: dirs.make(), BOT_PORT: '0', TAB_PORT: '0', OVERT_JOBS_EVERY: '3600' },
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

async function axe(page: Page): Promise<{ id: string; impact: string; targets: unknown }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: {
          run: (
            c: unknown,
            o: unknown,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }>;
        };
      }
    ).axe.run({ exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.slice(0, 3).map((n) => n.target),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const CODE_RE = new RegExp(`(?:^|[^\\w-])(${CODES.map(escape).join('|')})(?=[^\\w-]|$)`);
const STAFF_ID = /\bdemo-(?:sm|ig|ao|admin|tm-|cm-)/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** What the page says that it should not: codes, staff ids, record ids. */
async function strayCodes(page: Page): Promise<string[]> {
  return strayIn(await page.evaluate(() => document.body.innerText));
}

function strayIn(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    for (const re of [CODE_RE, STAFF_ID, UUID]) {
      const m = re.exec(line);
      if (m) found.push(`${m[1] ?? m[0]} in “${line.slice(0, 120)}”`);
    }
  }
  return found;
}

/** The view has settled: its heading shown, nothing loading, no refusal or error. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h2').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('main .fui-Spinner'), undefined, {
    timeout: 20_000,
  });
  const alerts = await page.locator('main [role="alert"]').allInnerTexts();
  expect(alerts).toEqual([]);
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(width);
}

describe.each(WIDTHS)('the tab at %i px, as each persona', (width) => {
  it.each(PERSONAS)(
    '$id lands on their own work; every view offered works, fits and reads plainly',
    async (p) => {
      const page = await browser.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.addInitScript((id) => sessionStorage.setItem('overt-demo-persona', id), p.id);
      const problems: string[] = [];
      // Nothing the page asks for is missing or refused (the favicon, the bundle, the API).
      const failed: string[] = [];
      page.on('response', (r) => {
        if (r.status() >= 400 && !r.url().includes('/api/v1/')) failed.push(`${r.status()} ${r.url()}`);
      });
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) failed.push(m.text());
      });
      page.on('response', (r) => {
        if (r.url().includes('/api/v1/') && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
      });
      await page.goto(`${base}/`);
      await page.getByRole('heading', { level: 2, name: p.heading }).waitFor();
      const me = await page.evaluate(
        async (id) => (await fetch('/api/v1/me', { headers: { 'x-overt-demo-persona': id } })).json(),
        p.id,
      );
      expect(me.landing).toBe(p.landing);
      const views = (me.views as { id: string; label: string }[]).map((v) => v.id);
      expect(views[0]).toBe(p.landing);
      // The navigation offers exactly the server's views: tabs when wide, an overflow menu when narrow.
      if (width >= 1000) {
        const tabs = await page.getByRole('navigation', { name: 'Views' }).getByRole('tab').allInnerTexts();
        expect(tabs).toEqual(me.views.map((v: { label: string }) => v.label));
      } else {
        await page.getByRole('button', { name: /^Views: / }).click();
        const items = await page.getByRole('menuitemradio').allInnerTexts();
        expect(items).toEqual(me.views.map((v: { label: string }) => v.label));
        await page.keyboard.press('Escape');
      }
      // Work is waiting on the day the demo starts: a team manager has requests to decide.
      if (p.landing === 'decisions')
        expect(
          await page
            .getByRole('list', { name: 'Requests awaiting your decision' })
            .getByRole('listitem')
            .count(),
        ).toBeGreaterThan(0);
      const stray: string[] = [];
      const violations: unknown[] = [];
      for (const view of views) {
        await page.evaluate((v) => (window.location.hash = v), view);
        await settled(page);
        await noSidewaysScroll(page);
        stray.push(...(await strayCodes(page)).map((s) => `${view}: ${s}`));
        violations.push(...(await axe(page)).map((v) => ({ view, ...v })));
        await screenshot(page, `tab/personas/${p.id}-${width}-${view}.png`);
        if (view === 'child') {
          // A child's record, as this person may see it.
          await page.getByRole('list', { name: 'Children' }).getByRole('link').first().click();
          await page.getByRole('heading', { name: 'Who has read this record' }).waitFor();
          await settled(page);
          await noSidewaysScroll(page);
          stray.push(...(await strayCodes(page)).map((s) => `child record: ${s}`));
          violations.push(...(await axe(page)).map((v) => ({ view: 'child record', ...v })));
          await screenshot(page, `tab/personas/${p.id}-${width}-child-record.png`);
        }
      }
      expect(problems).toEqual([]);
      expect(failed).toEqual([]);
      expect(stray).toEqual([]);
      expect(violations).toEqual([]);
      await page.close();
    },
    120_000,
  );
});

describe('a link to a child one may not open', () => {
  it.each(WIDTHS)(
    "at %i px, another team's child and a child that does not exist are said in plain words, with no id",
    async (width) => {
      const page = await browser.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.addInitScript((id) => sessionStorage.setItem('overt-demo-persona', id), 'demo-cm-north-1');
      const other = (await running.store.query('child', { where: { teamId: 'south' } }))[0]!.record;
      await page.goto(`${base}/#child/${encodeURIComponent(other.id)}`);
      await page.getByRole('heading', { level: 2, name: "A child's record" }).waitFor();
      const alert = page.getByRole('alert');
      expect(await alert.innerText()).toMatch(
        /^This record is not open to you\s*This child is not a child of your team\. Pick one of the children you may look up\.$/,
      );
      const text = await page.evaluate(() => document.body.innerText);
      expect(strayIn(text)).toEqual([]);
      expect(text).not.toMatch(/Forbidden|childId|403/);
      expect(text).not.toContain(other.caseRef);
      await noSidewaysScroll(page);
      await screenshot(page, `tab/personas/deep-link-other-team-${width}.png`);
      await page.goto(`${base}/#child/${encodeURIComponent('0b7e1c9e-0000-4000-8000-000000000000')}`);
      await page.getByRole('alert').getByText('No such child').waitFor();
      expect(strayIn(await page.evaluate(() => document.body.innerText))).toEqual([]);
      await page.getByRole('button', { name: 'Find a child' }).click();
      await page.getByRole('list', { name: 'Children' }).waitFor();
      await page.close();
    },
    60_000,
  );
});

describe('the papers of the demo service', () => {
  it('name no code, staff id or record id: the subject-access PDF of every child with a record, and the annual review', async () => {
    const get = async (path: string, persona: string) => {
      const res = await fetch(`${base}${path}`, { headers: { 'x-overt-demo-persona': persona } });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const children = (await running.store.query('child', {})).map((c) => c.record);
    // The children with the most on record: a RIPA authorisation, an objection, decisions and checks.
    const ripa = (await running.store.query('ripa', {})).map((r) => r.record.childId);
    const objected = (await running.store.query('objection', {})).map((o) => o.record.childId);
    const picked = [...new Set([...ripa, ...objected, ...children.slice(0, 3).map((c) => c.id)])].slice(0, 6);
    const stray: string[] = [];
    for (const id of picked) {
      const text = pdfText(
        await get(`/api/v1/children/${encodeURIComponent(id)}/subject-access.pdf`, 'demo-ig'),
      );
      stray.push(...strayIn(text.join('\n')).map((s) => `subject access ${id}: ${s}`));
    }
    const year = new Date().getFullYear();
    const review = pdfText(await get(`/api/v1/review/${year}/export.pdf`, 'demo-sm')).join('\n');
    expect(review).toContain(`Annual review ${year} — page 1 of`);
    stray.push(...strayIn(review).map((s) => `review: ${s}`));
    // The audit trail's export: every cell but the hash (which is hex, and may look like anything).
    const csv = parseCsv(
      (await get(`/api/v1/audit.csv?from=${year - 1}-01-01&to=${year + 1}-01-01`, 'demo-ig')).toString(
        'utf8',
      ),
      {
        columns: true,
      },
    ) as Record<string, string>[];
    expect(csv.length).toBeGreaterThan(100);
    for (const row of csv)
      for (const [k, v] of Object.entries(row))
        if (k !== 'Hash') stray.push(...strayIn(v).map((s) => `audit CSV ${k}: ${s}`));
    expect(stray).toEqual([]);
  }, 120_000);
});
