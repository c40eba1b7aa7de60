import { AuditProjection } from '../../src/workflow/audit-projection';
import { decideRequest, raiseRequest, recordCheck, recordConsent, reviewEvidence } from '../../src/workflow';
import { serviceDashboard } from '../../src/workflow/dashboard';
import { cleanupWorlds, must, world, type World } from './world';

/**
 * Near-misses are what the profile's rules say they report (`reports`), not what their ids look like: Camden's
 * one-off access refusal is a repeat stopped though its rule is not called `repeat-…`, and the dashboard and
 * the annual review count the same near-misses.
 */
let w: World;
beforeEach(async () => (w = await world('2026-03-01T10:00:00Z')));
afterEach(() => w.close());
afterAll(cleanupWorlds);

const consent = (team: string) =>
  recordConsent(w.deps, {
    key: w.key(),
    actorId: `cm-${team}`,
    childId: `child-${team}`,
    givenBy: 'young person (written)',
    date: '2026-02-01',
    scope: { platforms: ['instagram'], purposes: ['safeguarding'] },
  });
const raise = (team: string, reason: string, viewer: string) =>
  raiseRequest(w.deps, {
    key: w.key(),
    actorId: `cm-${team}`,
    childId: `child-${team}`,
    reason,
    platforms: [{ platform: 'instagram', account: '@demo_ab' }],
    viewer,
    rationale: 'Fictional rationale for a test.',
  });
/** A first check: raised, approved by the team manager, recorded. */
async function firstCheck(team: string, reason: string, viewer: string) {
  const r = must(await raise(team, reason, viewer));
  must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: `tm-${team}`,
      requestId: r.request.id,
      outcome: 'approve',
      reasons: 'Necessary and proportionate (fictional).',
    }),
  );
  must(
    await recordCheck(w.deps, {
      key: w.key(),
      actorId: `cm-${team}`,
      requestId: r.request.id,
      viewedAt: '2026-03-02T10:00:00Z', // the moment of the approval: no earlier
      accounts: [{ platform: 'instagram', account: '@demo_ab' }],
      relevantInfo: 'Nothing relevant found.',
      thirdPartyData: 'none',
      sensitive: false,
      attestNoFriendFollow: true,
      attestOpenSourceOnly: true,
    }),
  );
}

it("counts Camden's refused repeat (one-off access) as a repeat stopped, and the annual review counts the same near-misses", async () => {
  must(await consent('camden'));
  must(await consent('notts'));
  w.at('2026-03-02T10:00:00Z');
  await firstCheck('camden', 's47-enquiry', 'organisation-account');
  await firstCheck('notts', 'risk-of-cse', 'own-personal-account');

  w.at('2026-03-10T10:00:00Z');
  // Camden: access is one-off under a consent (001 §3): refused, reported as a repeat stopped.
  const camden = await raise('camden', 's47-enquiry', 'organisation-account');
  expect(camden).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
  if (!camden.ok) expect(camden.error.message).toMatch(/section 3\b/);
  // Nottinghamshire: a repeat for a crime goes to the RIPA route; for missing episodes it has none (000 §12).
  expect(must(await raise('notts', 'risk-of-cse', 'own-personal-account')).request.status).toBe('escalated');
  const missing = await raise('notts', 'repeated-missing-episodes', 'own-personal-account');
  expect(missing).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
  // A refusal for another reason is a refusal, not a near-miss.
  expect(await raise('notts', 'risk-of-cse', 'fake-account')).toMatchObject({ ok: false });

  const projection = new AuditProjection(w.store, w.deps.profiles);
  const d = must(await serviceDashboard(w.deps, projection, { actorId: 'sm' }));
  const month = d.periods.find((p) => p.id === 'month')!;
  expect(month.byTeam['camden']).toMatchObject({ refusals: 1, repeatsStopped: 1, escalatedToRipa: 0 });
  expect(month.byTeam['notts']).toMatchObject({ refusals: 2, repeatsStopped: 1, escalatedToRipa: 1 });
  expect(month.total).toMatchObject({ repeatsStopped: 2, escalatedToRipa: 1 });

  const review = await reviewEvidence(w.deps, 2026);
  // One definition of a refusal (countsAsRefusal): the review counts what the dashboard counts.
  expect(review.refusals.total).toBe(month.total.refusals);
  expect(review.nearMisses).toEqual({
    total: month.total.repeatsStopped + month.total.escalatedToRipa,
    repeatsStopped: month.total.repeatsStopped,
    escalatedToRipa: month.total.escalatedToRipa,
  });
});

it("counts each team's days on its own profile's calendar, not London's", async () => {
  must(await consent('notts'));
  w.at('2026-03-31T12:00:00Z'); // 1 April, 01:00 in Auckland; still 31 March in London
  const r = must(await raise('notts', 'risk-of-cse', 'own-personal-account'));
  must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId: r.request.id,
      outcome: 'approve',
      reasons: 'Necessary and proportionate (fictional).',
    }),
  );
  const notts = w.deps.profiles('nottinghamshire-yjs')!;
  const auckland = { ...notts, timeZone: 'Pacific/Auckland' };
  const there = new AuditProjection(w.store, (id) => (id === notts.id ? auckland : w.deps.profiles(id)));
  const here = new AuditProjection(w.store, w.deps.profiles);
  await Promise.all([there.sync(), here.sync()]);
  expect([...there.counts.approvals.get('notts')!.keys()]).toEqual(['2026-04-01']);
  expect([...here.counts.approvals.get('notts')!.keys()]).toEqual(['2026-03-31']);
});

it('counts a request sent to the RIPA route once, however many times someone tries to approve it', async () => {
  must(await consent('notts'));
  w.at('2026-03-02T10:00:00Z');
  await firstCheck('notts', 'risk-of-cse', 'own-personal-account');
  w.at('2026-03-10T10:00:00Z');
  const r = must(await raise('notts', 'risk-of-cse', 'own-personal-account'));
  expect(r.request.status).toBe('escalated');
  // The authorised officer approves twice without a RIPA authorisation in force: each time it is refused (it
  // needs the authorisation recorded first), and the request stays on the RIPA route.
  for (const actorId of ['ao', 'ao'])
    await decideRequest(w.deps, {
      key: w.key(),
      actorId,
      requestId: r.request.id,
      outcome: 'approve',
      reasons: 'Necessary and proportionate (fictional).',
    });
  const events = await w.store.audit.list({});
  const attempts = events.filter((e) => e.target.id === r.request.id && e.action === 'request.approve');
  expect(attempts.map((e) => e.outcome)).toEqual(['refuse', 'refuse']); // the trail keeps every attempt …
  expect((await w.store.get('request', r.request.id))!.record.status).toBe('escalated');

  const projection = new AuditProjection(w.store, w.deps.profiles);
  const d = must(await serviceDashboard(w.deps, projection, { actorId: 'sm' }));
  const month = d.periods.find((p) => p.id === 'month')!;
  expect(month.byTeam['notts']).toMatchObject({ escalatedToRipa: 1 }); // … the dashboard counts the request once
  expect(month.total.escalatedToRipa).toBe(1);
  expect((await reviewEvidence(w.deps, 2026)).nearMisses).toMatchObject({ escalatedToRipa: 1 });
});
