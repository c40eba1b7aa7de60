import { decideRequest, raiseRequest, recordConsent } from '../../src/workflow';
import { awaitingDecision } from '../../src/workflow/role-views';
import { cleanupWorlds, must, world, type World } from './world';

/**
 * The tab's "Awaiting your decision" asks for reasons to approve where the team's profile refuses an approval
 * without them (Nottinghamshire, 000 §10): the server says so from the policy's own verdict, and the tab's
 * hint and inline message are that verdict's explanation — the same refusal the approval would meet.
 */
let w: World;
beforeEach(async () => (w = await world('2026-03-01T10:00:00Z')));
afterEach(() => w.close());
afterAll(cleanupWorlds);

it('marks reasons required to approve where the profile refuses an approval without them, and the approval agrees', async () => {
  must(
    await recordConsent(w.deps, {
      key: w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      givenBy: 'young person (written)',
      date: '2026-02-01',
      scope: { platforms: ['instagram'], purposes: ['safeguarding'] },
    }),
  );
  const r = must(
    await raiseRequest(w.deps, {
      key: w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      reason: 'risk-of-cse',
      platforms: [{ platform: 'instagram', account: '@demo_ab' }],
      viewer: 'own-personal-account',
      rationale: 'Fictional rationale for a test.',
    }),
  ).request;
  const row = must(await awaitingDecision(w.deps, { actorId: 'tm-notts' })).find((x) => x.id === r.id)!;
  expect(row.reasonsToApprove.required).toBe(true);
  // The clause in words, never its id (000 §10).
  expect(row.reasonsToApprove.cites).toEqual(['Nottinghamshire YJS policy, section 10']);
  expect(row.reasonsToApprove.why).toMatch(/reasons/);

  // What the view promised is what the approval does: refused without reasons, by the reasons field …
  const bare = await decideRequest(w.deps, {
    key: w.key(),
    actorId: 'tm-notts',
    requestId: r.id,
    outcome: 'approve',
  });
  expect(bare).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED', field: 'reasons' } });
  // … and approved with them.
  const given = must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId: r.id,
      outcome: 'approve',
      reasons: 'Necessary and proportionate (fictional).',
    }),
  );
  expect(given.request.status).toBe('approved');
});
