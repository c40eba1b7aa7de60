import { existsSync } from 'node:fs';
import { source as axeSource } from 'axe-core';
import type { Page } from 'playwright-core';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import { raiseObjection } from '../../src/workflow';
import { evidenceLines } from '../../src/vocabulary';
import {
  docsScreenshot,
  launchChromium,
  screenshot,
  CHROMIUM_PATH,
  type BrowserSession,
} from '../browser/chromium';
import { tempDirs } from '../store/temp-dirs';
import { dashboardFigures, untilChartsShow, type Scheme } from './dashboard-charts';

/**
 * The tab in Debian's Chromium on the demo service (`npm start`'s, on port 0, demo personas on): the
 * dashboard, a child's history, an objection handled by information governance, the annual review exported.
 * Each view is screenshot in light and dark (test-artifacts/tab/) and checked with axe-core: no serious or
 * critical violation. The dashboard's charts are checked against the API's own figures in light, dark and
 * forced colours (dashboard-charts-*.png).
 */

const dirs = tempDirs('tab');
let running: Running;
let browser: BrowserSession;
let base: string;
let objectionChild: { id: string; caseRef: string };

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
  // A fresh objection for information governance to handle.
  const child = (await running.store.query('child', { where: { teamId: 'north' } }))
    .map((c) => c.record)
    .find((c) => !c.openObjectionId)!;
  const raised = await raiseObjection(running.deps, {
    key: 'tab-test-objection',
    actorId: child.workerId,
    childId: child.id,
    raisedBy: 'the child, by email',
    raisedAt: new Date().toISOString(),
  });
  if (!raised.ok) throw new Error(raised.error.message);
  objectionChild = { id: child.id, caseRef: child.caseRef };
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
}, 120_000);

afterAll(async () => {
  delete process.env.OVERT_DEMO_AUTH;
  await browser?.close();
  await running?.stop();
  dirs.cleanup();
});

async function open(persona: string, hash: string): Promise<Page> {
  const page = await browser.newPage();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.addInitScript((p) => sessionStorage.setItem('overt-demo-persona', p), persona);
  await page.goto(`${base}/#${hash}`);
  return page;
}

/**
 * axe-core on the page as it is: no serious or critical violation. Tabster's focus sentinels (Fluent UI's
 * `<i data-tabster-dummy tabindex=0 aria-hidden>`, which hand focus on at the edges of a group) are left out:
 * axe reports them as aria-hidden-focus, but they never keep focus.
 */
async function axe(page: Page): Promise<void> {
  await page.evaluate(axeSource);
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
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}

/**
 * Light and dark screenshots, each checked with axe (and with `check`, if given); the theme follows the
 * browser's scheme live.
 */
