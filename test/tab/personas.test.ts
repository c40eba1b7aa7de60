import { existsSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import { source as axeSource } from 'axe-core';
import type { Page } from 'playwright-core';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import { CODES, humanise } from '../../src/vocabulary';
import { builtinProfiles } from '../../src/policy/builtin';
import { launchChromium, screenshot, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { tempDirs } from '../store/temp-dirs';
import { pdfTextsInParallel } from '../api/pdf-text';
import { paperPages, pastTheMargins } from '../browser/pdf-pages';
import { upsertStaff, importCaseList } from '../../src/workflow/organisation';
import { recordConsent } from '../../src/workflow/consent';
import { raiseRequest } from '../../src/workflow/requests';

/**
 * The tab as each demo persona, at 1280 px and at 400 px (Teams mobile, the meeting side panel): the landing
 * view is theirs; every view the server offers them opens without a refusal; nothing scrolls sideways; no
 * code, staff id or record id is in the text; axe-core finds no serious or critical violation. Screenshots in
 * test-artifacts/tab/personas/<persona>-<width>-<view>.png; the papers drawn page by page beside them, in
 * test-artifacts/tab/papers/.
 *
 * The demo service gets one more child and case manager, each with a name of 80 characters (and one word of
 * 26 letters), with a request waiting for the team manager: wherever either name is shown it wraps inside its
 * box, in every view at every width and in the papers.
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

/** Names as long as a family's can be: more than 60 characters, one word of 26 letters, letters outside
 * Latin-1. */
const LONG_CHILD = 'Maximiliana Konstantynopolitańczykówna-Wolkensteinhausenbergerová Ştefănescu (demo)';
const LONG_STAFF = 'Bartholomew Alexander Montgomery-Featherstonehaugh Wiśniewski-Brzęczyszczykiewicz (demo)';
const LONG_REF = 'DEMO-0041';
let longChildId: string;

/** The demo service, and the child and case manager with long names, added as an administrator would. */
async function addLongNames(): Promise<void> {
  const deps = running.deps;
  const must = <T>(o: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!o.ok) throw new Error(o.error.message);
    return o.value;
  };
  must(
    await upsertStaff(deps, {
      key: 'long-names-staff',
      actorId: 'demo-admin',
      staff: {
        id: 'demo-cm-north-long',
        name: LONG_STAFF,
        email: 'demo-cm-north-long@demo.invalid',
        role: 'case-manager',
        teamIds: ['north'],
      },
    }),
  );
  must(
    await importCaseList(deps, {
      key: 'long-names-child',
      actorId: 'demo-admin',
      csv: `case_reference,name,team,worker,platforms,date of birth\n${LONG_REF},${LONG_CHILD},north,demo-cm-north-long,instagram:@demo_north_41_in,14/03/2012`,
    }),
  );
  const child = (await running.store.query('child', { where: { caseRef: LONG_REF } }))[0]!.record;
  longChildId = child.id;
  must(
    await recordConsent(deps, {
      key: 'long-names-consent',
      actorId: 'demo-cm-north-long',
      childId: child.id,
      givenBy: 'child and parent',
      date: deps.clock().toISOString().slice(0, 10),
      scope: { platforms: [], purposes: ['the criteria for looking at a child’s social media'] },
    }),
  );
  must(
    await raiseRequest(deps, {
      key: 'long-names-request',
      actorId: 'demo-cm-north-long',
      childId: child.id,
      reason: 'risk-of-cse',
      platforms: [{ platform: 'instagram', account: '@demo_north_41_in' }],
      viewer: 'own-personal-account',
      rationale: 'Fictional: a request from the case manager with the longest name.',
    }),
  );
}

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
  // The demo's team ids as words on their own, and every rule id of three words or more as the humaniser
  // would put it ("repeat-no-ripa-route" → "Repeat no RIPA route").
  const teamIds = (await running.store.query('team')).map((t) => escape(t.record.id));
  teamIdRe = new RegExp(`(?<![\\w-])(${teamIds.join('|')})(?![\\w-])`);
  const ruleIds = [...builtinProfiles().values()].flatMap((p) => p.rules.map((r) => r.id));
  // (Not the ids that are plain English as they stand: "necessary and proportionate", "no friend or follow",
  // "open source only" are said in those words by the policy and by people.)
  const plain = new Set(['necessary-and-proportionate', 'no-friend-or-follow', 'open-source-only']);
  const humanised = [
    ...new Set(ruleIds.filter((id) => id.split('-').length >= 3 && !plain.has(id)).map(humanise)),
  ];
  ruleIdRe = new RegExp(`\\b(${humanised.map(escape).join('|')})\\b`, 'i');
  await addLongNames();
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
/** A clause by its id ("000 §12", "002 §Information gathering"): people read "Nottinghamshire YJS policy,
 * section 12". Any "§" is an id the citation form should have put into words. */
const CLAUSE_ID = /(?:\b\d{3} )?§\s?[\w.]+/;
/** Codes run through a humaniser, which still show: a staff id ("Demo cm north 1"), an ISO day with its
 * hyphens made spaces ("2010 02 15"), a route, a method or an HTTP status, a team by its id ("Teams:
 * north"), a rule by its id ("Repeat no RIPA route"). */
const HUMANISED_STAFF_ID = /\bDemo (?:sm|ig|ao|admin|tm|cm)\b/i;
const SPACED_DAY = /\b\d{4} \d{2} \d{2}\b/;
const ROUTE = /\/api\/|\b(?:GET|POST|PUT|DELETE|PATCH) \/|\bStatus: \d{3}\b/;
let teamIdRe = /$^/;
let ruleIdRe = /$^/;

/** What the page says that it should not: codes, staff ids, record ids, clause ids. */
async function strayCodes(page: Page): Promise<string[]> {
  return strayIn(await page.evaluate(() => document.body.innerText));
}

function strayIn(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    for (const re of [
      CODE_RE,
      STAFF_ID,
      UUID,
      CLAUSE_ID,
      HUMANISED_STAFF_ID,
      SPACED_DAY,
      ROUTE,
      teamIdRe,
      ruleIdRe,
    ]) {
      const m = re.exec(line);
      // Where in the line it is (a cell of the audit trail can be long).
      if (m) found.push(`${m[1] ?? m[0]} in “${line.slice(Math.max(0, m.index - 60), m.index + 60)}”`);
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

/**
 * Where a long name is shown but does not fit: each line of text holding a word of one of the long names that
 * reaches past the right edge of the box it is in (overflowing it, or cut off by it) or of the page.
 */
async function longNamesOverflow(page: Page): Promise<string[]> {
  return page.evaluate(
    (words) => {
      const found: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        if (!words.some((w) => text.includes(w))) continue;
        let box = n.parentElement!;
        while (box.parentElement && getComputedStyle(box).display.startsWith('inline'))
          box = box.parentElement;
        // <option> text is drawn by the select itself.
        if (box.closest('select')) continue;
        const edge = Math.min(box.getBoundingClientRect().right, window.innerWidth);
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects())
          if (r.width && r.right > edge + 1)
            found.push(
              `“${text.slice(0, 60)}” reaches ${Math.round(r.right)} px, past ${Math.round(edge)} px`,
            );
      }
      return found;
    },
    ['Konstantynopolita', 'Wolkensteinhausenbergerová', 'Featherstonehaugh', 'Brzęczyszczykiewicz'],
  );
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  expect(scroll).toBeLessThanOrEqual(width);
}

/** Closed disclosures in the view: a `<details>` not open, a button that says it would show more. */
const CLOSED =
  'main details:not([open]) > summary:not([data-walked]), main button[aria-expanded="false"]:not([aria-haspopup]):not([data-walked])';

/**
 * Every collapsible part of the view opened in turn — whatever it is called: each closed `<details>` and
 * each disclosure button (aria-expanded="false"), and any that opening reveals — and after each, nothing
 * scrolls sideways and what it opened is no wider than the page. Opening writes nothing. Gives how many
 * were opened. The walk runs in the page, one disclosure a frame or two (a round trip from the test for each
 * made this the slowest part of the suite).
 */
async function openEverything(page: Page, where: string): Promise<number> {
  const { opened, problems } = await page.evaluate(async (closed) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const problems: { what: string; scroll: number; width: number; wide: string[] }[] = [];
    let opened = 0;
    for (let next = document.querySelector<HTMLElement>(closed); next;) {
      next.setAttribute('data-walked', '');
      const what = (next.getAttribute('aria-label') ?? next.innerText).trim().slice(0, 80);
      next.click();
      opened++;
      await frame();
      const scroll = document.documentElement.scrollWidth;
      const width = window.innerWidth;
      // Anything in the view reaching past the page's right edge (a control as wide as its longest option).
      const wide = [...document.querySelectorAll('main *')]
        .filter((e) => e.getBoundingClientRect().right > width + 1)
        .slice(0, 3)
        .map((e) => `${e.tagName.toLowerCase()} ${Math.round(e.getBoundingClientRect().width)} px`);
      if (scroll > width || wide.length) problems.push({ what, scroll, width, wide });
      if (opened > 200) throw new Error('more than 200 disclosures');
      next = document.querySelector<HTMLElement>(closed);
    }
    return { opened, problems };
  }, CLOSED);
  expect(problems.map((p) => `${where}, opened “${p.what}”: ${JSON.stringify(p)}`)).toEqual([]);
  return opened;
}

