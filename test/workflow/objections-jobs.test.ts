import { addDays } from 'date-fns';
import {
  decideRequest,
  progressObjection,
  raiseObjection,
  raiseRequest,
  recordConsent,
  recordReminder,
  authoriseRipa,
  reviewEvidence,
  runJobs,
  submitReview,
  withdrawConsent,
  ASSERTIONS,
} from '../../src/workflow';
import { cleanupWorlds, must, world, type World } from './world';
import { evidenceLines } from '../../src/vocabulary';

let w: World;
beforeEach(async () => {
  w = await world('2026-03-01T10:00:00Z');
  await w.consent('notts', '2026-02-01');
});
afterEach(() => w.close());
afterAll(cleanupWorlds);

const raise = () =>
  raiseRequest(w.deps, {
    key: w.key(),
    actorId: 'cm-notts',
    childId: 'child-notts',
    reason: 'risk-of-cce',
    platforms: [{ platform: 'youtube', account: 'demo channel' }],
    viewer: 'own-personal-account',
  });

describe('objections (000 §8)', () => {
  it('an open objection stops everything; information governance takes it, responds and resolves; checks may resume', async () => {
    const pending = must(await raise()).request;
    const o = must(
      await raiseObjection(w.deps, {
        key: w.key(),
        actorId: 'cm-notts',
        childId: 'child-notts',
        raisedBy: 'the child',
        raisedAt: '2026-03-01T09:00:00Z',
      }),
    );
    expect((await w.store.get('child', 'child-notts'))!.record.openObjectionId).toBe(o.id);
    expect(await raise()).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
    expect(
      await decideRequest(w.deps, {
        key: w.key(),
        actorId: 'tm-notts',
        requestId: pending.id,
        outcome: 'approve',
        reasons: 'Necessary and proportionate (fictional).',
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'POLICY_REFUSED', message: expect.stringMatching(/\(section 8\)/) },
    });
    expect(
      await progressObjection(w.deps, { step: 'take', key: w.key(), actorId: 'tm-notts', objectionId: o.id }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(
      await progressObjection(w.deps, {
        step: 'resolve',
        key: w.key(),
        actorId: 'ig',
        objectionId: o.id,
        outcome: 'checks-may-resume',
      }),
    ).toMatchObject({ ok: false, error: { code: 'WRONG_STATE' } });
    must(await progressObjection(w.deps, { step: 'take', key: w.key(), actorId: 'ig', objectionId: o.id }));
    must(
      await progressObjection(w.deps, {
        step: 'respond',
        key: w.key(),
        actorId: 'ig',
        objectionId: o.id,
        response: 'Formal response drafted with the Caldicott Guardian (fictional).',
      }),
    );
    const resolved = must(
      await progressObjection(w.deps, {
        step: 'resolve',
        key: w.key(),
        actorId: 'ig',
        objectionId: o.id,
        outcome: 'checks-may-resume',
      }),
    );
    expect(resolved).toMatchObject({ status: 'resolved', outcome: 'checks-may-resume' });
    expect((await w.store.get('child', 'child-notts'))!.record.openObjectionId).toBeUndefined();
    expect(
      must(
        await decideRequest(w.deps, {
          key: w.key(),
          actorId: 'tm-notts',
          requestId: pending.id,
          outcome: 'approve',
          reasons: 'Necessary and proportionate (fictional).',
        }),
      ).request.status,
    ).toBe('approved');
  });

  it('withdrawn consent refuses new requests until consent is recorded again', async () => {
    must(
      await withdrawConsent(w.deps, {
        key: w.key(),
        actorId: 'cm-notts',
        childId: 'child-notts',
        date: '2026-02-20',
      }),
    );
    expect(await raise()).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
    must(
      await recordConsent(w.deps, {
        key: w.key(),
        actorId: 'cm-notts',
        childId: 'child-notts',
        givenBy: 'child and carer',
        date: '2026-02-28',
        scope: { platforms: [], purposes: [] },
      }),
    );
    expect(must(await raise()).request.status).toBe('pending');
  });
});

describe('timers', () => {
  it('expire undecided requests, flag stale ones, remind, and fire once however often they run', async () => {
    const r = must(await raise()).request;
    w.at('2026-03-04T10:00:00Z');
    const first = await runJobs(w.deps, 'instance-a');
    expect(first.notices.map((n) => n.kind)).toEqual(['decision-waiting']);
    expect(first.notices[0]!.to).toEqual(expect.arrayContaining(['tm-notts', 'sm']));
    w.at(addDays(new Date('2026-03-01T10:00:00Z'), 8).toISOString());
    const second = await runJobs(w.deps, 'instance-a');
    expect(second.expired).toBe(1);
    expect((await w.store.get('request', r.id))!.record.status).toBe('expired');
    expect(second.notices.map((n) => n.kind)).toEqual(['request-expired']);
    const third = await runJobs(w.deps, 'instance-a');
    expect(third).toEqual({ ran: true, expired: 0, notices: [] });
  });

  it('a lease stops a second instance firing at the same time', async () => {
    expect((await runJobs(w.deps, 'instance-a')).ran).toBe(true);
    expect((await runJobs(w.deps, 'instance-b')).ran).toBe(false);
    w.at('2026-03-01T10:06:00Z');
    expect((await runJobs(w.deps, 'instance-b')).ran).toBe(true);
  });

  it('a consent reminder falls due three months on, and a recorded reminder moves it (000 §7)', async () => {
    w.at('2026-05-02T09:00:00Z');
    const due = await runJobs(w.deps, 'a');
    expect(due.notices).toEqual([
      expect.objectContaining({ kind: 'reminder-due', to: ['cm-notts'], childId: 'child-notts' }),
    ]);
    must(
      await recordReminder(w.deps, {
        key: w.key(),
        actorId: 'cm-notts',
        childId: 'child-notts',
        givenAt: '2026-05-02',
      }),
    );
    expect((await w.store.get('child', 'child-notts'))!.record.reminderDueAt).toBe(
      '2026-08-02T09:00:00.000Z',
    );
  });

  it('a RIPA authorisation is flagged for review and when it ends', async () => {
    must(
      await authoriseRipa(w.deps, {
        key: w.key(),
        actorId: 'ao',
        childId: 'child-notts',
        reference: 'DS-JOBS-1',
        offence: 'Robbery (fictional)',
        maxSentenceMonths: 9999,
        necessity: 'Fictional.',
        proportionality: 'Fictional.',
        legalAdvice: 'L-9',
        grantedOn: '2026-03-01',
        magistrateApprovedOn: '2026-03-01',
        from: '2026-03-01',
        until: '2026-04-01',
        reviewAt: '2026-03-15',
        confidentialInfoLikely: false,
        authoriserInvolved: false,
      }),
    );
    w.at('2026-03-16T09:00:00Z');
    expect((await runJobs(w.deps, 'a')).notices.map((n) => n.kind)).toContain('ripa-review');
    w.at('2026-04-02T09:00:00Z');
    expect((await runJobs(w.deps, 'a')).notices.map((n) => n.kind)).toContain('ripa-expired');
  });
});

describe('the annual review (000 §24)', () => {
  it('gathers the evidence, and the service manager’s assessment is kept and sent to IG', async () => {
    const r = must(await raise()).request;
    must(
      await decideRequest(w.deps, {
        key: w.key(),
        actorId: 'tm-notts',
        requestId: r.id,
        outcome: 'decline',
        reasons: 'Not yet (fictional).',
      }),
    );
    await raiseRequest(w.deps, {
      key: w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      reason: 's47-enquiry', // a reason Overt knows that Nottinghamshire's criteria (000 §3) do not list
      platforms: [{ platform: 'x', account: '@x' }],
      viewer: 'own-personal-account',
    });
    const evidence = await reviewEvidence(w.deps, 2026);
    expect(evidence.volumes).toMatchObject({ requests: 1, byStatus: { declined: 1 } });
    // The refusal under the rule that decided it, named in the rule's own words (not 'criteria-not-met').
    expect(evidence.refusals).toEqual({
      total: 1,
      byRule: {
        "The reason is not one of the criteria in section 3, nor 'other circumstances' under section 4": 1,
      },
    });
    expect(evidenceLines(evidence.refusals, {}, ['Refusals by policy'])).toEqual([
      ['Refusals by policy — Total', '1'],
      [
        "Refusals by policy — By rule — The reason is not one of the criteria in section 3, nor 'other circumstances' under section 4",
        '1',
      ],
    ]);
    expect(evidence.records.auditChain).toMatchObject({ ok: true });
    const assessments = ASSERTIONS.map((a) => ({
      id: a.id,
      assessment: 'met' as const,
      comments: 'Evidence reviewed (fictional).',
    }));
    expect(
      await submitReview(w.deps, { key: w.key(), actorId: 'tm-notts', year: 2026, assessments, revision: 1 }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const review = must(
      await submitReview(w.deps, { key: w.key(), actorId: 'sm', year: 2026, assessments, revision: 1 }),
    );
    expect(review).toMatchObject({ year: 2026, reviewerId: 'sm', sentToIgAt: '2026-03-01T10:00:00.000Z' });
    expect(
      await submitReview(w.deps, {
        key: w.key(),
        actorId: 'sm',
        year: 2026,
        assessments: assessments.slice(1),
        revision: 2,
      }),
    ).toMatchObject({ ok: false, error: { field: 'assessments' } });
  });
});
