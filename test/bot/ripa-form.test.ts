/**
 * Issue 13 (a fresh walker), the RIPA authorisation form and the choices every form takes:
 * - the maximum sentence is one of a sensible list (four years among them); under the threshold it is refused
 *   citing the policy (000 §12), and the refusal on the same card is ready with that ground;
 * - a choice is one of its ids only: "n" or "p" for a yes/no, a sentence, a refusal's ground, a viewing method,
 *   is refused by its field, nothing written.
 * Over plain HTTP: the bot's endpoint and the tab's API of one service.
 */
import { MAX_SENTENCE } from '../../src/vocabulary';
import { actionData, choicesOf, execute, inputsOf, problemOf, textOf } from './client';
import { AO, CM, raise, TM, type Driver } from './ripa-journey';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let d: Driver;
let app: Record<string, unknown>;
let requestId: string;

const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
const plusDays = (day: string, n: number) => {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};
const nowTime = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );

const ripaCount = async () => (await w.running.store.count('ripa'))[0]!.count;

beforeAll(async () => {
  process.env.OVERT_DEMO_AUTH = 'on';
  w = await botWorld({ OVERT_BOT_TENANTS: '' });
  d = {
    invoke: async (who, verb, data) => {
      const r = await execute(w.url, who, verb, data);
      expect(r.status).toBe(200);
      return r.json.value;
    },
    reminded: () => Promise.reject(new Error('not used')),
  };
  // A check approved and recorded, then a repeat inside three months: the RIPA application.
  const first = await raise(d, w, 'DEMO-0001');
  const firstId = actionData(first, 'request.withdraw')!['requestId'] as string;
  await d.invoke(TM, 'request.approve', {
    ...actionData(await d.invoke(TM, 'request.refresh', { requestId: firstId }), 'request.approve'),
    reasons: 'Necessary and proportionate (fictional).',
  });
  const form = await d.invoke(CM, 'check.open', { requestId: firstId });
  const done = await d.invoke(CM, 'check.record', {
    ...actionData(form, 'check.record'),
    viewedDate: today(),
    viewedTime: nowTime(),
    accounts: 'account-0',
    relevantInfo: 'Fictional: nothing of note.',
    thirdPartyData: 'none',
    sensitive: 'false',
    attestNoFriendFollow: 'true',
    attestOpenSourceOnly: 'true',
  });
  expect(textOf(done)).toMatch(/Check recorded/);
  const repeat = await raise(d, w, 'DEMO-0001');
  requestId = actionData(repeat, 'request.withdraw')!['requestId'] as string;
  app = await d.invoke(AO, 'request.refresh', { requestId });
  expect(textOf(app)).toMatch(/RIPA application/);
}, 90_000);

afterAll(async () => {
  delete process.env.OVERT_DEMO_AUTH;
  await w?.close();
  await cleanupBotWorlds();
});

const t = today();
const good = () => ({
  ...actionData(app, 'ripa.authorise'),
  reference: 'DS-FORM-001',
  offence: 'Being concerned in the supply of a class A drug (fictional)',
  maxSentenceMonths: '9999',
  necessity: 'Fictional: the child is missing; no less intrusive way is known.',
  proportionality: 'Fictional: public posts only, by one officer, for the shortest time.',
  legalAdvice: 'Fictional: legal services advise it is lawful (LS-0001).',
  grantedOn: t,
  magistrateApprovedOn: t,
  from: t,
  until: plusDays(t, 60),
  reviewAt: plusDays(t, 7),
  confidentialInfoLikely: 'false',
  authoriserInvolved: 'false',
});

describe('the RIPA authorisation form', () => {
  it('offers a sensible list of maximum sentences, four years among them, from less than six months to life', () => {
    const titles = choicesOf(app, 'maxSentenceMonths').map((c) => c.title);
    expect(titles).toEqual(Object.values(MAX_SENTENCE));
    expect(titles).toEqual(
      expect.arrayContaining([
        'Less than six months, or no prison sentence',
        'Six months',
        'Two years',
        'Four years',
        'Five years',
        'Life imprisonment',
      ]),
    );
  });
});