/**
 * One page per persona, taken through each width in turn (the page is resized, not reloaded: the tab is
 * one page, and Teams resizes it the same way when a panel opens): at 1280 and 400 px every view is
 * checked in full — settled without a refusal, no sideways scroll, no code in its text, axe, a screenshot;
 * then at 320 px each view is reached through the overflow menu and nothing scrolls sideways.
 */
describe('the tab as each persona, at 1280, 400 and 320 px', () => {
  it.each(PERSONAS)(
    '$id lands on their own work; every view offered works, fits and reads plainly',
    async (p) => {
      const page = await browser.newPage();
      await page.setViewportSize({ width: WIDTHS[0]!, height: 900 });
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
      // Nothing is blocked by the page's own policy: teams-js's list of Teams domains
      // (res.cdn.office.net) is allowed by connect-src; offline it fails only for want of DNS.
      page.on('requestfailed', (r) => {
        if (/BLOCKED_BY_CSP|blocked:csp/i.test(r.failure()?.errorText ?? ''))
          failed.push(`blocked by the CSP: ${r.url()}`);
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
      const labels = (me.views as { id: string; label: string }[]).map((v) => v.label);
      expect(views[0]).toBe(p.landing);
      // A view is offered only where the person can have something in it: in the demo no authority is held
      // by information governance (nothing can await their decision), and the administrator's work is the
      // policy, teams and staff, not the service's figures.
      if (p.id === 'demo-ig') expect(views).not.toContain('decisions');
      if (p.id === 'demo-admin') expect(views).not.toContain('dashboard');
      // The persona picker shows the whole of the chosen persona's name and role.
      const picker = page.getByRole('combobox', { name: 'Demo persona' });
      const cut = await picker.evaluate((el) => {
        const select = el as HTMLSelectElement;
        const probe = document.createElement('span');
        const style = getComputedStyle(select);
        probe.style.font = style.font;
        probe.style.whiteSpace = 'pre';
        probe.style.position = 'absolute';
        probe.textContent = select.selectedOptions[0]!.text;
        document.body.append(probe);
        const text = probe.getBoundingClientRect().width;
        probe.remove();
        const inner = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return text > inner + 0.5 ? `${select.selectedOptions[0]!.text}: ${text} px in ${inner} px` : '';
      });
      expect(cut).toBe('');
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
      const overflow: string[] = [];
      let disclosures = 0;
      // The landing view opens at its top.
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        // The navigation offers exactly the server's views: tabs when wide, an overflow menu when narrow.
        if (width >= 1000) {
          const tabs = await page.getByRole('navigation', { name: 'Views' }).getByRole('tab').allInnerTexts();
          expect(tabs).toEqual(labels);
        } else {
          await page.getByRole('button', { name: /^Views: / }).click();
          expect(await page.getByRole('menuitemradio').allInnerTexts()).toEqual(labels);
          await page.keyboard.press('Escape');
        }
        for (const view of views) {
          await page.evaluate((v) => (window.location.hash = v), view);
          await settled(page);
          await noSidewaysScroll(page);
          stray.push(...(await strayCodes(page)).map((s) => `${width} ${view}: ${s}`));
          overflow.push(...(await longNamesOverflow(page)).map((s) => `${width} ${view}: ${s}`));
          violations.push(...(await axe(page)).map((v) => ({ width, view, ...v })));
          await screenshot(page, `tab/personas/${p.id}-${width}-${view}.png`);
          if (width < 1000) {
            // Narrow: every section, form and dialog of the view opened, and still nothing scrolls sideways.
            disclosures += await openEverything(page, `${p.id} ${width} ${view}`);
            overflow.push(...(await longNamesOverflow(page)).map((s) => `${width} ${view} opened: ${s}`));
            await screenshot(page, `tab/personas/${p.id}-${width}-${view}-opened.png`);
          }
          if (view === 'child') {
            // A child's record, as this person may see it.
            await page.getByRole('list', { name: 'Children' }).getByRole('link').first().click();
            await page.getByRole('heading', { name: 'Who has read this record' }).waitFor();
            await settled(page);
            await noSidewaysScroll(page);
            stray.push(...(await strayCodes(page)).map((s) => `${width} child record: ${s}`));
            overflow.push(...(await longNamesOverflow(page)).map((s) => `${width} child record: ${s}`));
            violations.push(...(await axe(page)).map((v) => ({ width, view: 'child record', ...v })));
            await screenshot(page, `tab/personas/${p.id}-${width}-child-record.png`);
            if (width < 1000) disclosures += await openEverything(page, `${p.id} ${width} child record`);
          }
        }
      }
      expect(problems).toEqual([]);
      expect(failed).toEqual([]);
      expect(stray).toEqual([]);
      expect(overflow).toEqual([]);
      expect(violations).toEqual([]);

      // 320 px, the narrowest Teams panel: no tab list; the views are behind one button, each one chosen there
      // opens, and nothing scrolls sideways.
      await page.setViewportSize({ width: 320, height: 800 });
      await page.evaluate((v) => (window.location.hash = v), views[0]!);
      await settled(page);
      await noSidewaysScroll(page);
      expect(await page.getByRole('navigation', { name: 'Views' }).getByRole('tab').count()).toBe(0);
      const menu = page.getByRole('button', { name: /^Views: / });
      for (const label of labels) {
        await menu.click();
        await page.getByRole('menuitemradio', { name: label }).click();
        await page.getByRole('button', { name: `Views: ${label}` }).waitFor();
        await settled(page);
        await noSidewaysScroll(page);
        disclosures += await openEverything(page, `${p.id} 320 ${label}`);
        expect(await longNamesOverflow(page)).toEqual([]);
        if (label === 'Dashboard' || (await page.getByRole('tablist', { name: 'Period' }).count())) {
          // The period tabs wrap rather than push the page wider.
          for (const period of ['This quarter', 'This year', 'This month']) {
            await page.getByRole('tab', { name: period }).click();
            await noSidewaysScroll(page);
          }
        }
      }
      await screenshot(page, `tab/personas/${p.id}-320.png`);
      expect(problems).toEqual([]);
      // The authorising officer has forms to open (record, refuse, review, renew, cancel); the administrator
      // has a form for each team and person.
      if (p.id === 'demo-ao' || p.id === 'demo-admin') expect(disclosures).toBeGreaterThan(4);
      await page.close();
    },
    240_000,
  );
});

describe('at 320 px (the narrowest Teams panel)', () => {
  it('a day is written and read as day/month/year: the audit trail export', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 320, height: 800 });
    await page.addInitScript((id) => sessionStorage.setItem('overt-demo-persona', id), 'demo-ig');
    await page.goto(`${base}/#exports`);
    await page.getByRole('heading', { level: 2, name: 'Exports' }).waitFor();
    const from = page.getByRole('textbox', { name: 'From (day)' });
    // Shown as the British write it, whatever the browser's own language.
    expect(await from.inputValue()).toBe(`01/01/${new Date().getFullYear()}`);
    await from.fill('15/01/2026');
    await page.getByText('15 January 2026').waitFor();
    const asked = page.waitForRequest((r) => r.url().includes('/api/v1/audit.csv'));
    await page.getByRole('button', { name: 'Audit trail (CSV)' }).click();
    expect(new URL((await asked).url()).searchParams.get('from')).toBe('2026-01-15');
    // Not a day: said by the field, and nothing to download.
    await from.fill('31/02/2026');
    await page.getByText('Write the day as day/month/year, e.g. 15/01/2026.').waitFor();
    expect(await page.getByRole('button', { name: 'Audit trail (CSV)' }).count()).toBe(0);
    // "Before" no later than "From".
    await from.fill('01/01/2099');
    await page.getByText('“Before” must be a later day than “From”.').waitFor();
    expect(await page.getByRole('button', { name: 'Audit trail (CSV)' }).count()).toBe(0);
    await noSidewaysScroll(page);
    await page.close();
  }, 60_000);
});

