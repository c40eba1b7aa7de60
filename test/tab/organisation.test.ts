import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { source as axeSource } from 'axe-core';
import type { Page } from 'playwright-core';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import { launchChromium, screenshot, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { tempDirs } from '../store/temp-dirs';
import { caseListTooLarge, notUtf8 } from '../../src/vocabulary/case-list';

/**
 * issue 19: the administrator's teams and staff in the tab, in Chromium on the demo service — a team given
 * another policy profile, a member of staff's role and teams changed, the case list checked row by row (its
 * problems in plain words, nothing imported) and then imported; each change audited. Screenshots at 1280 and
 * 400 px in test-artifacts/tab/organisation/, and the README's in docs/screenshots/ (made by this run).
 */

jest.setTimeout(120_000);
const dirs = tempDirs('tab-organisation');
const DOCS = join(__dirname, '../../docs/screenshots');
let running: Running;
let browser: BrowserSession;
let base: string;
/** Errors thrown in the page: none may be. */
const errors: string[] = [];
afterEach(() => expect(errors.splice(0)).toEqual([]));

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
  mkdirSync(DOCS, { recursive: true });
}, 180_000);

afterAll(async () => {
  delete process.env.OVERT_DEMO_AUTH;
  await browser?.close();
  await running?.stop();
  dirs.cleanup();
});

async function open(): Promise<Page> {
  const page = await browser.newPage();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.addInitScript(() => sessionStorage.setItem('overt-demo-persona', 'demo-admin'));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/#organisation`);
  await page.getByRole('heading', { name: 'Teams and staff' }).waitFor();
  await page.getByRole('table', { name: 'Teams' }).waitFor();
  return page;
}

async function axe(page: Page): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string }[] }> };
      }
    ).axe.run({ exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact }));
  });
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}

/** Full-page screenshots at 1280 and 400 px; no sideways scroll at 400; no staff or record id shown. */
async function shots(page: Page, name: string, docs = false): Promise<void> {
  for (const width of [1280, 400]) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect({ width, wide }).toEqual({ width, wide: false });
    await screenshot(page, `tab/organisation/${name}-${width}.png`);
    if (docs) await page.screenshot({ path: join(DOCS, `${name}-${width}.png`), fullPage: width === 1280 });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  const text = await page.locator('main').innerText();
  expect(text).not.toMatch(/\bdemo-[a-z]|\bnottinghamshire-yjs\b|\bteam-manager\b|\bcase-manager\b/);
  await axe(page);
}

const lastEvent = async () => (await running.store.audit.list()).at(-1)!;

