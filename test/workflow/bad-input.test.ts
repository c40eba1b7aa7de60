import {
  decideRequest,
  importCaseList,
  raiseRequest,
  recordCheck,
  recordConsent,
  authoriseRipa,
} from '../../src/workflow';
import { cleanupWorlds, must, world, type World } from './world';

/** Bad input gets a clear error naming the field, and nothing is written — not even an audit event. */
let w: World;
beforeEach(async () => {
  w = await world('2026-03-01T10:00:00Z');
  await w.consent('notts', '2026-02-01');
});
afterEach(() => w.close());
afterAll(cleanupWorlds);

const nothingWritten = async <T>(run: () => Promise<T>): Promise<T> => {
  const before = { counts: await w.counts(), events: (await w.store.audit.list()).length };
  const result = await run();
  expect({ counts: await w.counts(), events: (await w.store.audit.list()).length }).toEqual(before);
  return result;
};
const base = {
  actorId: 'cm-notts',
  childId: 'child-notts',
  reason: 'risk-of-cse',
  platforms: [{ platform: 'instagram', account: '@demo_ab' }],
  viewer: 'own-personal-account',
};

it.each([
  ['an unknown child', { ...base, childId: 'nobody' }, 'NOT_FOUND', 'childId'],
  ['no platforms', { ...base, platforms: [] }, 'INVALID_INPUT', 'platforms'],
  [
    'a platform without an account',
    { ...base, platforms: [{ platform: 'instagram', account: ' ' }] },
    'INVALID_INPUT',
    'platforms.0.account',
  ],
  ['a missing reason', { ...base, reason: '' }, 'INVALID_INPUT', 'reason'],
  ['a short idempotency key', { ...base, key: 'x' }, 'INVALID_INPUT', 'key'],
])('raise with %s', async (_what, input, code, field) => {
  const r = await nothingWritten(() => raiseRequest(w.deps, { key: w.key(), ...input }));
  expect(r).toMatchObject({ ok: false, error: { code, field } });
});

it('a viewer the profile does not offer, or a platform it forbids, is refused naming the field, and only the refusal is audited', async () => {
  const before = await w.counts();
  // A viewing method is one of the ids the form offers (issue 13): any other text is the input at fault.
  const fake = await raiseRequest(w.deps, { key: w.key(), ...base, viewer: 'fake-account' });
  expect(fake).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'viewer' } });
  must(
    await recordConsent(w.deps, {
      key: w.key(),
      actorId: 'cm-camden',
      childId: 'child-camden',
      givenBy: 'child',
      date: '2026-02-01',
      scope: { platforms: ['instagram'], purposes: [] },
    }),
  );
  const outside = await raiseRequest(w.deps, {
    key: w.key(),
    ...base,
    actorId: 'cm-camden',
    childId: 'child-camden',
    reason: 's47-enquiry',
    viewer: 'organisation-account',
    platforms: [{ platform: 'snapchat', account: '@x' }],
  });
  expect(outside).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED', field: 'platforms' } });
  expect((await w.counts()).request).toBe(before.request);
});

it('decline without reasons, and an unknown request', async () => {
  const id = must(await raiseRequest(w.deps, { key: w.key(), ...base })).request.id;
  // A decline without reasons is refused citing 000 §10: nothing written but its audit event.
  const before = { counts: await w.counts(), events: (await w.store.audit.list()).length };
  expect(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId: id,
      outcome: 'decline',
      reasons: '  ',
    }),
  ).toMatchObject({
    ok: false,
    error: {
      code: 'INVALID_INPUT',
      field: 'reasons',
      message: expect.stringMatching(/Nottinghamshire YJS policy, section 10/),
    },
  });
  expect(await w.counts()).toEqual(before.counts);
  const events = await w.store.audit.list();
  expect(events.length).toBe(before.events + 1);
  expect(events.at(-1)).toMatchObject({
    action: 'request.decline',
    outcome: 'refuse',
    details: { cites: ['000 §10'] },
  });
  expect(
    await nothingWritten(() =>
      decideRequest(w.deps, { key: w.key(), actorId: 'tm-notts', requestId: 'no-such', outcome: 'approve' }),
    ),
  ).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', field: 'requestId' } });
  expect(
    await nothingWritten(() =>
      decideRequest(w.deps, {
        key: w.key(),
        actorId: 'tm-notts',
        requestId: id,
        outcome: 'rubber-stamp' as never,
      }),
    ),
  ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'outcome' } });
});