describe('switching persona (the demo)', () => {
  it("never shows the previous persona's view or data, even for a moment, and asks nothing as the new one that is theirs to refuse", async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.addInitScript((id) => sessionStorage.setItem('overt-demo-persona', id), 'demo-sm');
    await page.goto(`${base}/`);
    await page.getByRole('heading', { level: 2, name: 'Service dashboard' }).waitFor();
    const sm = (await running.store.get('staff', 'demo-sm'))!.record.name;
    const cm = (await running.store.get('staff', 'demo-cm-north-1'))!.record.name;
    // A child of another team: on the service manager's list, never on the case manager's.
    const other = (await running.store.query('child', { where: { teamId: 'south' } }))[0]!.record.caseRef;
    // The service manager's answers come late (a slow network), so they land after the switch.
    await page.route('**/api/v1/**', async (route) => {
      const who = route.request().headers()['x-overt-demo-persona'];
      await new Promise((r) => setTimeout(r, who === 'demo-sm' ? 1500 : 200));
      await route.continue();
    });
    const asked: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/'))
        asked.push(
          `${r.request().headers()['x-overt-demo-persona']} ${r.status()} ${new URL(r.url()).pathname}`,
        );
    });
    // Every state of the page, as drawn: the persona picked and what the page says.
    await page.evaluate(() => {
      const w = window as unknown as { seen: string[] };
      w.seen = [];
      const look = () => {
        const picked = document.querySelector('header select') as HTMLSelectElement | null;
        const main = document.querySelector('main') as HTMLElement | null;
        w.seen.push(`${picked?.value ?? ''}\n${main?.innerText ?? ''}`);
      };
      new MutationObserver(look).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
      });
      const frame = () => {
        look();
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    // The service manager opens the children (their list on its way), then the case manager is picked.
    await page.evaluate(() => (window.location.hash = 'child'));
    await page.getByRole('combobox', { name: 'Demo persona' }).selectOption('demo-cm-north-1');
    await page.getByRole('heading', { level: 2, name: 'My requests' }).waitFor();
    await page.getByText(`Signed in as ${cm}`).waitFor();
    // Past the service manager's late answers.
    await page.waitForTimeout(2500);
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const wrong = seen.filter(
      (s) =>
        s.startsWith('demo-cm-north-1\n') &&
        (s.includes(sm) || s.includes('Service dashboard') || s.includes(other)),
    );
    expect(wrong.map((s) => s.slice(0, 200))).toEqual([]);
    expect(seen.filter((s) => s.startsWith('demo-cm-north-1\n')).length).toBeGreaterThan(0);
    // Nothing was asked as the case manager for the service manager's views (each a refusal on the audit trail).
    expect(asked.filter((a) => a.startsWith('demo-cm-north-1 ') && !/ 2\d\d /.test(a))).toEqual([]);
    expect(await page.getByRole('heading', { level: 2, name: 'My requests' }).count()).toBe(1);
    expect(await page.evaluate(() => document.querySelector('main')!.innerText)).not.toContain(other);
    await page.close();
  }, 60_000);
});

