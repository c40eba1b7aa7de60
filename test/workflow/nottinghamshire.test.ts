import {
  decideRequest,
  raiseRequest,
  recordCheck,
  recordConsent,
  authoriseRipa,
  type Raised,
} from '../../src/workflow';
import { cleanupWorlds, must, world, type World } from './world';

/** 000 end to end through the workflow: raise → decide → record, then the three-month rule and RIPA. */
let w: World;
beforeEach(async () => (w = await world('2026-01-10T09:00:00Z')));
afterEach(() => w.close());
afterAll(cleanupWorlds);

const raise = (actorId = 'cm-notts', extra = {}) =>
  raiseRequest(w.deps, {
    key: w.key(),
    actorId,
    childId: 'child-notts',
    reason: 'risk-of-cce',
    platforms: [{ platform: 'Instagram', account: '@demo_ab' }],
    viewer: 'own-personal-account',
    rationale: 'Intelligence that the child is being groomed to carry drugs (fictional).',
    ...extra,
  });
const record = (requestId: string, viewedAt: string, extra = {}) =>
  recordCheck(w.deps, {
    key: w.key(),
    actorId: 'cm-notts',
    requestId,
    viewedAt,
    accounts: [{ platform: 'instagram', account: '@demo_ab' }],
    relevantInfo: 'Photos at a known location (fictional).',
    thirdPartyData: 'seen-not-kept',
    sensitive: false,
    attestNoFriendFollow: true,
    attestOpenSourceOnly: true,
    ...extra,
  });

/** Notice on record (5 January), then a request raised and approved by the team manager. */
async function consentedAndApproved() {
  must(
    await recordConsent(w.deps, {
      key: w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      givenBy: 'child',
      date: '2026-01-05',
      scope: { platforms: [], purposes: [] },
    }),
  );
  const request = must(await raise()).request;
  must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId: request.id,
      outcome: 'approve',
      reasons: 'Necessary and proportionate (fictional).',
    }),
  );
  return request;
}

it('a first check: consent → raise → team manager approves → recorded, every step audited with its clauses', async () => {
  must(
    await recordConsent(w.deps, {
      key: w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      givenBy: 'child and mother',
      date: '2026-01-05',
      scope: { platforms: [], purposes: ['000 §3 criteria'] },
    }),
  );
  const raised: Raised = must(await raise());
  expect(raised.request).toMatchObject({
    status: 'pending',
    authority: 'team-manager',
    profileId: 'nottinghamshire-yjs',
    profileVersion: '2.0',
  });
  expect(raised.verdict.cites).toContain('000 §11');
  expect(raised.verdict.obligations.map((o) => o.id)).toEqual(
    expect.arrayContaining(['story-viewer-warning', 'no-friend-or-follow']),
  );

  w.at('2026-01-10T11:00:00Z');
  const decided = must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId: raised.request.id,
      outcome: 'approve',
      reasons: 'Necessary and proportionate.',
    }),
  );
  expect(decided.request).toMatchObject({ status: 'approved', decidedBy: 'tm-notts' });

  w.at('2026-01-11T15:00:00Z');
  const done = must(await record(raised.request.id, '2026-01-11T14:00:00Z'));
  expect(done.request.status).toBe('completed');
  expect(done.check).toMatchObject({
    viewerId: 'cm-notts',
    thirdPartyData: 'seen-not-kept',
    attestNoFriendFollow: true,
  });

  const events = await w.store.audit.list();
  const trail = events
    .filter((e) => e.actor.id !== 'admin' && e.actor.id !== 'system')
    .map((e) => [e.action, e.outcome, e.cites.includes('000 §11') || e.cites.includes('000 §6')]);
  expect(trail).toEqual([
    ['consent.record', 'recorded', true],
    ['request.raise', 'allow', true],
    ['request.approve', 'allow', true],
    ['check.record', 'allow', true],
  ]);
  expect(await w.store.audit.verify()).toEqual({ ok: true, count: events.length });
});