it.each([
  ['an impossible date', { viewedAt: '2026-02-30T10:00:00Z' }, 'viewedAt'],
  ['a date without an offset', { viewedAt: '2026-03-01 10:00' }, 'viewedAt'],
  ['a time in the future', { viewedAt: '2026-03-09T10:00:00Z' }, 'viewedAt'],
  [
    'an account that was not authorised',
    { accounts: [{ platform: 'instagram', account: '@someone_else' }] },
    'accounts',
  ],
  [
    'a third-party rationale without keeping anything',
    { thirdPartyRationale: 'Why it was kept (fictional).' },
    'thirdPartyData',
  ],
])('record a check with %s', async (_what, extra, field) => {
  const id = must(await raiseRequest(w.deps, { key: w.key(), ...base })).request.id;
  must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId: id,
      outcome: 'approve',
      reasons: 'Necessary and proportionate (fictional).',
    }),
  );
  const input = {
    key: w.key(),
    actorId: 'cm-notts',
    requestId: id,
    // At the approval's moment (the clock's): a viewing before it is a refusal on the audit trail, said with
    // any other problem since the check form says every problem at once.
    viewedAt: '2026-03-01T10:00:00Z',
    accounts: [{ platform: 'instagram', account: '@demo_ab' }],
    relevantInfo: '',
    thirdPartyData: 'none' as const,
    sensitive: false,
    attestNoFriendFollow: true,
    attestOpenSourceOnly: true,
    ...extra,
  };
  expect(await nothingWritten(() => recordCheck(w.deps, input))).toMatchObject({
    ok: false,
    error: { code: 'INVALID_INPUT', field },
  });
});

it('a RIPA authorisation with a review date outside its period', async () => {
  const r = await nothingWritten(() =>
    authoriseRipa(w.deps, {
      key: w.key(),
      actorId: 'ao',
      childId: 'child-notts',
      reference: 'DS-BAD-1',
      offence: 'Robbery (fictional)',
      maxSentenceMonths: 9999,
      necessity: 'Fictional.',
      proportionality: 'Fictional.',
      legalAdvice: 'L-1',
      grantedOn: '2026-03-01',
      magistrateApprovedOn: '2026-03-01',
      from: '2026-03-01',
      until: '2026-05-31',
      reviewAt: '2026-07-01',
      confidentialInfoLikely: false,
      authoriserInvolved: false,
    }),
  );
  expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'reviewAt' } });
});

it('a case list with bad rows names each line and reason, imports nothing, and audits the refusal', async () => {
  const csv = [
    'Case Reference,Name,Team,Worker',
    'CASE-101,J.D. (demo),notts,cm-notts',
    ',X.Y.,notts,cm-notts',
    'CASE-102,Q.R.,Team nowhere,cm-notts',
    'CASE-103,S.T.,notts,cm-kent',
    'CASE-101,Again,notts,cm-notts',
  ].join('\n');
  // No record is written; the refused import is one audit event (issue 19: the import is audited).
  const before = { counts: await w.counts(), events: (await w.store.audit.list()).length };
  const r = await importCaseList(w.deps, { key: w.key(), actorId: 'admin', csv });
  expect(await w.counts()).toEqual(before.counts);
  const events = (await w.store.audit.list()).slice(before.events);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ action: 'caselist.import', outcome: 'refuse', actor: { id: 'admin' } });
  expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'csv' } });
  if (!r.ok)
    expect(r.error.message.split('\n').slice(1)).toEqual([
      'line 3: no case reference',
      'line 4: no team "Team nowhere"',
      'line 5: cm-kent (demo) is not in team Team notts (demo)',
      'line 6: case reference CASE-101 appears twice',
    ]);
});

it('a good case list creates and updates children, audited once', async () => {
  const csv =
    'case_reference,initials,team,worker,platforms\nCASE-201,A.A. (demo),notts,cm-notts,instagram:@demo_aa; tiktok:@demo_aa2\nCASE-NOTTS-1,A.B. (demo),Team notts (demo),cm2-notts,\n';
  expect(must(await importCaseList(w.deps, { key: w.key(), actorId: 'admin', csv }))).toEqual({
    created: 1,
    updated: 1,
    unchanged: 0,
    parts: 1,
  });
  const created = (await w.store.query('child', { where: { caseRef: 'CASE-201' } }))[0]!.record;
  expect(created.platforms).toEqual([
    { platform: 'instagram', account: '@demo_aa' },
    { platform: 'tiktok', account: '@demo_aa2' },
  ]);
  expect((await w.store.get('child', 'child-notts'))!.record.workerId).toBe('cm2-notts');
  expect(await importCaseList(w.deps, { key: w.key(), actorId: 'cm-notts', csv })).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN' },
  });
});