describe('a name of 80 characters', () => {
  it("wraps in the child's record at 1280, 400 and 320 px: the heading, the request and who raised it", async () => {
    const page = await browser.newPage();
    await page.addInitScript((id) => sessionStorage.setItem('overt-demo-persona', id), 'demo-sm');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/#child/${encodeURIComponent(longChildId)}`);
    await page.getByRole('heading', { name: 'Who has read this record' }).waitFor();
    for (const width of [1280, 400, 320]) {
      await page.setViewportSize({ width, height: 900 });
      await settled(page);
      const heading = await page.locator('main h2').first().innerText();
      expect(heading.replace(/\s+/g, ' ')).toContain(`${LONG_REF} — ${LONG_CHILD}`);
      const text = await page.evaluate(() => document.querySelector('main')!.innerText.replace(/\s+/g, ' '));
      expect(text).toContain(LONG_STAFF);
      await noSidewaysScroll(page);
      expect(await longNamesOverflow(page)).toEqual([]);
      await screenshot(page, `tab/personas/long-names-${width}-child-record.png`);
    }
    await page.close();
  }, 60_000);
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
  it('name no code, staff id or record id: the subject-access PDF of every child, the annual review, the RIPA central record, the audit CSV', async () => {
    const get = async (path: string, persona: string) => {
      const res = await fetch(`${base}${path}`, { headers: { 'x-overt-demo-persona': persona } });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const children = (await running.store.query('child', {})).map((c) => c.record);
    expect(children.length).toBeGreaterThan(30);
    const year = new Date().getFullYear();
    // Asked for all at once, as several people would (the server answers each in turn).
    const papers: [string, Buffer][] = await Promise.all([
      ...children.map(async (c): Promise<[string, Buffer]> => [
        `subject access ${c.caseRef}`,
        await get(`/api/v1/children/${encodeURIComponent(c.id)}/subject-access.pdf`, 'demo-ig'),
      ]),
      (async (): Promise<[string, Buffer]> => [
        'annual review',
        await get(`/api/v1/review/${year}/export.pdf`, 'demo-sm'),
      ])(),
      (async (): Promise<[string, Buffer]> => [
        'RIPA central record',
        await get('/api/v1/ripa/central-record.pdf', 'demo-ao'),
      ])(),
    ]);
    const stray: string[] = [];
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
    // The central record's CSV too.
    const central = parseCsv((await get('/api/v1/ripa/central-record.csv', 'demo-ao')).toString('utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(central.length).toBeGreaterThan(0);
    for (const row of central)
      for (const [k, v] of Object.entries(row))
        stray.push(...strayIn(`${k}: ${v}`).map((s) => `central record CSV: ${s}`));
    // The papers are read once everything is fetched, by pdf.js in child processes, one a core; meanwhile some
    // are drawn as a reader sees them (kept as images beside the screenshots): the child with an objection, the
    // child under RIPA, the child with the long names, the annual review, the central record.
    const drawn = ['DEMO-0001', 'DEMO-0013', LONG_REF]
      .map((ref) => papers.findIndex(([what]) => what === `subject access ${ref}`))
      .concat([children.length, children.length + 1])
      .map((i) => ({ name: `tab/papers/${papers[i]![0].replace(/\s+/g, '-')}`, pdf: papers[i]![1] }));
    const [texts, pictures] = await Promise.all([
      pdfTextsInParallel(papers.map(([, pdf]) => pdf)).then((all) => all.map((pages) => pages.join('\n'))),
      paperPages(browser, drawn),
    ]);
    texts.forEach((text, i) => stray.push(...strayIn(text).map((s) => `${papers[i]![0]}: ${s}`)));
    // Nothing is drawn past the margins, and the long names are there whole, wrapped.
    pictures.forEach((pages, i) =>
      expect({ paper: drawn[i]!.name, past: pastTheMargins(pages) }).toEqual({
        paper: drawn[i]!.name,
        past: [],
      }),
    );
    const long = pictures[2]!.flatMap((p) => p.runs.map((r) => r.text)).join(' ');
    for (const word of `${LONG_CHILD} ${LONG_STAFF}`.split(/[\s-]+/)) expect(long).toContain(word);
    const review = texts[children.length]!;
    expect(review).toContain(`Annual review ${year} — page 1 of`);
    // A team's figures under the team's name, not its id ("By team — North").
    const teams = (await running.store.query('team')).map((t) => t.record.name);
    for (const team of teams) expect(review).toContain(`Volumes — By team — ${team}:`);
    expect(review).not.toMatch(/By team — (North|South|City):/);
    // Each paper's title block says who made it, by name.
    const made = (t: string) => /Made by: (.*)/.exec(t)?.[1]?.trim();
    expect(made(review)).toBe((await running.store.get('staff', 'demo-sm'))!.record.name);
    // The central record holds the demo's authorisation.
    const ripa = texts[children.length + 1]!;
    expect(ripa).toMatch(/RIPA central record — page 1 of/);
    expect(ripa).not.toContain('No authorisation is on the record.');
    expect(made(ripa)).toBe((await running.store.get('staff', 'demo-ao'))!.record.name);
    expect(stray).toEqual([]);
  }, 240_000);
});