it('a second check inside three months goes to the RIPA route, and proceeds only under a recorded authorisation', async () => {
  const first = await consentedAndApproved();
  w.at('2026-01-10T12:00:00Z');
  must(await record(first.id, '2026-01-10T10:00:00Z'));

  w.at('2026-02-20T09:00:00Z');
  const second = must(await raise('cm2-notts'));
  expect(second.request).toMatchObject({ status: 'escalated', authority: 'authorised-officer' });
  expect(second.verdict.cites).toEqual(expect.arrayContaining(['000 §11', '000 §12']));

  // The team manager cannot approve it: it stays with the RIPA route, and the refusal is audited.
  const tm = await decideRequest(w.deps, {
    key: w.key(),
    actorId: 'tm-notts',
    requestId: second.request.id,
    outcome: 'approve',
    authority: 'team-manager',
    reasons: 'Necessary and proportionate (fictional).',
  });
  expect(tm).toMatchObject({ ok: false, error: { code: 'WRONG_STATE' } });
  expect(tm.ok || tm.error.message).toMatch(/authorising officer/);
  expect((await w.store.audit.list()).at(-1)).toMatchObject({ action: 'request.approve', outcome: 'refuse' });

  // The authorising officer cannot simply approve it: it needs an authorisation in force first.
  const early = await decideRequest(w.deps, {
    key: w.key(),
    actorId: 'ao',
    requestId: second.request.id,
    outcome: 'approve',
    authority: 'authorised-officer',
    reasons: 'Approve, please.',
  });
  expect(early).toMatchObject({ ok: false, error: { code: 'WRONG_STATE' } });
  expect((await w.store.get('request', second.request.id))!.record.status).toBe('escalated');

  const authorisation = {
    key: w.key(),
    actorId: 'ao',
    childId: 'child-notts',
    requestId: second.request.id,
    reference: 'DS-2026-001',
    offence: 'Criminal damage (fictional)',
    maxSentenceMonths: 5,
    necessity: 'Fictional: no other way to find the child.',
    proportionality: 'Fictional: public posts only, for the shortest time.',
    legalAdvice: 'Fictional: legal services advise it is lawful.',
    grantedOn: '2026-02-20',
    magistrateApprovedOn: '2026-02-20',
    from: '2026-02-20',
    until: '2026-05-19',
    reviewAt: '2026-03-20',
    confidentialInfoLikely: false,
    authoriserInvolved: false,
  };
  // An offence whose maximum sentence is under six months cannot found a RIPA authorisation; nor can one of
  // exactly six months — the seed says "punishable by over six months in prison" (000 §12).
  const low = await authoriseRipa(w.deps, authorisation);
  expect(low).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'maxSentenceMonths' } });
  // A maximum no form lists (forged, or mistyped through the API) is refused as such, whatever its size.
  for (const forged of [5, 7, 100, 1000, -1, 1.5])
    expect(
      await authoriseRipa(w.deps, { ...authorisation, key: w.key(), maxSentenceMonths: forged }),
    ).toMatchObject({
      ok: false,
      error: {
        field: 'maxSentenceMonths',
        message: expect.stringMatching(/one of the maximum sentences listed/),
      },
    });
  const six = await authoriseRipa(w.deps, { ...authorisation, key: w.key(), maxSentenceMonths: 6 });
  expect(six).toMatchObject({
    ok: false,
    error: {
      code: 'INVALID_INPUT',
      field: 'maxSentenceMonths',
      message: expect.stringMatching(/over six months in prison/),
    },
  });
  expect((await w.store.count('ripa'))[0]!.count).toBe(0);

  const ao = must(
    await authoriseRipa(w.deps, {
      ...authorisation,
      key: w.key(),
      offence: 'Supplying class A drugs (fictional case)',
      maxSentenceMonths: 9999,
    }),
  );
  expect(ao.request).toMatchObject({ status: 'approved' });
  const decided = (await w.store.get('request', second.request.id))!.record;
  expect(decided).toMatchObject({ status: 'approved', decidedBy: 'ao' });
  expect((decided.verdict as { cites: string[] }).cites).toContain('000 §12');
});