describe('the administrator’s teams and staff', () => {
  it('gives a team another policy profile, audited', async () => {
    const page = await open();
    await shots(page, 'teams-and-staff', true);
    await page.getByRole('button', { name: 'Change City Team (demo)' }).click();
    const form = page.getByRole('form', { name: 'Change City Team (demo)' });
    await form.getByLabel('Policy profile').selectOption('kent-ics');
    await shots(page, 'team-form');
    await form.getByRole('button', { name: 'Save the team' }).click();
    await page.getByText('City Team (demo): saved.').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'City Team (demo)' });
    await row.getByText(/Kent/).waitFor();
    expect((await running.store.get('team', 'city'))!.record.profileId).toBe('kent-ics');
    expect(await lastEvent()).toMatchObject({
      action: 'team.profile',
      actor: { id: 'demo-admin' },
      details: { from: 'nottinghamshire-yjs', to: 'kent-ics' },
    });
    await page.close();
  });

  it('adds a team; a blank name is refused in words by the form, nothing written', async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Add a team' }).click();
    const form = page.getByRole('form', { name: 'Add a team' });
    await form.getByRole('button', { name: 'Save the team' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByRole('alert').innerText()).not.toMatch(/name:|INVALID|400/);
    expect((await running.store.count('team'))[0]!.count).toBe(3);
    await form.getByLabel('Team name').fill('East Youth Justice (demo)');
    await form.getByRole('button', { name: 'Save the team' }).click();
    await page.getByText('East Youth Justice (demo): saved.').waitFor();
    expect((await running.store.get('team', 'east-youth-justice-demo'))!.record.name).toBe(
      'East Youth Justice (demo)',
    );
    await page.close();
  });

  it('changes a member of staff’s role and teams, audited', async () => {
    const page = await open();
    const cm = (await running.store.get('staff', 'demo-cm-north-1'))!.record;
    await page.getByRole('button', { name: `Change ${cm.name}` }).click();
    const form = page.getByRole('form', { name: `Change ${cm.name}` });
    await form.getByLabel('Role').selectOption('team-manager');
    await form.getByRole('checkbox', { name: 'South Locality Team (demo)' }).check();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`${cm.name}: saved.`).waitFor();
    expect((await running.store.get('staff', cm.id))!.record).toMatchObject({
      role: 'team-manager',
      teamIds: ['north', 'south'],
    });
    expect(await lastEvent()).toMatchObject({ action: 'staff.upsert', target: { id: cm.id } });
    await page.close();
  });

  it('gives a member of staff what the policy asks of them (a designated officer), in words, audited', async () => {
    const page = await open();
    const cm = (await running.store.get('staff', 'demo-cm-north-2'))!.record;
    expect(cm.designatedOfficer).toBeUndefined();
    await page.getByRole('button', { name: `Change ${cm.name}` }).click();
    const form = page.getByRole('form', { name: `Change ${cm.name}` });
    const officer = form.getByRole('checkbox', { name: /^Designated officer \(read by .*Camden/ });
    expect(await officer.isChecked()).toBe(false);
    await officer.check();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText(`${cm.name}: saved.`).waitFor();
    expect((await running.store.get('staff', cm.id))!.record).toMatchObject({ designatedOfficer: true });
    expect(await lastEvent()).toMatchObject({
      action: 'staff.upsert',
      target: { id: cm.id },
      details: { flags: ['designatedOfficer'] },
    });
    const row = page.getByRole('row').filter({ hasText: cm.name });
    expect(await row.innerText()).toContain('Designated officer');
    expect(await row.innerText()).not.toContain('designatedOfficer');
    await page.close();
  });

  it('checks a case list row by row, problems in plain words, then imports it', async () => {
    const page = await open();
    const children = async () => (await running.store.count('child'))[0]!.count;
    const before = await children();
    const worker = (await running.store.get('staff', 'demo-cm-south-1'))!.record;
    const rows = (bad: boolean) =>
      [
        'Case reference,Name,Team,Worker',
        `NEW-0001,P.Q. (demo),South Locality Team (demo),${worker.email}`,
        `NEW-0002,R.S. (demo),${bad ? 'Westside' : 'south'},${worker.email}`,
        `NEW-0003,T.U. (demo),south,${bad ? 'nobody@demo.invalid' : worker.name}`,
      ].join('\n');
    const form = page.getByRole('form', { name: 'Import the case list' });
    await form.getByLabel('Or paste it here').fill(rows(true));
    await form.getByRole('button', { name: 'Check the case list' }).click();
    await form.getByText('2 rows need fixing: line 3, line 4. Correct them').waitFor();
    const table = form.getByRole('table', { name: 'Case list rows' });
    // The rows to fix come first.
    const lines = await table.locator('tbody tr td:first-child').allInnerTexts();
    expect(lines).toEqual(['3', '4', '2']);
    await table.getByText('no team "Westside"').waitFor();
    await table.getByText('no case manager "nobody@demo.invalid"').waitFor();
    expect(await form.getByRole('button', { name: /^Import/ }).count()).toBe(0);
    await form.scrollIntoViewIfNeeded();
    await shots(page, 'case-list-problems', true);
    expect(await children()).toBe(before);

    await form.getByLabel('Or paste it here').fill(rows(false));
    await form.getByRole('button', { name: 'Check the case list' }).click();
    await form.getByText('All 3 rows can be imported: 3 children to add, 0 to update.').waitFor();
    await form.getByRole('button', { name: 'Import 3 children' }).click();
    await page.getByText('Case list imported: 3 children added, 0 updated, 0 already as listed.').waitFor();
    expect(await children()).toBe(before + 3);
    expect(await lastEvent()).toMatchObject({ action: 'caselist.import', outcome: 'recorded' });
    await page.close();
  });

  it('refuses a 13 MB file before reading it, and says how to fix a file not in UTF-8 or badly quoted, in full', async () => {
    const page = await open();
    const children = async () => (await running.store.count('child'))[0]!.count;
    const before = await children();
    const sent: string[] = [];
    page.on('request', (r) => (r.url().includes('/children/import') ? sent.push(r.url()) : undefined));
    const form = page.getByRole('form', { name: 'Import the case list' });
    const file = form.getByLabel('CSV file');
    const header = 'Case reference,Name,Team,Worker\n';
    const row = 'BIG-000000,A.B. (demo),south,someone@demo.invalid\n';
    const big = Buffer.from(header + row.repeat(Math.ceil(13_000_000 / row.length)));
    // From a file on disk: the browser gets its path, as from the file picker (a buffer would be copied over).
    const path = join(dirs.make(), 'case-list-big.csv');
    writeFileSync(path, big);
    await file.setInputFiles(path);
    const started = Date.now();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toBe(`case-list-big.csv: ${caseListTooLarge(big.length)}`);
    expect(await alert.innerText()).toMatch(
      /^case-list-big\.csv: the file is 13 MB, and a case list can be at most 1 MB: /,
    );
    // Not read: nothing in the box, nothing sent, and the page answers at once.
    expect(await form.getByLabel('Or paste it here').inputValue()).toBe('');
    expect(await form.getByRole('button', { name: 'Check the case list' }).isDisabled()).toBe(true);
    expect(sent).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
    await form.scrollIntoViewIfNeeded();
    await shots(page, 'case-list-too-large');

    // Excel's plain "CSV" (Windows-1252): the whole advice, "CSV UTF-8" and all.
    const worker = (await running.store.get('staff', 'demo-cm-south-1'))!.record;
    await file.setInputFiles({
      name: 'case-list.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${header}NEW-0100,Zoë (demo),south,${worker.email}\n`, 'latin1'),
    });
    await form.getByRole('button', { name: 'Check the case list' }).click();
    await alert.waitFor();
    expect(await alert.innerText()).toBe(notUtf8(2));
    expect(await alert.innerText()).toContain('save it as "CSV UTF-8 (Comma delimited)"');
    await shots(page, 'case-list-not-utf8');

    // A quote opened inside a field: the line and the field in words, as the CLI and the API say it.
    await form
      .getByLabel('Or paste it here')
      .fill(`${header}NEW-0101,Jo "JJ" B. (demo),south,${worker.email}`);
    await form.getByRole('button', { name: 'Check the case list' }).click();
    await form.getByText(/^line 2: a quote opens inside the name field: /).waitFor();
    expect(await children()).toBe(before);
    await page.close();
  });
});
