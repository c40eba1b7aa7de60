/**
 * The RIPA authorisation's lifecycle holds (issue 13, a newcomer's walk): through the workflow on a SQLite
 * store, Nottinghamshire's profile (a magistrate approves each authorisation).
 * - a check is recorded under an authorisation only on a day it covers: not once cancelled, ended, or overdue
 *   for review, and nothing proceeds while it awaits a magistrate's approval — each refusal in words naming
 *   the authorisation, audited, nothing written;
 * - one renewal a period, running from the end of the current one; the review due stays due;
 * - an authorisation covers the request and purpose it was granted for, never another purpose; an overdue
 *   review blocks an approval under it until the review is recorded; the approval and the check name it;
 * - without the magistrate's date it is recorded as awaiting it, and the date is a step of its own;
 * - dated before the request it authorises, or a magistrate's date before the grant or ahead: refused by field.
 */
import {
  authoriseRipa,
  cancelRipa,
  decideRequest,
  raiseRequest,
  recordCheck,
  recordConsent,
  recordMagistrateApproval,
  renewRipa,
  reviewRipa,
  type AuthoriseRipaInput,
} from '../../src/workflow';
import { centralRecord } from '../../src/workflow/queries/ripa';
import { cleanupWorlds, must, world, type World } from './world';

let w: World;
beforeEach(async () => (w = await world('2026-01-10T09:00:00Z')));
afterEach(() => w.close());
afterAll(cleanupWorlds);

const raise = (reason = 'risk-of-cce', actorId = 'cm-notts') =>
  raiseRequest(w.deps, {
    key: w.key(),
    actorId,
    childId: 'child-notts',
    reason,
    platforms: [{ platform: 'Instagram', account: '@demo_ab' }],
    viewer: 'own-personal-account',
    rationale: 'Fictional: intelligence that the child is being exploited.',
  });
const record = (requestId: string, viewedAt: string, actorId = 'cm-notts') =>
  recordCheck(w.deps, {
    key: w.key(),
    actorId,
    requestId,
    viewedAt,
    accounts: [{ platform: 'instagram', account: '@demo_ab' }],
    relevantInfo: 'Fictional: nothing of note.',
    thirdPartyData: 'none',
    sensitive: false,
    attestNoFriendFollow: true,
    attestOpenSourceOnly: true,
  });
const approve = (requestId: string, actorId = 'ao') =>
  decideRequest(w.deps, {
    key: w.key(),
    actorId,
    requestId,
    outcome: 'approve',
    reasons: 'Necessary and proportionate (fictional).',
  });
const lastEvent = async () => (await w.store.audit.list()).at(-1)!;

/** A first check recorded on 10 January; on 20 February a repeat for the same purpose waits for the officer. */
async function repeatWaiting(): Promise<string> {
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
  const first = must(await raise()).request;
  must(await approve(first.id, 'tm-notts'));
  w.at('2026-01-10T12:00:00Z');
  must(await record(first.id, '2026-01-10T10:00:00Z'));
  w.at('2026-02-20T09:00:00Z');
  const repeat = must(await raise()).request;
  expect(repeat).toMatchObject({ status: 'escalated', authority: 'authorised-officer' });
  return repeat.id;
}

const grant = (requestId: string, extra: Partial<AuthoriseRipaInput> = {}): AuthoriseRipaInput => ({
  key: w.key(),
  actorId: 'ao',
  childId: 'child-notts',
  requestId,
  reference: 'DS-NOTTS-101',
  offence: 'Supplying a class A drug (fictional)',
  maxSentenceMonths: 9999,
  necessity: 'Fictional: no less intrusive way is known.',
  proportionality: 'Fictional: public posts only, for the shortest time.',
  legalAdvice: 'Fictional: legal services advise it is lawful.',
  grantedOn: '2026-02-20',
  magistrateApprovedOn: '2026-02-20',
  from: '2026-02-20',
  until: '2026-05-19',
  reviewAt: '2026-03-20',
  confidentialInfoLikely: false,
  authoriserInvolved: false,
  ...extra,
});

it('a check is recorded under an authorisation only on a day it covers: once cancelled, nothing more is recorded under it', async () => {
  const requestId = await repeatWaiting();
  const { ripa } = must(await authoriseRipa(w.deps, grant(requestId)));
  expect((await w.store.get('request', requestId))!.record.status).toBe('approved');
  w.at('2026-02-21T09:00:00Z');
  must(
    await cancelRipa(w.deps, {
      key: w.key(),
      actorId: 'ao',
      ripaId: ripa.id,
      at: '2026-02-21',
      reasons: 'Fictional: found.',
    }),
  );
  w.at('2026-02-21T12:00:00Z');
  const before = await w.counts();
  const after = await record(requestId, '2026-02-21T10:00:00Z');
  expect(after).toMatchObject({ ok: false, error: { code: 'WRONG_STATE', field: 'viewedAt' } });
  expect(after.ok || after.error.message).toMatch(
    /RIPA authorisation DS-NOTTS-101 was cancelled on 21 February 2026: no check may proceed under it from that day/,
  );
  expect(await w.counts()).toEqual(before);
  expect(await lastEvent()).toMatchObject({ action: 'check.record', outcome: 'refuse' });
  // A viewing done the day before, while it was in force, is the viewing it authorised: it is recorded, naming it.
  const done = must(await record(requestId, '2026-02-20T10:00:00Z'));
  expect(done.ripaReference).toBe('DS-NOTTS-101');
  expect(await lastEvent()).toMatchObject({
    action: 'check.record',
    details: expect.objectContaining({ ripaReference: 'DS-NOTTS-101' }),
  });
});

