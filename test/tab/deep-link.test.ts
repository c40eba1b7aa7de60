/**
 * A list card's "Open the Overt tab" opens the tab at the view the card lists (issue 20 walk, finding 6: no test
 * followed the link). Over the bot endpoint, a team manager's "waiting for me" with more than a card shows, and a
 * child's summary with more requests than it shows, each carry a Teams deep link; the link's `subEntityId` is
 * given to the tab as Teams gives it (the host stand-in's getContext), the tab signed in through Teams SSO, in
 * headless Chromium: the first opens "Awaiting decision" listing every request waiting for that manager, the
 * second that child's record. And the tab names the RIPA officer by one name (issue 20 walk, 3): every view
 * the officer and the case manager have, scanned for another.
 */
import { existsSync } from 'node:fs';
import { buildTab } from '../../src/tab/build';
import { start, type Running } from '../../src/server/main';
import {
  bootstrapAdministrator,
  importCaseList,
  raiseRequest,
  recordConsent,
  upsertStaff,
  upsertTeam,
  type Outcome,
} from '../../src/workflow';
import { launchChromium, screenshot, CHROMIUM_PATH, type BrowserSession } from '../browser/chromium';
import { AUDIENCE, PEOPLE, startCouncil, TENANT, type Council } from '../council/council';
import { tempDirs } from '../store/temp-dirs';
import { inTeams } from './teams-host';

const dirs = tempDirs('tab-deep-link');
const APP = '5c0f7e2a-1d3b-4f6e-9a8c-000000000d20';
const TM = PEOPLE.tmEast;
const CM = PEOPLE.cm1;
/** The authorising officer (RIPA). */
const AO = PEOPLE.tmWest;
/** More than a list card shows (10). */
const WAITING = 13;
let council: Council;
let running: Running;
let browser: BrowserSession;
let base: string;
let bot: string;
let childId: string;
const saved = { ...process.env };
const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(o.error.message);
  return o.value;
};

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/ensure-chromium.sh`);
  await buildTab();
  council = await startCouncil(dirs.make());
  delete process.env.OVERT_DEMO_AUTH;
  running = await start(
    {
      OVERT_DATA: dirs.make(),
      OVERT_DEMO: 'off',
      OVERT_DEMO_AUTH: 'off',
      BOT_PORT: '0',
      TAB_PORT: '0',
      OVERT_JOBS_EVERY: '3600',
      OVERT_NOTICES_EVERY: '3600',
      TEAMS_APP_ID: APP,
      OVERT_AUTH_AUDIENCE: AUDIENCE,
      OVERT_AUTH_TENANTS: TENANT,
      OVERT_AUTH_STAFF_MAP: 'entra',
      OVERT_AUTH_JWKS_URL: council.jwksUrl,
    },
    () => undefined,
  );
  const deps = running.deps;
  let k = 0;
  const key = () => `deep-link-${++k}`;
  must(await bootstrapAdministrator(deps, { id: PEOPLE.admin.id, name: PEOPLE.admin.displayName }));
  must(
    await upsertTeam(deps, {
      key: key(),
      actorId: PEOPLE.admin.id,
      team: { id: 'east', name: 'East (fictional)', profileId: 'nottinghamshire-yjs' },
    }),
  );
  for (const [who, role] of [
    [TM, 'team-manager'],
    [CM, 'case-manager'],
    [AO, 'authorised-officer'],
  ] as const)
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: PEOPLE.admin.id,
        staff: { id: who.id, name: who.displayName, role, teamIds: ['east'] },
      }),
    );
  const refs = Array.from({ length: WAITING }, (_, i) => `WYV-${String(i + 1).padStart(4, '0')}`);
  must(
    await importCaseList(deps, {
      key: key(),
      actorId: PEOPLE.admin.id,
      csv: [
        'case_reference,initials,team,worker,platforms',
        ...refs.map((r) => `${r},X.Y. (fictional),east,${CM.id},instagram:@x`),
      ].join('\n'),
    }),
  );
  const children = await running.store.query('child');
  const idOf = (ref: string) => children.find((c) => c.record.caseRef === ref)!.record.id;
  childId = idOf(refs[0]!);
  for (const ref of refs) {
    must(
      await recordConsent(deps, {
        key: key(),
        actorId: CM.id,
        childId: idOf(ref),
        givenBy: 'child and parent',
        date: new Date().toISOString().slice(0, 10),
        scope: { platforms: [], purposes: [] },
      }),
    );
    must(
      await raiseRequest(deps, {
        key: key(),
        actorId: CM.id,
        childId: idOf(ref),
        reason: 'risk-of-cse',
        platforms: [{ platform: 'instagram', account: '@deep_link' }],
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk to the child.',
      }),
    );
  }
  base = `http://localhost:${(running.servers[1]!.address() as { port: number }).port}`;
  bot = `http://localhost:${(running.servers[0]!.address() as { port: number }).port}`;
  browser = await launchChromium({ viewport: { width: 1280, height: 900 } });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  await council?.stop();
  process.env = saved;
  dirs.cleanup();
});

