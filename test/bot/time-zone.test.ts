/**
 * One time zone, the team's profile's (issue 15, kind 4): every date a bot card shows in a chat — my requests,
 * what waits for a decision, a child's summary, consent and objection lines — is on the calendar of the team's profile, not London's, and
 * `/api/v1/me` says the person's profile zone. A team here runs on a custom profile in Pacific/Auckland
 * (13 hours from London in March), so a time shown in London's zone would be a different hour and often a
 * different day.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { upsertTeam } from '../../src/workflow';
import { tempDirs } from '../store/temp-dirs';
import { dateGb } from '../../src/vocabulary';
import { actionData, execute, say, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const dirs = tempDirs('bot-tz');
let w: BotWorld;
const ZONE = 'Pacific/Auckland';
const CM = 'demo-cm-north-1';

beforeAll(async () => {
  const notts = JSON.parse(readFileSync('src/policy/profiles/nottinghamshire-yjs.json', 'utf8')) as {
    id: string;
    timeZone?: string;
  };
  const file = join(dirs.make(), 'auckland.json');
  writeFileSync(file, JSON.stringify({ ...notts, id: 'notts-auckland', timeZone: ZONE }));
  w = await botWorld({ OVERT_PROFILE_FILES: file, OVERT_DEMO_AUTH: 'on', OVERT_BOT_TENANTS: '' });
  const r = await upsertTeam(w.running.deps, {
    key: 'tz-team-north',
    actorId: 'demo-admin',
    team: {
      id: 'north',
      name: 'North Locality Team (demo)',
      profileId: 'notts-auckland',
      managerIds: ['demo-tm-north'],
    },
  });
  if (!r.ok) throw new Error(r.error.message);
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
  dirs.cleanup();
});

const shown = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })
    .format(new Date(iso))
    .replace(' at ', ', '); // '2 December 2026, 01:49', the one form every card says

it("shows my requests and a child's summary in the team's profile's time zone", async () => {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: 'tz-form-1',
    childId: await w.childId('DEMO-0001'),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(sent.status).toBe(200);
  const [request] = await w.running.store.query('request', { where: { requesterId: CM } });
  const at = request!.record.createdAt;
  expect(shown(at, ZONE)).not.toBe(shown(at, 'Europe/London'));

  const mine = textOf((await say(w.url, CM, 'my requests')).cards[0]);
  expect(mine).toContain(shown(at, ZONE));
  expect(mine).not.toContain(shown(at, 'Europe/London'));

  const summary = textOf((await say(w.url, CM, 'child DEMO-0001')).cards[0]);
  expect(summary).toContain(shown(at, ZONE));
  expect(summary).not.toContain(shown(at, 'Europe/London'));
  // The consent line is a day in words, never an ISO date.
  expect(summary).toMatch(/given by child and parent on \d{1,2} [A-Z][a-z]+ \d{4}/);
  expect(summary).not.toMatch(/\d{4}-\d{2}-\d{2}/);
}, 60_000);

it("shows what waits for a decision in the team's profile's time zone, typed and by its button", async () => {
  // The request the case manager sent above waits for the team manager.
  const [request] = await w.running.store.query('request', { where: { requesterId: CM } });
  const at = request!.record.createdAt;
  for (const card of [
    (await say(w.url, 'demo-tm-north', 'waiting for me')).cards[0],
    (await execute(w.url, 'demo-tm-north', 'requests.waiting', {})).json.value,
  ]) {
    const text = textOf(card);
    expect(text).toContain(`Asked by Dara Dunmore (demo), ${shown(at, ZONE)}`);
    expect(text).not.toContain(shown(at, 'Europe/London'));
  }
}, 30_000);

it("shows the day a repeat viewing was asked for in the team's profile's time zone on the officer's RIPA queue and application", async () => {
  const v = (card: unknown) => card as Record<string, unknown>;
  const send = async (formId: string) =>
    v(
      (
        await execute(w.url, CM, 'request.send', {
          formId,
          childId: await w.childId('DEMO-0002'),
          reason: 'risk-of-cse',
          platforms: 'instagram: @demo_north_2',
          viewer: 'own-personal-account',
          rationale: 'Fictional: new information suggests a risk to the child.',
        })
      ).json.value,
    );
  // A first check on DEMO-0002, approved and recorded (viewed now, on the team's calendar).
  const firstId = actionData(await send('tz-ripa-1'), 'request.withdraw')!['requestId'] as string;
  const open = v(
    (await execute(w.url, 'demo-tm-north', 'request.refresh', { requestId: firstId })).json.value,
  );
  const approved = await execute(w.url, 'demo-tm-north', 'request.approve', {
    ...actionData(open, 'request.approve'),
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(textOf(approved.json.value)).toMatch(/You approved this request/);
  const form = v((await execute(w.url, CM, 'check.open', { requestId: firstId })).json.value);
  const now = new Date();
  const recorded = await execute(w.url, CM, 'check.record', {
    ...actionData(form, 'check.record'),
    viewedDate: now.toLocaleDateString('en-CA', { timeZone: ZONE }),
    viewedTime: new Intl.DateTimeFormat('en-GB', {
      timeZone: ZONE,
      hour: '2-digit',
      minute: '2-digit',
    }).format(now),
    accounts: 'account-0',
    relevantInfo: 'Fictional: nothing of note.',
    thirdPartyData: 'none',
    sensitive: 'false',
    attestNoFriendFollow: 'true',
    attestOpenSourceOnly: 'true',
  });
  expect(textOf(recorded.json.value)).toMatch(/Check recorded/);
  // A repeat inside three months: it waits for the authorising officer.
  const repeatId = actionData(await send('tz-ripa-2'), 'request.withdraw')!['requestId'] as string;
  const repeat = (await w.running.store.get('request', repeatId))!.record;
  expect(repeat.authority).toBe('authorised-officer');
  const day = (timeZone: string) => dateGb(repeat.createdAt, timeZone);
  const queue = textOf((await say(w.url, 'demo-ao', 'ripa')).cards[0]);
  expect(queue).toContain(`asked by Dara Dunmore (demo) on ${day(ZONE)}`);
  const application = textOf(
    (await execute(w.url, 'demo-ao', 'ripa.open', { requestId: repeatId })).json.value,
  );
  expect(application).toContain(`Dara Dunmore (demo), ${day(ZONE)}`);
  // Which is another day than London's from 11:00 to midnight London time (Auckland is 13 hours ahead).
  if (day(ZONE) !== day('Europe/London')) {
    expect(queue).not.toContain(`on ${day('Europe/London')}`);
    expect(application).not.toContain(`Dara Dunmore (demo), ${day('Europe/London')}`);
  }
}, 60_000);

it("/api/v1/me says the person's profile's time zone, not a fixed one", async () => {
  const port = (w.running.servers[1]!.address() as { port: number }).port;
  const me = async (persona: string) =>
    (await (
      await fetch(`http://127.0.0.1:${port}/api/v1/me`, { headers: { 'x-overt-demo-persona': persona } })
    ).json()) as { timeZone: string };
  expect((await me(CM)).timeZone).toBe(ZONE);
  expect((await me('demo-cm-south-1')).timeZone).toBe('Europe/London');
}, 30_000);