it('nor once it has ended, nor on a day its review is overdue', async () => {
  const requestId = await repeatWaiting();
  must(await authoriseRipa(w.deps, grant(requestId, { until: '2026-02-25', reviewAt: '2026-02-22' })));
  w.at('2026-02-23T12:00:00Z');
  const overdue = await record(requestId, '2026-02-23T10:00:00Z');
  expect(overdue).toMatchObject({ ok: false, error: { code: 'WRONG_STATE', field: 'viewedAt' } });
  expect(overdue.ok || overdue.error.message).toMatch(
    /DS-NOTTS-101 was due for review on 22 February 2026: no check may proceed under it until the authorising officer records the review/,
  );
  w.at('2026-02-26T12:00:00Z');
  const ended = await record(requestId, '2026-02-26T10:00:00Z');
  expect(ended.ok || ended.error.message).toMatch(/DS-NOTTS-101 ended on 25 February 2026/);
  expect(await lastEvent()).toMatchObject({ action: 'check.record', outcome: 'refuse' });
  expect((await w.store.count('check'))[0]!.count).toBe(1);
});

it('one renewal a period, from the end of the current one; a second the same day is refused and the review due stays due', async () => {
  const requestId = await repeatWaiting();
  const { ripa } = must(await authoriseRipa(w.deps, grant(requestId)));
  w.at('2026-05-01T09:00:00Z');
  // Its review was last set for 20 March; reviewed now, next by 15 May.
  must(
    await reviewRipa(w.deps, {
      key: w.key(),
      actorId: 'ao',
      ripaId: ripa.id,
      reviewedOn: '2026-05-01',
      notes: 'Fictional: still necessary and proportionate.',
      nextReviewAt: '2026-05-15',
    }),
  );
  const renew = (until: string) =>
    renewRipa(w.deps, {
      key: w.key(),
      actorId: 'ao',
      ripaId: ripa.id,
      renewedOn: '2026-05-01',
      until,
      reasons: 'Fictional: the child is still missing.',
      magistrateApprovedOn: '2026-05-01',
      nextReviewAt: '2026-06-19',
    });
  // A renewal runs from the end (19 May): at most to 19 August.
  expect(await renew('2026-08-20')).toMatchObject({ ok: false, error: { field: 'until' } });
  const once = must(await renew('2026-08-19'));
  expect(once).toMatchObject({ until: '2026-08-19', reviewAt: '2026-05-15' });
  const before = (await w.store.get('ripa', ripa.id))!;
  const twice = await renew('2026-08-19');
  expect(twice).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'renewedOn' } });
  expect(twice.ok || twice.error.message).toMatch(
    /already renewed on 1 May 2026, to run from 20 May 2026 to 19 August 2026; it can be renewed again once that renewal has taken effect, from 20 May 2026/,
  );
  expect((await w.store.get('ripa', ripa.id))!.version).toBe(before.version);
  // Once the renewal has taken effect, it may be renewed again (to at most three months past 19 August).
  w.at('2026-08-01T09:00:00Z');
  const again = must(
    await renewRipa(w.deps, {
      key: w.key(),
      actorId: 'ao',
      ripaId: ripa.id,
      renewedOn: '2026-08-01',
      until: '2026-11-19',
      reasons: 'Fictional: still necessary.',
      magistrateApprovedOn: '2026-08-01',
      nextReviewAt: '2026-09-01',
    }),
  );
  expect(again.renewals).toHaveLength(2);
  // The central record gives each renewal its own period, not the day it was recorded to its end (walk 13b:
  // "1 Dec 2026 to 31 May 2027" for a renewal running 1 March to 31 May).
  const entry = must(await centralRecord(w.deps, { actorId: 'ao' })).entries.find((e) => e.id === ripa.id)!;
  expect(entry.renewals.map(({ on, from, until }) => ({ on, from, until }))).toEqual([
    { on: '2026-05-01', from: '2026-05-20', until: '2026-08-19' },
    { on: '2026-08-01', from: '2026-08-20', until: '2026-11-19' },
  ]);
});

