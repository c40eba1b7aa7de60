import {
  decideRequest,
  delegate,
  raiseRequest,
  upsertStaff,
  type Decided,
  type Outcome,
} from '../../src/workflow';
import { cleanupWorlds, must, world, type World } from './world';

let w: World;
let requestId: string;
beforeEach(async () => {
  w = await world('2026-03-01T10:00:00Z');
  await w.consent('notts', '2026-02-01');
  requestId = must(
    await raiseRequest(w.deps, {
      key: w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      reason: 'gang-involvement',
      platforms: [{ platform: 'tiktok', account: '@demo_cd' }],
      viewer: 'own-personal-account',
    }),
  ).request.id;
  // More team managers for the same team, to race.
  for (let i = 0; i < 12; i++)
    must(
      await upsertStaff(w.deps, {
        key: w.key(),
        actorId: 'admin',
        staff: { id: `tm-x${i}`, name: `Manager ${i} (demo)`, role: 'team-manager', teamIds: ['notts'] },
      }),
    );
});
afterEach(() => w.close());
afterAll(cleanupWorlds);

const approve = (actorId: string, key = w.key()) =>
  decideRequest(w.deps, {
    key,
    actorId,
    requestId,
    outcome: 'approve',
    reasons: 'Necessary and proportionate (fictional).',
  });

it('many concurrent decisions on one request → exactly one decision; the rest are told who decided and when', async () => {
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => approve(`tm-x${i}`)));
  const winners = results.filter((r) => r.ok);
  expect(winners).toHaveLength(1);
  const winner = (winners[0] as { value: Decided }).value.request.decidedBy!;
  for (const r of results.filter((x) => !x.ok))
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'ALREADY_DECIDED',
        message: expect.stringMatching(
          new RegExp(`^already decided \\(approved\\) by Manager \\d+ \\(demo\\) on 1 March 2026, 10:00$`),
        ),
      },
    });
  expect((await w.store.query('decision', { where: { requestId } })).map((d) => d.record.deciderId)).toEqual([
    winner,
  ]);
  expect(await w.store.audit.verify()).toMatchObject({ ok: true });
});

it('a card clicked twice (the same key) acts once and answers the same', async () => {
  const first = await approve('tm-notts', 'card-click-abc');
  const second = await approve('tm-notts', 'card-click-abc');
  expect(first.ok && second.ok).toBe(true);
  expect(second.replayed).toBe(true);
  expect((second as Outcome<Decided> & { ok: true }).value).toEqual(
    (first as Outcome<Decided> & { ok: true }).value,
  );
  expect(await w.store.query('decision', { where: { requestId } })).toHaveLength(1);
});

it('self-approval is impossible, a manager of another team is refused, and both refusals are audited', async () => {
  must(
    await upsertStaff(w.deps, {
      key: w.key(),
      actorId: 'admin',
      staff: { id: 'cm-notts', name: 'cm-notts (demo)', role: 'team-manager', teamIds: ['notts'] },
    }),
  );
  expect(await approve('cm-notts')).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN', message: 'nobody decides their own request' },
  });
  expect(await approve('tm-kent')).toMatchObject({
    ok: false,
    error: { code: 'FORBIDDEN', field: 'requestId' },
  });
  const refusals = (await w.store.audit.list()).filter(
    (e) => e.outcome === 'refuse' && e.action === 'request.approve',
  );
  expect(refusals.map((e) => e.actor.id)).toEqual(['cm-notts', 'tm-kent']);
  expect(await w.store.query('decision', { where: { requestId } })).toHaveLength(0);
});

it('a case manager cannot approve, and declining needs reasons', async () => {
  expect(await approve('cm2-notts')).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
  expect(
    await decideRequest(w.deps, { key: w.key(), actorId: 'tm-notts', requestId, outcome: 'decline' }),
  ).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'reasons' } });
  const d = must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId,
      outcome: 'decline',
      reasons: 'Not proportionate yet: speak to the child first.',
    }),
  );
  expect(d.request.status).toBe('declined');
});

it('a deputy decides for an absent team manager, on their behalf', async () => {
  must(
    await upsertStaff(w.deps, {
      key: w.key(),
      actorId: 'admin',
      staff: { id: 'senior-cm', name: 'Senior (demo)', role: 'case-manager', teamIds: ['notts'] },
    }),
  );
  expect(await approve('senior-cm')).toMatchObject({ ok: false });
  must(
    await delegate(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      fromId: 'tm-notts',
      toId: 'senior-cm',
      from: '2026-02-28',
      until: '2026-03-07',
    }),
  );
  const d = must(await approve('senior-cm'));
  expect(d.request.decidedBy).toBe('senior-cm');
  expect((await w.store.query('decision', { where: { requestId } }))[0]!.record).toMatchObject({
    deciderId: 'senior-cm',
    onBehalfOf: 'tm-notts',
  });
});

it('asking for more information sends it back to the requester; a stale card is refreshed, not acted on', async () => {
  const current = await w.store.get('request', requestId);
  must(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-notts',
      requestId,
      outcome: 'more-info',
      reasons: 'Which account, and why now?',
    }),
  );
  expect(
    await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'tm-x1',
      requestId,
      outcome: 'decline',
      reasons: 'Not proportionate (fictional).',
      expectedVersion: current!.version,
    }),
  ).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
});
