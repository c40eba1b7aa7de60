/**
 * Issue 13: the request form and the record-the-check form say every problem at once — each beside its
 * field, what was typed kept, in one reply, nothing written — as the RIPA forms do. Before, the check form
 * said "Tick the accounts you looked at" alone, then the viewing time, then what the policy refuses, one
 * reply each; the request form showed only the first of the workflow's problems. Over plain HTTP.
 */
import { actionData, execute, inputsOf, problemOf, textOf } from './client';
import { CM, raise, TM, type Driver } from './ripa-journey';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let d: Driver;
beforeAll(async () => {
  w = await botWorld();
  d = {
    invoke: async (who, verb, data) => {
      const r = await execute(w.url, who, verb, data);
      expect(r.status).toBe(200);
      return r.json.value;
    },
    reminded: () => Promise.reject(new Error('not used')),
  };
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const refusals = async () => (await w.running.store.audit.list()).filter((e) => e.outcome === 'refuse');

const zoned = (o: Intl.DateTimeFormatOptions, at = new Date()) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', ...o }).format(at);
const today = () => zoned({ year: 'numeric', month: '2-digit', day: '2-digit' });
const inAnHour = () =>
  zoned({ hour: '2-digit', minute: '2-digit', hour12: false }, new Date(Date.now() + 3_600_000));

describe('the request form', () => {
  it.each([
    [
      'no reason, a platform line without an account, no viewing method',
      { reason: '', platforms: 'instagram', viewer: '' },
      ['reason', 'platforms', 'viewer'],
    ],
    ['a reason and a viewing method left out', { reason: '', viewer: '' }, ['reason', 'viewer']],
  ])('%s: every problem by its field, in one reply', async (_what, given, fields) => {
    const bad: Record<string, string> = given;
    const before = (await w.running.store.count('request'))[0]!.count;
    const form = {
      formId: `all-problems-${Math.random().toString(36).slice(2)}`,
      childId: await w.childId('DEMO-0002'),
      reason: 'risk-of-cse',
      platforms: 'instagram: @demo_north_2',
      viewer: 'own-personal-account',
      rationale: 'Fictional: kept as typed.',
      ...bad,
    };
    const card = await d.invoke(CM, 'request.send', form);
    expect(textOf(card)).toMatch(/Nothing was saved yet/);
    for (const f of fields)
      expect({ f, problem: problemOf(card, f) }).toEqual({ f, problem: expect.any(String) });
    expect(inputsOf(card)).toMatchObject({
      rationale: 'Fictional: kept as typed.',
      platforms: form.platforms,
    });
    expect((await w.running.store.count('request'))[0]!.count).toBe(before);
  });
});

describe('the record-the-check form', () => {
  let requestId: string;
  beforeAll(async () => {
    const raised = await raise(d, w, 'DEMO-0001');
    requestId = actionData(raised, 'request.withdraw')!['requestId'] as string;
    await d.invoke(TM, 'request.approve', {
      ...actionData(await d.invoke(TM, 'request.refresh', { requestId }), 'request.approve'),
      reasons: 'Necessary and proportionate (fictional).',
    });
  }, 30_000);

  it.each([
    [
      'no account ticked, a viewing in the future, other people’s information kept unauthorised, nothing attested',
      {
        accounts: '',
        viewedTime: 'later',
        thirdPartyData: 'kept',
        attestNoFriendFollow: 'false',
        attestOpenSourceOnly: 'false',
      },
      {
        accounts: /Tick the accounts you looked at/,
        viewedDate: /cannot be recorded before it happens/,
        thirdPartyData: /significant safeguarding concern/,
        attestNoFriendFollow: /did not friend, follow or subscribe/,
        attestOpenSourceOnly: /viewed only what the child has made public/,
      },
    ],
    [
      'both attestations unticked: an error beside each tick box (000 §20, §13)',
      { attestNoFriendFollow: 'false', attestOpenSourceOnly: 'false' },
      {
        attestNoFriendFollow: /did not friend, follow or subscribe/,
        attestOpenSourceOnly: /viewed only what the child has made public/,
      },
    ],
    [
      'only the open-source attestation unticked (000 §13: the public profile only)',
      { attestOpenSourceOnly: 'false' },
      { attestOpenSourceOnly: /viewed only what the child has made public/ },
    ],
    [
      'no account ticked and nothing attested',
      { accounts: '', attestNoFriendFollow: 'false' },
      {
        accounts: /Tick the accounts you looked at/,
        attestNoFriendFollow: /did not friend, follow or subscribe/,
      },
    ],
    [
      'no account ticked and a viewing in the future',
      { accounts: '', viewedTime: 'later' },
      { accounts: /Tick the accounts you looked at/, viewedDate: /before it happens/ },
    ],
  ])('%s: every problem by its field, in one reply', async (_what, given, expected) => {
    const bad: Record<string, string> = given;
    const form = await d.invoke(CM, 'check.open', { requestId });
    const sent = {
      ...actionData(form, 'check.record'),
      viewedDate: today(),
      viewedTime: zoned({ hour: '2-digit', minute: '2-digit', hour12: false }),
      accounts: 'account-0',
      relevantInfo: 'Fictional: kept as typed.',
      thirdPartyData: 'none',
      sensitive: 'false',
      attestNoFriendFollow: 'true',
      attestOpenSourceOnly: 'true',
      ...bad,
      ...(bad.viewedTime === 'later' ? { viewedTime: inAnHour() } : {}),
    };
    // An hour ahead crosses midnight late in the evening: then the date is tomorrow's.
    if (bad.viewedTime === 'later' && sent.viewedTime < '01:00')
      sent.viewedDate = zoned(
        { year: 'numeric', month: '2-digit', day: '2-digit' },
        new Date(Date.now() + 3_600_000),
      );
    const refusedBefore = await refusals();
    const card = await d.invoke(CM, 'check.record', sent);
    expect(textOf(card)).toMatch(/Nothing was saved yet/);
    for (const [f, m] of Object.entries(expected))
      expect({ f, problem: problemOf(card, f) }).toEqual({ f, problem: expect.stringMatching(m) });
    // Only the problems named: an attestation ticked carries no error.
    for (const f of ['attestNoFriendFollow', 'attestOpenSourceOnly'])
      if (!(f in expected)) expect({ f, problem: problemOf(card, f) }).toEqual({ f, problem: undefined });
    expect(inputsOf(card)).toMatchObject({ relevantInfo: 'Fictional: kept as typed.' });
    expect(await w.running.store.query('check', { where: { requestId } })).toHaveLength(0);
    // A refusal the policy decides alone (nothing typed wrong) is an audit event citing its clauses.
    if (!('accounts' in expected)) {
      const refused = (await refusals()).slice(refusedBefore.length);
      expect(refused).toEqual([
        expect.objectContaining({ action: 'check.record', actor: expect.objectContaining({ id: CM }) }),
      ]);
      const cites = refused[0]!.cites ?? [];
      if ('attestOpenSourceOnly' in expected) expect(cites).toContain('000 §13');
      if ('attestNoFriendFollow' in expected) expect(cites).toContain('000 §20');
    }
  });
});