it('an authorisation covers its request and purpose only; an overdue review blocks an approval under it until reviewed; the approval and the check name it', async () => {
  const requestId = await repeatWaiting();
  const { ripa } = must(await authoriseRipa(w.deps, grant(requestId)));
  w.at('2026-02-20T12:00:00Z');
  must(await record(requestId, '2026-02-20T10:00:00Z'));
  // Another purpose: the authorisation does not cover it — the request goes to the officer for one of its own.
  const other = must(await raise('gang-involvement')).request;
  expect(other).toMatchObject({ status: 'escalated', authority: 'authorised-officer' });
  const early = await approve(other.id);
  expect(early).toMatchObject({ ok: false, error: { code: 'WRONG_STATE' } });
  // The same purpose: it proceeds under it, for the officer to approve.
  const same = must(await raise('risk-of-cce', 'cm2-notts')).request;
  expect(same).toMatchObject({ status: 'pending', authority: 'authorised-officer' });
  // Its review falls overdue before the officer approves: refused, naming it, nothing written.
  w.at('2026-03-23T09:00:00Z');
  const blocked = await approve(same.id);
  expect(blocked).toMatchObject({ ok: false, error: { code: 'WRONG_STATE' } });
  expect(blocked.ok || blocked.error.message).toMatch(
    /RIPA authorisation DS-NOTTS-101 was due for review on 20 March 2026: no check may proceed under it until the authorising officer records the review; nothing was approved/,
  );
  expect((await w.store.get('request', same.id))!.record.status).toBe('pending');
  expect(await lastEvent()).toMatchObject({ action: 'request.approve', outcome: 'refuse' });
  must(
    await reviewRipa(w.deps, {
      key: w.key(),
      actorId: 'ao',
      ripaId: ripa.id,
      reviewedOn: '2026-03-23',
      notes: 'Fictional: still necessary and proportionate.',
      nextReviewAt: '2026-04-20',
    }),
  );
  const approved = must(await approve(same.id));
  expect(approved).toMatchObject({ request: { status: 'approved' }, ripaReference: 'DS-NOTTS-101' });
  w.at('2026-03-23T12:00:00Z');
  expect(must(await record(same.id, '2026-03-23T10:00:00Z', 'cm2-notts')).ripaReference).toBe('DS-NOTTS-101');
});

it('without the magistrate’s date it is recorded as awaiting approval: nothing proceeds until the officer records the date', async () => {
  const requestId = await repeatWaiting();
  const { magistrateApprovedOn: _none, ...noDate } = grant(requestId);
  const made = must(await authoriseRipa(w.deps, noDate));
  expect(made.ripa).toMatchObject({ awaitingMagistrate: true });
  expect(made.ripa.magistrateApprovedOn).toBeUndefined();
  expect(made.request).toMatchObject({ status: 'escalated' });
  expect((await w.store.get('request', requestId))!.record.status).toBe('escalated');
  const record0 = must(await centralRecord(w.deps, { actorId: 'ao' }));
  expect(record0.entries[0]).toMatchObject({ state: 'awaiting-approval', magistrateApprovedOn: null });
  // No approval under it, no second authorisation for the request.
  expect(await approve(requestId)).toMatchObject({ ok: false });
  const second = await authoriseRipa(w.deps, grant(requestId, { key: w.key(), reference: 'DS-NOTTS-102' }));
  expect(second.ok || second.error.message).toMatch(
    /DS-NOTTS-101 is already recorded for this request, awaiting the magistrate’s approval/,
  );
  // The date: not before the grant, not ahead.
  w.at('2026-02-24T09:00:00Z');
  const step = (approvedOn: string) =>
    recordMagistrateApproval(w.deps, { key: w.key(), actorId: 'ao', ripaId: made.ripa.id, approvedOn });
  expect(await step('2026-02-19')).toMatchObject({ ok: false, error: { field: 'approvedOn' } });
  expect(await step('2026-02-25')).toMatchObject({ ok: false, error: { field: 'approvedOn' } });
  const approved = must(await step('2026-02-23'));
  expect(approved.ripa).toMatchObject({ magistrateApprovedOn: '2026-02-23', from: '2026-02-23' });
  expect(approved.ripa.awaitingMagistrate).toBeUndefined();
  expect(approved.request).toMatchObject({ status: 'approved' });
  expect(await step('2026-02-23')).toMatchObject({ ok: false, error: { code: 'WRONG_STATE' } });
  w.at('2026-02-24T12:00:00Z');
  expect(must(await record(requestId, '2026-02-24T10:00:00Z')).ripaReference).toBe('DS-NOTTS-101');
});

it('dated before the request it authorises, or a magistrate’s date before the grant or ahead: refused by the field, nothing written', async () => {
  const requestId = await repeatWaiting(); // asked for on 20 February
  const before = await w.counts();
  const cases: [Partial<AuthoriseRipaInput>, string, RegExp][] = [
    [
      { grantedOn: '2026-02-19', magistrateApprovedOn: '2026-02-19', from: '2026-02-19' },
      'grantedOn',
      /asked for on 20 February 2026: it cannot be granted before that/,
    ],
    [
      { magistrateApprovedOn: '2026-02-19' },
      'magistrateApprovedOn',
      /after it is granted \(20 February 2026\), not before/,
    ],
    [{ magistrateApprovedOn: '2026-02-21' }, 'magistrateApprovedOn', /cannot be in the future/],
  ];
  for (const [extra, field, message] of cases) {
    const r = await authoriseRipa(w.deps, grant(requestId, extra));
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field } });
    expect(r.ok || r.error.message).toMatch(message);
  }
  expect(await w.counts()).toEqual(before);
});
