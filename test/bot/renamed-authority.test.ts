/**
 * A request waiting while a new version of the team's profile is published that renames the authority it was
 * sent to (issue 13: no dead ends). The invented Fernmoor profile, version 1, sends a request to "the child's own
 * team manager"; version 2, in force from today, calls the same people "the locality manager". The service is
 * started again with both files, as a council publishes a version. The request stays decidable by whoever
 * held its authority under the version it was raised under: the team manager finds it in "waiting for me",
 * opens it and approves it, and the decision cites the clause it is decided under (version 1, SMP-2). Over
 * HTTP against the bot endpoint.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { botOf } from '../../src/bot/surface';
import { start, type Running } from '../../src/server/main';
import { assignProfile } from '../../src/workflow';
import { actionData, execute, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const CM = 'demo-cm-south-1';
const TM = 'demo-tm-south';
const folder = mkdtempSync(join(tmpdir(), 'overt-renamed-'));
const data = join(folder, 'data');
const V1 = join(__dirname, '../../examples/fernmoor/fernmoor.json');
const V2 = join(folder, 'fernmoor-v2.json');
const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
// Version 2: the same procedure, its authorising manager renamed.
writeFileSync(
  V2,
  JSON.stringify({
    ...JSON.parse(
      readFileSync(V1, 'utf8')
        .replaceAll('child-team-manager', 'locality-manager')
        .replaceAll("the child's own team manager", 'the locality manager'),
    ),
    version: '2',
    effectiveDate: today,
  }),
);

let w: BotWorld;
let again: Running | undefined;
const stop = async (running: Running) => {
  const bot = botOf(running.deps);
  bot?.stop();
  bot?.outbox.stop();
  await bot?.outbox.settled();
  await running.stop();
};

beforeAll(async () => {
  w = await botWorld({ OVERT_DATA: data, OVERT_PROFILE_FILES: V1 });
  const given = await assignProfile(w.running.deps, {
    key: 'renamed-assign-south',
    actorId: 'demo-admin',
    teamId: 'south',
    profileId: 'fernmoor-cs',
  });
  expect(given.ok).toBe(true);
}, 60_000);
afterAll(async () => {
  if (again) await stop(again);
  await cleanupBotWorlds();
  rmSync(folder, { recursive: true, force: true });
});

it('a request sent to an authority that a new version renames is still found, opened and decided by whoever held it', async () => {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: 'form-renamed-1',
    childId: await w.childId('DEMO-0101'),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_south_1',
    viewer: 'organisation-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  expect(textOf(sent.json.value)).toMatch(/Request saved/);
  const requestId = actionData(sent.json.value, 'request.withdraw')!['requestId'] as string;
  expect((await w.running.store.get('request', requestId))!.record).toMatchObject({
    status: 'pending',
    authority: 'child-team-manager',
    profileVersion: '1',
  });

  // Version 2 is published: the service starts again with both files, on the same data folder.
  await w.close();
  again = await start(
    {
      OVERT_DATA: data,
      OVERT_DEMO: 'off',
      BOT_PORT: '0',
      TAB_PORT: '0',
      OVERT_NOTICES_EVERY: '1',
      OVERT_BOT_TENANTS: 'demo-tenant',
      OVERT_PROFILE_FILES: `${V1},${V2}`,
    },
    () => undefined,
  );
  const url = `http://127.0.0.1:${(again.servers[0]!.address() as { port: number }).port}`;
  expect(again.deps.profiles('fernmoor-cs')?.version).toBe('2');

  // The team manager finds it waiting for them…
  const waiting = await execute(url, TM, 'requests.waiting', {});
  expect(JSON.stringify(waiting.json.value)).toContain(requestId);
  // …opens it: the card to decide, naming the authority as the version it was raised under does…
  const opened = await execute(url, TM, 'request.refresh', { requestId });
  expect(textOf(opened.json.value)).not.toMatch(/Not yours to see|child-team-manager/);
  expect(textOf(opened.json.value)).toMatch(/the child's own team manager decides/);
  const approve = actionData(opened.json.value, 'request.approve');
  expect(approve).toBeDefined();
  // …and approves it.
  const before = (await again.store.audit.list()).length;
  const approved = await execute(url, TM, 'request.approve', {
    ...approve,
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(textOf(approved.json.value)).toMatch(/You approved this request/);
  expect((await again.store.get('request', requestId))!.record.status).toBe('approved');
  // The decision is made under version 1 and cites the clause it rests on (SMP-2: who authorises).
  const [decision] = await again.store.query('decision', { where: { requestId } });
  expect(decision!.record).toMatchObject({
    deciderId: TM,
    authority: 'child-team-manager',
    profileId: 'fernmoor-cs',
    profileVersion: '1',
  });
  const event = (await again.store.audit.list())
    .slice(before)
    .find((e) => e.action === 'request.approve' && e.target.id === requestId);
  expect(event).toMatchObject({ outcome: 'allow', cites: ['SMP-2'], profileVersion: '1' });

  // A request raised now is sent to the renamed authority, and the same manager decides it.
  const fresh = await execute(url, CM, 'request.send', {
    formId: 'form-renamed-2',
    childId: (await again.store.query('child', { where: { caseRef: 'DEMO-0101' } }))[0]!.record.id,
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_south_1',
    viewer: 'organisation-account',
    rationale: 'Fictional: a second concern.',
  });
  const freshId = actionData(fresh.json.value, 'request.withdraw')!['requestId'] as string;
  expect((await again.store.get('request', freshId))!.record).toMatchObject({
    authority: 'locality-manager',
    profileVersion: '2',
  });
  const queue = await execute(url, TM, 'requests.waiting', {});
  expect(JSON.stringify(queue.json.value)).toContain(freshId);
}, 90_000);
