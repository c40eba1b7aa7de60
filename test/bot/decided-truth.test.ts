/**
 * Issue 13 (a newcomer's walk): whoever presses a decision is told what is true. Over HTTP, on the service's
 * own store:
 * - two people who may decide press Approve at once: the one whose decision was recorded is told so; only the
 *   other hears "already decided by <name>";
 * - a decider whose unit landed but was answered as lost (as a SharePoint unit's writes land in turn, the
 *   child's last) is told their decision was recorded, never "already decided" by themselves;
 * - the same press again by the same person: "you already approved this", not a refusal;
 * - "Record the check" pressed on a request whose check is recorded says when and by whom, not "not approved".
 */
import { botOf } from '../../src/bot/surface';
import type { Store } from '../../src/store/store';
import { decideRequest, recordCheck, upsertStaff, type Outcome } from '../../src/workflow';
import { actionData, activity, execute, post, textOf } from './client';
import { fakeConnector, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
const TM2 = 'demo-tm-north-2';

const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
};

beforeAll(async () => {
  w = await botWorld();
  connector = await fakeConnector();
  // A second team manager for the North team: two people who may decide the same request.
  must(
    await upsertStaff(w.running.deps, {
      key: 'decided-truth-second-manager',
      actorId: 'demo-admin',
      staff: { id: TM2, name: 'Tamsin Thorne (demo)', role: 'team-manager', teamIds: ['north'] },
    }),
  );
  // Everyone here has Overt in their personal chat (the fake connector's), so what follows a turn is sent.
  for (const who of [CM, TM, TM2, 'demo-sm'])
    expect(
      (
        await post(
          w.url,
          activity(who, `personal-${who}`, {
            type: 'conversationUpdate',
            serviceUrl: connector.serviceUrl,
            membersAdded: [{ id: 'overt-bot' }, { id: who }],
          }),
        )
      ).status,
    ).toBeLessThan(300);
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

const settled = () => botOf(w.running.deps)!.outbox.settled();
const refusals = async () =>
  (await w.running.store.audit.list()).filter((e) => e.outcome === 'refuse').length;

async function raise(caseRef: string) {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: `form-truth-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();
  await settled();
  return requestId;
}
/** Each decider's own view of the request, and its Approve pressed with reasons. */
const approveFrom = async (who: string, requestId: string) => {
  const view = (await execute(w.url, who, 'request.refresh', { requestId })).json.value;
  const pressed = actionData(view, 'request.approve');
  expect(pressed).toMatchObject({ requestId });
  return () =>
    execute(w.url, who, 'request.approve', {
      ...pressed,
      reasons: 'Necessary and proportionate (fictional).',
    });
};

it('two deciders at once: the one recorded is told so, only the other hears "already decided by" them', async () => {
  const requestId = await raise('DEMO-0001');
  const [a, b] = await Promise.all([approveFrom(TM, requestId), approveFrom(TM2, requestId)]);
  const [ta, tb] = (await Promise.all([a(), b()])).map((r) => textOf(r.json.value));
  const request = (await w.running.store.get('request', requestId))!.record;
  const [winner, loser, winnerText, loserText] =
    request.decidedBy === TM ? [TM, TM2, ta!, tb!] : [TM2, TM, tb!, ta!];
  expect([TM, TM2]).toContain(request.decidedBy);
  expect(winnerText).toMatch(/^You approved this request\./);
  expect(winnerText).not.toMatch(/already/);
  const winnerName = winner === TM ? 'Arlo Ashdown \\(demo\\)' : 'Tamsin Thorne \\(demo\\)';
  expect(loserText).toMatch(new RegExp(`already decided \\(approved\\) by ${winnerName}`));
  expect(loser).not.toBe(winner);
  expect((await w.running.store.count('decision', { where: { requestId } }))[0]!.count).toBe(1);

  // The winner presses the same Approve again: told their decision is recorded, and nothing is refused.
  const before = await refusals();
  const again = textOf((await (winner === TM ? a : b)()).json.value);
  expect(again).toMatch(
    /You already approved this request on \d{1,2} [A-Z][a-z]+ \d{4}.*your decision is recorded/,
  );
  expect(again).not.toMatch(/already decided/);
  expect(await refusals()).toBe(before);
  expect((await w.running.store.count('decision', { where: { requestId } }))[0]!.count).toBe(1);
}, 60_000);

it('a decision whose writes landed though its unit was answered as lost is told it was recorded', async () => {
  const requestId = await raise('DEMO-0002');
  const view = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
  const pressed = actionData(view, 'request.approve') as { version: string };
  // The store behaves as a SharePoint unit can: the decision's writes land, the answer is a lost race on the
  // child's record (its last write), so the decision is run again and finds the request decided — by them.
  const real = w.running.deps.store;
  let tripped = false;
  const store = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop !== 'commit') return Reflect.get(target, prop, receiver) as unknown;
      return async (unit: Parameters<Store['commit']>[0]) => {
        const r = await target.commit(unit);
        if (tripped || r.status !== 'committed' || !unit.writes.some((x) => x.kind === 'decision')) return r;
        tripped = true;
        const child = unit.writes.find((x) => x.kind === 'child')!;
        return { status: 'conflict', kind: 'child', id: child.record.id, current: undefined };
      };
    },
  });
  const decided = await decideRequest(
    { ...w.running.deps, store },
    {
      key: `decide:${requestId}:landed`,
      actorId: TM,
      requestId,
      outcome: 'approve',
      reasons: 'Necessary and proportionate (fictional).',
      expectedVersion: pressed.version,
    },
  );
  expect(tripped).toBe(true);
  // Told their decision was recorded (the bot says "You approved this request"), never "already decided".
  expect(decided).toMatchObject({ ok: true, value: { request: { status: 'approved', decidedBy: TM } } });
  expect((await w.running.store.get('request', requestId))!.record).toMatchObject({
    status: 'approved',
    decidedBy: TM,
  });
}, 60_000);

it('"Record the check" on a request whose check is recorded says so, with when and by whom', async () => {
  const requestId = await raise('DEMO-0003');
  const press = await approveFrom(TM, requestId);
  expect(textOf((await press()).json.value)).toMatch(/You approved this request/);
  const found = (await w.running.store.get('request', requestId))!;
  must(
    await recordCheck(w.running.deps, {
      key: 'decided-truth-check',
      actorId: CM,
      requestId,
      expectedVersion: found.version,
      viewedAt: new Date().toISOString(),
      accounts: [{ platform: 'instagram', account: '@demo_account' }],
      relevantInfo: 'Nothing of note (fictional).',
      thirdPartyData: 'none',
      sensitive: false,
      attestNoFriendFollow: true,
      attestOpenSourceOnly: true,
    }),
  );
  const check = (await w.running.store.query('check', { where: { requestId } }))[0]!.record;
  const on = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  }).format(new Date(check.recordedAt));
  const before = await refusals();
  // The old status card's "Record the check", pressed again.
  const reopened = textOf((await execute(w.url, CM, 'check.open', { requestId })).json.value);
  expect(reopened).toContain(`its check recorded on ${on} by Dara Dunmore (demo)`);
  expect(reopened).not.toMatch(/not approved/i);
  expect(await refusals()).toBe(before);
  // Its card opened again shows the same state.
  const refreshed = textOf((await execute(w.url, CM, 'request.refresh', { requestId })).json.value);
  expect(refreshed).toMatch(/Check recorded/);
  expect(refreshed).not.toMatch(/not approved/i);
}, 60_000);