/** A person says something to the bot in their personal chat (as Teams sends it); the card it answers with. */
async function say(who: { id: string; displayName: string }, text: string): Promise<unknown> {
  const res = await fetch(`${bot}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      id: `deep-link-${Math.random()}`,
      type: 'message',
      text,
      textFormat: 'plain',
      deliveryMode: 'expectReplies',
      channelId: 'msteams',
      serviceUrl: 'http://127.0.0.1:9/_connector',
      from: { id: `29:1mri-${who.id}`, aadObjectId: who.id, name: who.displayName },
      recipient: { id: 'overt-bot', name: 'Overt' },
      conversation: { id: `personal-${who.id}`, conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
    }),
  });
  expect(res.status).toBe(200);
  const json = (await res.json()) as { activities: { attachments: { content: unknown }[] }[] };
  return json.activities[0]!.attachments[0]!.content;
}

/** The card's "Open the Overt tab" link, and the sub-page it names (Teams gives it to the tab as is). */
function linkOf(card: unknown): { url: URL; subEntityId: string } {
  const [m] = [
    ...JSON.stringify(card).matchAll(/"type":"Action.OpenUrl","title":"Open the Overt tab","url":"([^"]*)"/g),
  ];
  expect(m).toBeDefined();
  const url = new URL(m![1]!);
  expect(url.origin).toBe('https://teams.microsoft.com');
  expect(url.pathname.startsWith(`/l/entity/${APP}/`)).toBe(true);
  const context = JSON.parse(url.searchParams.get('context')!) as { subEntityId: string };
  return { url, subEntityId: context.subEntityId };
}

it('"waiting for me" with more than one page: its link opens the tab at Awaiting decision, listing them all', async () => {
  const card = await say(TM, 'waiting for me');
  expect(JSON.stringify(card)).toMatch(/Page 1 of 2: requests 1 to 10/);
  const { url, subEntityId } = linkOf(card);
  expect(url.pathname).toBe(`/l/entity/${APP}/dashboard`);
  const page = await browser.newPage();
  const tab = await inTeams(page, base, await council.token(TM.id), subEntityId);
  const list = tab.getByRole('list', { name: 'Requests awaiting your decision' });
  await list.waitFor();
  expect(await list.getByRole('listitem').count()).toBe(WAITING);
  expect(await tab.getByRole('tab', { name: 'Awaiting decision', selected: true }).count()).toBe(1);
  await screenshot(page, 'tab/deep-link/waiting-for-me-1280.png');
  await page.close();
});

it('a child’s summary with more requests than it shows: its link opens that child’s record', async () => {
  // Eleven more requests for the first child: the summary shows five of its twelve.
  for (let i = 0; i < 11; i++)
    must(
      await raiseRequest(running.deps, {
        key: `deep-link-more-${i}`,
        actorId: CM.id,
        childId,
        reason: 'risk-of-cse',
        platforms: [{ platform: 'instagram', account: `@deep_link_${i}` }],
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk to the child.',
      }),
    );
  const card = await say(CM, 'WYV-0001');
  expect(JSON.stringify(card)).toMatch(/7 more requests not shown here/);
  const { subEntityId } = linkOf(card);
  expect(subEntityId).toBe(`child/${childId}`);
  const page = await browser.newPage();
  const tab = await inTeams(page, base, await council.token(CM.id), subEntityId);
  await tab.getByText('WYV-0001 — X.Y. (fictional)').waitFor();
  expect(await tab.getByRole('tab', { name: 'Children', selected: true }).count()).toBe(1);
  await screenshot(page, 'tab/deep-link/child-1280.png');
  await page.close();
});

it('every view of the officer and the case manager names the RIPA officer "authorising officer" only', async () => {
  const other = /\b(?:RIPA authori[sz]ed officer|authori[sz]ed officers?|authorizing officers?)\b/i;
  const seen: string[] = [];
  for (const who of [AO, CM]) {
    const page = await browser.newPage();
    const tab = await inTeams(page, base, await council.token(who.id));
    await tab.getByRole('navigation', { name: 'Views' }).waitFor();
    const views = await tab.getByRole('tab').allInnerTexts();
    expect(views.length).toBeGreaterThan(1);
    for (const view of views) {
      await tab.getByRole('tab', { name: view }).click();
      await tab.getByRole('main').waitFor();
      await page.waitForTimeout(800);
      const text = await tab.locator('body').innerText();
      seen.push(text);
      expect([who.displayName, view, text.match(other)?.[0] ?? null]).toEqual([who.displayName, view, null]);
    }
    await page.close();
  }
  expect(seen.join('\n')).toMatch(/authorising officer/i);
}, 120_000);