describe('the RIPA authorisation form says every problem at once', () => {
  it('a six-month sentence and five bad dates: one send, each problem beside its field, what was typed kept, nothing written, one refusal audited (issue 13 walk, finding 4: it took six sends)', async () => {
    const before = await ripaCount();
    const events = (await w.running.store.audit.list()).length;
    const sent = {
      ...good(),
      maxSentenceMonths: '6',
      grantedOn: plusDays(t, -1), // before the check was asked for
      magistrateApprovedOn: plusDays(t, -2), // before it was granted
      from: plusDays(t, -3), // before it was granted, and before the magistrate
      until: plusDays(t, 120), // over three months
      reviewAt: plusDays(t, 150), // outside the period
    };
    const card = await d.invoke(AO, 'ripa.authorise', sent);
    expect(textOf(card)).toMatch(/The authorisation was not recorded\. See the problems marked below/);
    expect(problemOf(card, 'maxSentenceMonths')).toMatch(/punishable by over six months in prison/);
    expect(problemOf(card, 'grantedOn')).toMatch(/asked for on .*: it cannot be granted before that/);
    expect(problemOf(card, 'magistrateApprovedOn')).toMatch(/after it is granted .*not before/);
    expect(problemOf(card, 'from')).toMatch(/cannot take effect before/);
    expect(problemOf(card, 'until')).toMatch(/at most three months/);
    expect(problemOf(card, 'reviewAt')).toMatch(/The first review must fall within the period/);
    expect(inputsOf(card)).toMatchObject({
      reference: sent.reference,
      grantedOn: sent.grantedOn,
      magistrateApprovedOn: sent.magistrateApprovedOn,
      from: sent.from,
      until: sent.until,
      reviewAt: sent.reviewAt,
      necessity: sent.necessity,
    });
    expect(await ripaCount()).toBe(before);
    const added = (await w.running.store.audit.list()).slice(events);
    expect(added.filter((e) => e.outcome === 'refuse' || e.action.startsWith('bot:'))).toHaveLength(1);
    expect((await w.running.store.get('request', requestId))!.record.status).toBe('escalated');
  });
});

describe('a choice is one of its ids, never any text', () => {
  it.each([
    ['a yes/no as "n"', { confidentialInfoLikely: 'n' }, 'confidentialInfoLikely'],
    ['a yes/no as "p"', { authoriserInvolved: 'p' }, 'authoriserInvolved'],
    ['a sentence as "n"', { maxSentenceMonths: 'n' }, 'maxSentenceMonths'],
    ['a sentence no list offers', { maxSentenceMonths: '100' }, 'maxSentenceMonths'],
  ])('the authorisation with %s: refused, nothing written', async (_what, bad, field) => {
    const before = await ripaCount();
    const card = await d.invoke(AO, 'ripa.authorise', { ...good(), ...bad });
    expect(JSON.stringify(card)).toContain(`"id":"${field}-problem"`);
    expect(await ripaCount()).toBe(before);
  });

  it('the refusal with a ground of "n": by its field, the request still waiting', async () => {
    const card = await d.invoke(AO, 'ripa.refuse', {
      ...actionData(app, 'ripa.refuse'),
      ground: 'n',
      refuseReasons: 'Fictional: not necessary.',
    });
    expect(problemOf(card, 'ground')).toMatch(/choose why it is refused/i);
    expect((await w.running.store.get('request', requestId))!.record.status).toBe('escalated');
  });

  it.each([
    ['a viewing method of "n"', { viewer: 'n' }, ['viewer']],
    ['a reason of "p" and a viewing method of "n"', { reason: 'p', viewer: 'n' }, ['reason', 'viewer']],
  ])('the request with %s: by its field, no request written', async (_what, bad, fields) => {
    const before = (await w.running.store.count('request'))[0]!.count;
    const card = await d.invoke(CM, 'request.send', {
      formId: `ripa-form-choice-${Math.random().toString(36).slice(2)}`,
      childId: await w.childId('DEMO-0002'),
      platforms: 'tiktok: @demo_north_2',
      rationale: 'Fictional: kept as typed.',
      reason: 'risk-of-cse',
      ...bad,
    });
    for (const f of fields)
      expect({ f, problem: problemOf(card, f) }).toEqual({ f, problem: expect.any(String) });
    expect(inputsOf(card)).toMatchObject({ rationale: 'Fictional: kept as typed.' });
    expect((await w.running.store.count('request'))[0]!.count).toBe(before);
  });
});
