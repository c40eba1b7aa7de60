import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import { BUILTIN_IDS, builtinProfile } from '../../src/policy/builtin';
import { launchChromium, screenshot, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from '../cli/run';
import { fingerprint } from '../../src/policy/authority';
import { loadProfileFile } from '../../src/policy/load';

/**
 * issue 18: the tab's Policy view reads like the policy and lists EVERY loaded profile, not only those in use —
 * the five built-ins and a custom one (Ashbridge, versions 1 and 2 loaded, no team on it) — each with its
 * versions (in force from, fingerprint, which is in force now), who may act as each authority (by its
 * declared name, and how a person holds it), how verdicts combine, every condition in words, and what Overt
 * does not enforce. In Chromium on the demo service; screenshots at 1280 and 400 px
 * (test-artifacts/tab/policy/); no profile id, rule id, authority code or field name visible.
 */
jest.setTimeout(120_000);
const dirs = tempDirs('tab-policy-profiles');
const ash = join(__dirname, '../policy/fixtures/ashbridge');
let running: Running;
let browser: BrowserSession;
let base: string;
const errors: string[] = [];
afterEach(() => expect(errors.splice(0)).toEqual([]));

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/ensure-chromium.sh`);
  await buildTab();
  process.env.OVERT_DEMO_AUTH = 'on';
  running = await start(
    {
      OVERT_DATA: dirs.make(),
      BOT_PORT: '0',
      TAB_PORT: '0',
      OVERT_JOBS_EVERY: '3600',
      OVERT_PROFILE_FILES: `${join(ash, 'policy-v1.json')},${join(ash, 'policy-v2.json')}`,
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

async function open(persona: string): Promise<Page> {
  const page = await browser.newPage();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.addInitScript((p) => sessionStorage.setItem('overt-demo-persona', p), persona);
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/#policy`);
  await page.getByRole('heading', { name: 'Policy', exact: true }).waitFor();
  await page.getByRole('article').first().waitFor();
  return page;
}

const INTERNAL = [
  ...BUILTIN_IDS,
  'ashbridge-cs',
  'own-tm',
  'missing-coordinator',
  'assistant-director',
  'second-in-3-weeks',
  'record-late',
  'history-readers',
  'priorChecks',
  'childAge',
  'recordedBy',
  'holdsNone',
  'byHoldsNone',
  'workingDays',
  'ofChildTeam',
  'cla-service-manager',
  'authorised-officer',
  ...BUILTIN_IDS.flatMap((id) => builtinProfile(id)!.rules.map((r) => r.id)).filter((x) => x.includes('-')),
];

describe('the Policy view', () => {
  it('lists every loaded profile with its versions, authorities and holders, combining and conditions in words', async () => {
    const page = await open('demo-cm-north-1');
    const main = page.locator('main');
    // Every loaded profile: the five built-ins and Ashbridge (which no team uses).
    const headings = await page
      .getByRole('article')
      .evaluateAll((as) => as.map((a) => a.getAttribute('aria-label')));
    expect(headings).toEqual(
      expect.arrayContaining([
        ...BUILTIN_IDS.map((id) => builtinProfile(id)!.name),
        'Ashbridge online safeguarding viewing policy',
      ]),
    );
    expect(headings).toHaveLength(6);
    const ashbridge = page.getByRole('article', { name: 'Ashbridge online safeguarding viewing policy' });
    await expect(ashbridge.innerText()).resolves.toMatch(/No team works under it\./);
    // Its history: both versions, when each takes effect, a fingerprint, version 2 in force now.
    const versions = await ashbridge
      .getByRole('list', { name: 'Versions of Ashbridge online safeguarding viewing policy' })
      .innerText();
    // The whole fingerprint, the same the API gives and `overt policy show` prints for each file.
    const [p1, p2] = ['policy-v1.json', 'policy-v2.json'].map((f) => {
      const loaded = loadProfileFile(join(ash, f));
      if (!loaded.ok) throw new Error(loaded.error.message);
      return fingerprint(loaded.value);
    });
    expect(p1).toMatch(/^sha256:[0-9a-f]{64}$/);
    // A case manager is shown no fingerprint: to them it is a code (walk 14c, finding 3).
    expect(versions).toMatch(/^Version 1, in force from 1 June 2026\n/);
    expect(versions).toMatch(/Version 2, in force from 1 September 2026\s*In force now/);
    expect(versions).not.toMatch(/sha256|ingerprint/);
    // The administrator, who compares copies of a policy file, is shown it in words.
    const admin = await open('demo-admin');
    const adminVersions = await admin
      .getByRole('list', { name: 'Versions of Ashbridge online safeguarding viewing policy' })
      .innerText();
    expect(adminVersions).toContain(
      `Version 1, in force from 1 June 2026. Fingerprint (to compare copies): ${p1}\n`,
    );
    expect(adminVersions).toMatch(
      new RegExp(
        `Version 2, in force from 1 September 2026. Fingerprint \\(to compare copies\\): ${p2}\\s*In force now`,
      ),
    );
    await admin.close();
    const api = (await page.evaluate(async () =>
      (await fetch('/api/v1/policy', { headers: { 'x-overt-demo-persona': 'demo-cm-north-1' } })).json(),
    )) as { profiles: { id: string; versions: { version: string; fingerprint: string }[] }[] };
    expect(api.profiles.find((p) => p.id === 'ashbridge-cs')?.versions.map((v) => v.fingerprint)).toEqual([
      p1,
      p2,
    ]);
    for (const [f, print] of [
      ['policy-v1.json', p1],
      ['policy-v2.json', p2],
    ] as const)
      expect((await runCli('policy', 'show', join(ash, f))).stdout).toContain(`(fingerprint ${print})`);
    // Authorities by name, with who holds them.
    const who = await ashbridge.getByRole('list', { name: /Who may act as each authority/ }).innerText();
    expect(who).toMatch(/The child's own team manager: a team manager in the child's own team/);
    expect(who).toMatch(/The Missing Children Coordinator: a member of the “Missing Children Team” group/);
    expect(who).toMatch(/The Prevent lead: anyone whose staff record is marked “prevent lead”/);
    await expect(ashbridge.getByRole('list', { name: /How verdicts combine/ }).innerText()).resolves.toMatch(
      /A refusal decides over everything/,
    );
    // Conditions in words (the clauses open).
    for (const s of await ashbridge.locator('summary').all()) await s.click();
    const text = await ashbridge.innerText();
    expect(text).toMatch(/already viewed in the last 28 days .*in any 28 days/);
    expect(text).toMatch(/the child is 16 or over/);
    expect(text).toMatch(/more than 2 working days have passed since the viewing/);
    expect(text).toMatch(/recorded by someone other than a Designated Safeguarding Lead/);
    expect(text).toMatch(/for the Prevent lead to decide/);
    // A built-in with clauses Overt does not enforce says why.
    const notts = page.getByRole('article', { name: builtinProfile('nottinghamshire-yjs')!.name });
    await notts.getByText(/^What Overt does not enforce/).click();
    await expect(notts.innerText()).resolves.toMatch(/The annual review is done by people/);
    for (const width of [1280, 400]) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(200);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect({ width, wide }).toEqual({ width, wide: false });
      await screenshot(page, `tab/policy/every-profile-${width}.png`);
    }
    const all = await main.innerText();
    for (const id of INTERNAL)
      expect({ id, shown: new RegExp(`(?<![\\w-])${id}(?![\\w-])`).test(all) }).toEqual({ id, shown: false });
  });
});