async function shots(page: Page, name: string, check?: (scheme: Scheme) => Promise<void>): Promise<void> {
  await check?.('light');
  await screenshot(page, `tab/${name}-light.png`);
  await axe(page);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(
    () =>
      getComputedStyle(document.querySelector('.fui-FluentProvider')!).backgroundColor !==
      'rgb(245, 245, 245)',
  );
  await check?.('dark');
  await screenshot(page, `tab/${name}-dark.png`);
  await axe(page);
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('the tab in Chromium', () => {
  it('shows the service dashboard, its charts drawn from the API’s figures, with links into a child’s history', async () => {
    const page = await open('demo-sm', 'dashboard');
    await page.getByRole('heading', { name: 'Service dashboard' }).waitFor();
    await page.getByText('Signed in as Sol Marsh (demo), Service manager').waitFor();
    const figures = await dashboardFigures(page, 'demo-sm');
    await untilChartsShow(page, figures, 'month', 'light');
    await page.getByRole('tab', { name: 'This year' }).click();
    const checks = Number(await page.locator('[data-figure="checks"]').textContent());
    expect(checks).toBeGreaterThan(10);
    await page
      .getByRole('table', { name: 'Figures by team, year' })
      .getByRole('row', { name: /North Locality Team/ })
      .waitFor();
    await page.getByRole('figure', { name: 'Decisions by team, this year' }).waitFor();
    await page.getByRole('link', { name: objectionChild.caseRef }).waitFor();
    const charts = page.locator('[data-charts]');
    await shots(page, 'dashboard', async (scheme) => {
      await untilChartsShow(page, figures, 'year', scheme);
      await screenshot(charts, `tab/dashboard-charts-${scheme}.png`);
      // The dashboard as the service manager sees it, its charts drawn: the README's picture of it.
      if (scheme === 'light') await docsScreenshot(page, 'dashboard-1280.png');
    });
    // Windows high contrast: the tab takes the Teams contrast theme, the bars the system's colours.
    await page.emulateMedia({ forcedColors: 'active', colorScheme: 'dark' });
    await untilChartsShow(page, figures, 'year', 'contrast');
    await screenshot(charts, 'tab/dashboard-charts-contrast.png');
    await axe(page);
    // With the keyboard: Tab from the period into the first chart, the arrow keys along its bars.
    const year = figures.periods.find((p) => p.id === 'year')!;
    const named = figures.teams
      .filter((t) => year.byTeam[t.id]?.checks)
      .map((t) => `${t.name}. Checks, ${year.byTeam[t.id]!.checks}.`);
    await page.getByRole('tab', { name: 'This year' }).focus();
    for (const [i, key] of ['Tab', 'ArrowRight'].entries()) {
      await page.keyboard.press(key);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(named[i]);
    }
    await page.close();
  }, 60_000);

  it("opens a child's history from the dashboard, filters it, and shows who read it", async () => {
    const page = await open('demo-sm', 'dashboard');
    await page.getByRole('link', { name: objectionChild.caseRef }).click();
    await page.getByRole('heading', { name: new RegExp(`^${objectionChild.caseRef}`) }).waitFor();
    await page
      .getByRole('list', { name: 'Timeline' })
      .getByText(/Objection \(open\)/)
      .waitFor();
    await page
      .getByRole('table', { name: 'Access log' })
      .getByRole('cell', { name: 'Sol Marsh (demo)' })
      .first()
      .waitFor();
    await page.getByRole('checkbox', { name: 'Consent' }).check();
    await page.getByRole('heading', { name: /^Timeline \(\d+\)$/ }).waitFor();
    await expect(
      page
        .getByRole('list', { name: 'Timeline' })
        .getByText(/Objection \(open\)/)
        .count(),
    ).resolves.toBe(0);
    await page.getByRole('checkbox', { name: 'Consent' }).uncheck();
    await shots(page, 'history');
    await page.close();
  }, 60_000);

  it('lets information governance handle an objection with the keyboard: take, respond, resolve', async () => {
    const page = await open('demo-ig', 'objections');
    const item = page
      .getByRole('list', { name: 'Open objections' })
      .getByRole('listitem')
      .filter({ hasText: objectionChild.caseRef });
    await item.getByRole('button', { name: 'Take this objection' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(`${objectionChild.caseRef}: taken by information governance`)
      .waitFor();
    await item
      .getByRole('textbox', { name: `Formal response for ${objectionChild.caseRef}` })
      .fill('<b>not bold</b> Checks have stopped while we review.');
    await shots(page, 'objections');
    await item.getByRole('button', { name: 'Send the formal response' }).click();
    await item.getByText('Response: <b>not bold</b> Checks have stopped while we review.').waitFor();
    await item
      .getByRole('combobox', { name: `Outcome for ${objectionChild.caseRef}` })
      .selectOption('checks-stopped');
    await item.getByRole('button', { name: 'Record the outcome' }).click();
    await page
      .getByRole('list', { name: 'Resolved objections' })
      .getByText(new RegExp(`${objectionChild.caseRef}: .*checks stopped`))
      .waitFor();
    expect(await page.locator('b').count()).toBe(0);
    const stored = await running.store.query('objection', { where: { childId: objectionChild.id } });
    expect(stored.map((o) => o.record.status)).toContain('resolved');
    await page.close();
  }, 60_000);

  it('lets the service manager submit the annual review and export it as PDF and CSV', async () => {
    const page = await open('demo-sm', 'review');
    await page.getByRole('heading', { name: 'The five assertions' }).waitFor();
    // A second tab holds the same blank form: once the first submits, the second's submission is refused
    // in plain words, and it is shown what was submitted (no second review is kept).
    const second = await open('demo-sm', 'review');
    await second.getByRole('heading', { name: 'The five assertions' }).waitFor();
    for (const name of [
      'Benefits',
      'Complaints, concerns and objections',
      'Local procedures',
      'Records and audit trail',
      'Risks',
    ])
      await page
        .getByRole('textbox', { name: `Why (${name})` })
        .fill(`Assessed from the evidence (${name}).`);
    await page
      .getByRole('radiogroup', { name: 'Assessment: Local procedures' })
      .getByRole('radio', { name: 'Partly met' })
      .check();
    await page.getByRole('button', { name: 'Submit and send to information governance' }).click();
    await page
      .getByText(/^Revision 1 of the review for \d{4} is kept and sent to information governance/)
      .waitFor();
    await shots(page, 'review');
    for (const name of [
      'Benefits',
      'Complaints, concerns and objections',
      'Local procedures',
      'Records and audit trail',
      'Risks',
    ])
      await second.getByRole('textbox', { name: `Why (${name})` }).fill('From a second tab.');
    await second.getByRole('button', { name: 'Submit and send to information governance' }).click();
    const refused = second.getByRole('alert');
    await refused.getByText('Submitted meanwhile').waitFor();
    expect(await refused.innerText()).toMatch(
      /revision 1 was submitted by Sol Marsh \(demo\) on \d{1,2} \w+ \d{4}/,
    );
    expect(await refused.innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}T|CONFLICT|revision:/);
    await second
      .getByRole('list', { name: 'Assessments as submitted' })
      .getByText('Local procedures: Partly met')
      .waitFor();
    await shots(second, 'review-submitted-meanwhile');
    await second.close();
    const year0 = new Date().getFullYear();
    expect(await running.store.query('review', { where: { year: year0 } })).toHaveLength(1);
    // Submitted is read-only, after a reload too, and shown to information governance with who and when; a
    // new revision only by choice.
    await page.reload();
    const submitted = page.getByRole('list', { name: 'Assessments as submitted' });
    await submitted.getByText('Local procedures: Partly met').waitFor();
    await page
      .getByText(
        /^Revision 1, submitted by Sol Marsh \(demo\) on \d{1,2} \w+ \d{4}.* and sent to information governance/,
      )
      .waitFor();
    expect(
      await page.getByRole('button', { name: 'Submit and send to information governance' }).count(),
    ).toBe(0);
    const ig = await open('demo-ig', 'review');
    await ig.getByRole('list', { name: 'Assessments as submitted' }).getByText('Benefits: Met').waitFor();
    // Above it, the evidence it was submitted with (as its PDF says it), not today's figures (walk 14c, finding 4).
    await ig.getByRole('heading', { name: 'Evidence as submitted' }).waitFor();
    const [kept] = await running.store.query('review', { where: { year: year0 } });
    const checked = evidenceLines(kept!.record.evidence).find(([k]) => /Events checked/.test(k))!;
    await ig.getByText(/^Show the evidence/).click();
    expect(
      await ig.locator('dt', { hasText: checked[0] }).locator('xpath=following-sibling::dd[1]').innerText(),
    ).toBe(checked[1]);
    expect(await ig.getByRole('button', { name: /^Start revision/ }).count()).toBe(0);
    await ig.close();
    await page.getByRole('button', { name: 'Start revision 2' }).click();
    await page.getByRole('textbox', { name: 'Why (Benefits)' }).waitFor();
    const year = new Date().getFullYear();
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export the review as PDF' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toBe(`annual-review-${year}.pdf`);
    await page.getByText(new RegExp(`Downloaded annual-review-${year}\\.pdf`)).waitFor();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export the review as CSV' }).click(),
    ]);
    expect(csv.suggestedFilename()).toBe(`annual-review-${year}.csv`);
    await page.close();
  }, 150_000);

  it('lets a team manager decide on the day the demo starts; a request they decided meanwhile in another tab loses its buttons and says their decision is recorded, in en-GB words', async () => {
    const a = await open('demo-tm-north', 'decisions');
    const b = await open('demo-tm-north', 'decisions');
    const listOf = (p: Page) => p.getByRole('list', { name: 'Requests awaiting your decision' });
    await listOf(a).getByRole('listitem').first().waitFor();
    await listOf(b).getByRole('listitem').first().waitFor();
    const caseRef = (await listOf(a).getByRole('listitem').first().getAttribute('aria-label'))!.split(
      ',',
    )[0]!;
    const item = (p: Page) => listOf(p).getByRole('listitem', { name: new RegExp(`^${caseRef},`) });
    await item(a)
      .getByRole('textbox', { name: `Your reasons for ${caseRef}` })
      .fill('Necessary (fictional).');
    await item(a).getByRole('button', { name: 'Approve' }).click();
    await a.getByText(`${caseRef}: approved.`).waitFor();
    await item(b)
      .getByRole('textbox', { name: `Your reasons for ${caseRef}` })
      .fill('Also fine (fictional).');
    await item(b).getByRole('button', { name: 'Approve' }).click();
    const said = item(b).getByRole('status');
    // The same person's decision, pressed again elsewhere: told it is recorded, never "already decided" by them.
    await said.getByText('Your decision is recorded').waitFor();
    const text = await said.innerText();
    expect(text).toMatch(
      new RegExp(
        `${caseRef}: You already approved this request on \\d{1,2} \\w+ \\d{4}.*your decision is recorded`,
      ),
    );
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T|ALREADY_DECIDED|Conflict/);
    for (const name of ['Approve', 'Decline', 'Ask for more information'])
      expect(await item(b).getByRole('button', { name }).count()).toBe(0);
    await shots(b, 'decisions-decided-meanwhile');
    await item(b).getByRole('button', { name: 'Refresh the list' }).click();
    await listOf(b).or(b.getByText('Nothing awaits your decision.')).first().waitFor();
    expect(await item(b).count()).toBe(0);
    await a.close();
    await b.close();
  }, 60_000);

  it('offers an authorising officer only what the workflow allows: a RIPA repeat viewing has no Approve, says why and leads to the RIPA central record (the same answer as the bot card)', async () => {
    // A repeat viewing inside three months the demo left on the RIPA route (000 §12).
    const ripa = (await running.store.query('request', { where: { status: 'escalated' } }))
      .map((r) => r.record)
      .find((r) => r.authority === 'authorised-officer');
    expect(ripa).toBeDefined();
    const caseRef = (await running.store.get('child', ripa!.childId))!.record.caseRef;
    // The API says so, from the workflow's one answer (decisionChoices).
    const awaiting = (await (
      await fetch(`${base}/api/v1/decisions/awaiting`, { headers: { 'x-overt-demo-persona': 'demo-ao' } })
    ).json()) as { id: string; choices: { route: string } }[];
    expect(awaiting.find((a) => a.id === ripa!.id)?.choices.route).toBe('ripa');
    const page = await open('demo-ao', 'decisions');
    const item = page
      .getByRole('list', { name: 'Requests awaiting your decision' })
      .getByRole('listitem', { name: new RegExp(`^${caseRef},`) })
      .first();
    await item.getByText('Needs a RIPA authorisation').waitFor();
    for (const name of ['Approve', 'Decline', 'Ask for more information'])
      expect(await item.getByRole('button', { name }).count()).toBe(0);
    await item.getByRole('link', { name: /Open the RIPA central record/ }).click();
    await page.getByText('Waiting for an authorisation').first().waitFor();
    await page.close();
  }, 60_000);

  it('tells the authorising officer an authorisation recorded with the date a magistrate approved it is in force, not awaiting the magistrate (walk 14c, finding 1)', async () => {
    const page = await open('demo-ao', 'ripa');
    const form = page
      .locator('details')
      .filter({ has: page.getByText('Date a magistrate approved it', { exact: true }) })
      .first();
    await page.getByText('Waiting for an authorisation').first().waitFor();
    const title = (await form.locator('summary').innerText()).trim();
    const caseRef = title.replace('Record the authorisation for ', '');
    await form.locator('summary').click();
    await form.getByLabel('Unique reference').fill(`DS-MAG-${caseRef}`);
    await form.getByLabel('The criminal offence to be detected or prevented').fill('Assault (fictional)');
    await form.getByLabel('Its maximum sentence').selectOption({ label: 'Five years' });
    for (const l of ['Why it is necessary', 'Why it is proportionate', 'The legal advice taken'])
      await form.getByLabel(l).fill('A fictional reason given for the test.');
    await form
      .getByLabel('Date a magistrate approved it')
      .fill(new Date().toLocaleDateString('en-GB', { timeZone: 'Europe/London' }));
    await form.getByRole('button', { name: 'Record the authorisation' }).click();
    await page.getByText(`${caseRef}: the authorisation is recorded and in force`).waitFor();
    expect(await page.getByText(/awaiting the magistrate’s approval\./).count()).toBe(0);
    // What the tab says is what Overt recorded: in force, not awaiting a magistrate.
    const [ripa] = (await running.store.query('ripa', { where: {} }))
      .map((r) => r.record)
      .filter((r) => r.reference === `DS-MAG-${caseRef}`);
    expect(ripa?.magistrateApprovedOn).toBeDefined();
    expect(ripa?.awaitingMagistrate).toBeUndefined();
    await page.close();
  }, 60_000);

  it('breaks no word in the RIPA authorisations table at 1280 px, and shows the dashboard legend whole at 320 px (walk 14c, findings 6-7)', async () => {
    /** Words in tables and charts drawn on more than one line (broken mid-word), and words past the right edge. */
    const split = (page: Page) =>
      page.evaluate(() => {
        const out = { broken: [] as string[], cut: [] as string[] };
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const text = n as Text;
          if (!text.parentElement?.closest('table, figure')) continue;
          for (const m of text.data.matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(text, m.index);
            range.setEnd(text, m.index + m[0].length);
            const rects = [...range.getClientRects()].filter((r) => r.width > 0);
            if (rects.length > 1) out.broken.push(m[0]);
            if (rects.some((r) => r.right > window.innerWidth)) out.cut.push(m[0]);
          }
        }
        return out;
      });
    const ao = await open('demo-ao', 'ripa');
    const table = ao.getByRole('table', { name: 'RIPA authorisations' });
    await table.getByRole('row').nth(1).waitFor();
    await table.getByRole('columnheader', { name: 'Authorising officer' }).waitFor();
    expect(await split(ao)).toEqual({ broken: [], cut: [] });
    // Nor does the table scroll sideways to keep its words whole.
    expect(await table.evaluate((t) => t.parentElement!.scrollWidth - t.parentElement!.clientWidth)).toBe(0);
    await ao.close();
    const narrow = await open('demo-sm', 'dashboard');
    await narrow.setViewportSize({ width: 320, height: 900 });
    await narrow
      .locator('figure')
      .getByText('Repeats stopped (too soon after the last)', { exact: true })
      .first()
      .waitFor();
    const legend = await split(narrow);
    expect(legend.cut).toEqual([]);
    await narrow.close();
  }, 60_000);

  it("shows a case manager's own requests (the My requests tab)", async () => {
    const page = await open('demo-cm-north-1', 'requests');
    await page.getByRole('table', { name: 'My requests' }).getByRole('row').nth(1).waitFor();
    await shots(page, 'my-requests');
    await page.close();
  }, 60_000);

  it('shows the policy and the exports views without serious accessibility problems', async () => {
    const page = await open('demo-admin', 'policy');
    await page
      .getByText(/Platform notes, last checked/)
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Save the platform notes' }).first().waitFor();
    await shots(page, 'policy');
    await page.goto(`${base}/#exports`);
    await page.getByRole('heading', { name: 'Audit trail' }).waitFor();
    await shots(page, 'exports');
    await page.close();
  }, 60_000);
});