it('a check exactly three months after the last is clear again (000 §11)', async () => {
  const first = await consentedAndApproved();
  must(await record(first.id, '2026-01-10T09:00:00Z')); // as it was approved: no earlier
  w.at('2026-04-09T23:30:00Z'); // 00:30 BST on 10 April
  expect(must(await raise()).request.status).toBe('pending');
});

it('third-party data kept without a team manager’s authorisation is refused, and nothing but the refusal is written', async () => {
  const req = await consentedAndApproved();
  w.at('2026-01-10T12:00:00Z');
  const before = await w.counts();
  const refused = await record(req.id, '2026-01-10T10:00:00Z', {
    thirdPartyData: 'kept',
    thirdPartyRationale: 'An older friend (fictional).',
  });
  expect(refused).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
  if (!refused.ok) expect(refused.error.message).toMatch(/\(section 16, section 17\)/);
  expect(await w.counts()).toEqual(before);
  const last = (await w.store.audit.list()).pop()!;
  expect(last).toMatchObject({
    action: 'check.record',
    outcome: 'refuse',
    cites: expect.arrayContaining(['000 §16', '000 §17']),
  });
  const ok = must(
    await record(req.id, '2026-01-10T10:00:00Z', {
      thirdPartyData: 'kept',
      thirdPartyAuthorisedBy: 'tm-notts',
      thirdPartyRationale: 'A known exploiter is pictured (fictional).',
    }),
  );
  expect(ok.verdict.obligations.map((o) => o.id)).toContain('record-third-party-rationale');
});

it('third-party data kept on the authorisation of someone who is not a team manager is refused: the workflow gives the policy the authoriser’s role (000 §17)', async () => {
  const req = await consentedAndApproved();
  w.at('2026-01-10T12:00:00Z');
  const before = await w.counts();
  const kept = (by: string) =>
    record(req.id, '2026-01-10T10:00:00Z', {
      thirdPartyData: 'kept',
      thirdPartyAuthorisedBy: by,
      thirdPartyRationale: 'A known exploiter is pictured (fictional).',
    });
  // Another case manager, or the case manager who recorded it: never an authoriser — the policy refuses,
  // citing the clause that names who authorises (000 §17).
  for (const by of ['cm2-notts', 'cm-notts']) {
    const r = await kept(by);
    expect(r).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
    if (!r.ok) expect(r.error.message).toMatch(/\(section 17\)/);
  }
  // The service manager may authorise elsewhere, but Nottinghamshire's paragraph 17 names a team manager.
  const sm = await kept('sm');
  expect(sm).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
  if (!sm.ok) {
    expect(sm.error.message).toMatch(/\(section 17\)/);
    expect((sm.error.verdict as { determining: string[] }).determining).toContain(
      'third-party-authoriser-not-team-manager',
    );
  }
  expect(await w.counts()).toEqual(before);
});

it('a viewing must fall inside what the approval allows: not before its moment (same day), not after it lapses', async () => {
  const req = await consentedAndApproved(); // approved at 09:00 on 10 January
  const approved = (await w.store.get('request', req.id))!.record;
  expect(approved.decidedAt).toBe('2026-01-10T09:00:00.000Z');
  w.at('2026-01-10T12:00:00Z');
  const before = await w.counts();
  const early = await record(req.id, '2026-01-10T08:30:00Z');
  expect(early).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'viewedAt' } });
  if (!early.ok)
    expect(early.error.message).toMatch(/approved on 10 January 2026, 09:00; a viewing before that/);
  expect(await w.counts()).toEqual(before);
  expect((await w.store.audit.list()).pop()).toMatchObject({ action: 'check.record', outcome: 'refuse' });

  const lapses = Date.parse(approved.expiresAt!);
  w.at(new Date(lapses + 3_600_000).toISOString());
  const late = await record(req.id, new Date(lapses + 60_000).toISOString());
  expect(late).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'viewedAt' } });
  if (!late.ok)
    expect(late.error.message).toMatch(/the approval allowed a viewing until .*; a viewing after that/);
  expect(await w.counts()).toEqual(before);

  // A viewing inside the window, recorded after it lapsed, is the viewing that was authorised.
  must(await record(req.id, '2026-01-10T09:30:00Z'));
});
