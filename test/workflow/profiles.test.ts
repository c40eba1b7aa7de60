import {
  agreeConsentException,
  decideRequest,
  raiseRequest,
  recordCheck,
  recordConsent,
  startAssessment,
} from '../../src/workflow';
import { cleanupWorlds, must, world, type World } from './world';

/** Each seed policy's situations end to end through the workflow: raise → decide → record, or refusal. */
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
const raise = (team: string, extra: Record<string, unknown> = {}) =>
  raiseRequest(w.deps, {
    key: w.key(),
    actorId: `cm-${team}`,
    childId: `child-${team}`,
    reason: 'risk-of-cce',
    platforms: [{ platform: 'instagram', account: '@demo_ab' }],
    viewer: 'organisation-account',
    rationale: 'Fictional rationale for a test.',
    ...extra,
  });
const record = (team: string, requestId: string, extra: Record<string, unknown> = {}) =>
  recordCheck(w.deps, {
    key: w.key(),
    actorId: `cm-${team}`,
    requestId,
    viewedAt: '2026-03-02T09:00:00Z',
    accounts: [{ platform: 'instagram', account: '@demo_ab' }],
    relevantInfo: 'Nothing relevant found.',
    thirdPartyData: 'none',
    sensitive: false,
    attestNoFriendFollow: true,
    attestOpenSourceOnly: true,
    ...extra,
  });

describe('Camden (001)', () => {
  it('a safeguarding check goes to a strategy discussion, is approved as one, and is recorded by a designated officer', async () => {
    must(await consent('camden'));
    const r = must(await raise('camden', { reason: 's47-enquiry' }));
    expect(r.request).toMatchObject({ status: 'pending', authority: 'strategy-discussion' });
    const wrong = await decideRequest(w.deps, {
      key: w.key(),
      actorId: 'sm',
      requestId: r.request.id,
      outcome: 'approve',
      authority: 'cla-service-manager',
    });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
    must(
      await decideRequest(w.deps, {
        key: w.key(),
        actorId: 'tm-camden',
        requestId: r.request.id,
        outcome: 'approve',
        reasons: 'Agreed at the strategy discussion of 1 March (fictional).',
      }),
    );
    w.at('2026-03-02T10:00:00Z');
    const notDesignated = await recordCheck(w.deps, {
      key: w.key(),
      actorId: 'cm2-camden',
      viewerId: 'cm2-camden',
      requestId: r.request.id,
      viewedAt: '2026-03-02T09:00:00Z',
      accounts: [{ platform: 'instagram', account: '@demo_ab' }],
      relevantInfo: '',
      thirdPartyData: 'none',
      sensitive: false,
      attestNoFriendFollow: true,
      attestOpenSourceOnly: true,
    });
    expect(notDesignated).toMatchObject({ ok: false });
    expect(must(await record('camden', r.request.id)).request.status).toBe('completed');
    // One-off: a second access under the same consent is refused.
    expect(await raise('camden', { reason: 's47-enquiry' })).toMatchObject({
      ok: false,
      error: { code: 'POLICY_REFUSED' },
    });
  });

  it('a personal account is refused citing 001 §4, and nothing but the refusal is written', async () => {
    must(await consent('camden'));
    const before = await w.counts();
    const r = await raise('camden', { reason: 'missing-or-exploitation', viewer: 'own-personal-account' });
    expect(r).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED', field: 'viewer' } });
    if (!r.ok) expect(r.error.message).toMatch(/^viewer: Refused under .*\(section 4\b/);
    expect(await w.counts()).toEqual(before);
    expect((await w.store.audit.list()).pop()).toMatchObject({
      action: 'request.raise',
      outcome: 'refuse',
      cites: expect.arrayContaining(['001 §4']),
    });
  });
});

describe('Kent (002)', () => {
  it('without consent the request is escalated to a manager (and, if necessary, information governance); once an exception is agreed, a manager approves', async () => {
    must(
      await startAssessment(w.deps, {
        key: w.key(),
        actorId: 'cm-kent',
        childId: 'child-kent',
        date: '2026-02-15',
      }),
    );
    const r = must(await raise('kent', { reason: 'assessment-corroboration' }));
    expect(r.request).toMatchObject({ status: 'escalated', authority: 'manager' });
    must(
      await agreeConsentException(w.deps, {
        key: w.key(),
        actorId: 'ig',
        childId: 'child-kent',
        date: '2026-03-01',
        reasons: 'Parent cannot be traced; manager agrees (fictional).',
      }),
    );
    const d = must(
      await decideRequest(w.deps, {
        key: w.key(),
        actorId: 'tm-kent',
        requestId: r.request.id,
        outcome: 'approve',
        authority: 'manager',
        reasons: 'Necessary and proportionate (fictional).',
      }),
    );
    expect(d.request.status).toBe('approved');
    expect(d.verdict?.obligations.map((o) => o.id)).toContain('consent-exception-recorded');
    w.at('2026-03-02T10:00:00Z');
    must(await record('kent', r.request.id));
  });

  it('a personal account is refused, whatever the consent', async () => {
    must(await consent('kent'));
    expect(
      await raise('kent', { reason: 'assessment-corroboration', viewer: 'own-personal-account' }),
    ).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED', field: 'viewer' } });
  });

  it('a repeat search in the same assessment needs its rationale', async () => {
    must(
      await startAssessment(w.deps, {
        key: w.key(),
        actorId: 'cm-kent',
        childId: 'child-kent',
        date: '2026-02-15',
      }),
    );
    must(await consent('kent'));
    const first = must(await raise('kent', { reason: 'assessment-corroboration' }));
    must(
      await decideRequest(w.deps, {
        key: w.key(),
        actorId: 'tm-kent',
        requestId: first.request.id,
        outcome: 'approve',
        authority: 'manager',
        reasons: 'Necessary and proportionate (fictional).',
      }),
    );
    w.at('2026-03-02T10:00:00Z');
    must(await record('kent', first.request.id));
    const again = must(
      await raise('kent', {
        reason: 'assessment-corroboration',
        rationale: 'New information about a person posing a risk (fictional).',
      }),
    );
    expect(again.verdict.obligations.map((o) => o.id)).toContain('record-repeat-rationale');
    expect(await raise('kent', { reason: 'assessment-corroboration', rationale: '' })).toMatchObject({
      ok: false,
      error: { code: 'POLICY_REFUSED', field: 'rationale' },
    });
  });
});

describe.each([
  ['ns', '003 §2.3.5'],
  ['west', '004 §1'],
])('%s: never a check', (team, clause) => {
  it(`refuses even a consented organisation-account request, citing ${clause}, writing only the refusal`, async () => {
    must(await consent(team));
    const before = await w.counts();
    const r = await raise(team);
    expect(r).toMatchObject({ ok: false, error: { code: 'POLICY_REFUSED' } });
    expect(await w.counts()).toEqual(before);
    expect((await w.store.audit.list()).pop()).toMatchObject({
      outcome: 'refuse',
      cites: expect.arrayContaining([clause]),
    });
  });
});

describe('the profile in force', () => {
  it('a team without a profile of its own uses the tenant’s default; an unknown profile is refused, naming the field', async () => {
    const { upsertTeam } = await import('../../src/workflow');
    const team = must(
      await upsertTeam(w.deps, {
        key: w.key(),
        actorId: 'admin',
        team: { id: 'new', name: 'New team (demo)', managerIds: [] },
      }),
    );
    expect(team.profileId).toBe(w.deps.settings.defaultProfileId);
    const bad = await upsertTeam(w.deps, {
      key: w.key(),
      actorId: 'admin',
      team: { id: 'x', name: 'X (demo)', profileId: 'atlantis', managerIds: [] },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'team.profileId' } });
  });
});

describe('platform notes kept current by the administrator (000 §23)', () => {
  it('an edit is what the next verdict’s story-viewer warning carries, with its new "last checked" date', async () => {
    const { updatePlatformNotes } = await import('../../src/workflow/platform-notes');
    must(await consent('notts'));
    const before = must(await raise('notts', { viewer: 'own-personal-account' }));
    expect(before.verdict.obligations.find((o) => o.id === 'story-viewer-warning')?.text).toMatch(
      /last checked 03\/01\/2023/,
    );
    must(
      await updatePlatformNotes(w.deps, {
        key: w.key(),
        actorId: 'admin',
        profileId: 'nottinghamshire-yjs',
        notes: {
          lastChecked: '2026-02-20',
          platforms: [
            {
              platform: 'instagram',
              note: 'Story viewers are visible; so are profile visits from some business accounts (fictional re-check).',
              viewerVisible: true,
            },
          ],
        },
      }),
    );
    const after = must(
      await raise('notts', {
        viewer: 'own-personal-account',
        platforms: [{ platform: 'instagram', account: '@demo_ab' }],
      }),
    );
    const warning = after.verdict.obligations.find((o) => o.id === 'story-viewer-warning')!.text;
    expect(warning).toMatch(/last checked 20\/02\/2026/);
    expect(warning).toMatch(/fictional re-check/);
  });

  it('saving the notes as they are changes nothing: no write, no audit event, not marked edited', async () => {
    const { updatePlatformNotes, platformNotes } = await import('../../src/workflow/platform-notes');
    const profile = w.deps.profiles('nottinghamshire-yjs')!;
    const shipped = (await platformNotes(w.deps, profile))!;
    expect(shipped.source).toBe('profile');
    const save = (notes: { lastChecked: string; platforms: typeof shipped.platforms }) =>
      updatePlatformNotes(w.deps, {
        key: w.key(),
        actorId: 'admin',
        profileId: profile.id,
        // As the tab sends them: every platform with its aliases and visibility, texts untouched.
        notes: {
          lastChecked: notes.lastChecked,
          platforms: notes.platforms.map((p) => ({ ...p })),
        },
      });
    const trail = async () =>
      (await w.store.audit.list({})).filter((e) => e.action === 'policy.platform-notes');
    expect(must(await save(shipped))).toMatchObject({ changed: false });
    expect((await platformNotes(w.deps, profile))!.source).toBe('profile');
    expect(await w.store.get('setting', 'platform-notes:nottinghamshire-yjs')).toBeUndefined();
    expect(await trail()).toHaveLength(0);

    // A real edit is kept and marked; saving that edit again unchanged keeps who edited it and when.
    w.at('2026-03-05T10:00:00Z');
    const edited = must(await save({ ...shipped, lastChecked: '2026-03-05' }));
    expect(edited).toMatchObject({ changed: true, editedBy: 'admin', editedAt: '2026-03-05T10:00:00.000Z' });
    w.at('2026-03-06T10:00:00Z');
    const again = must(await save({ ...shipped, lastChecked: '2026-03-05' }));
    expect(again).toMatchObject({ changed: false, editedAt: '2026-03-05T10:00:00.000Z' });
    expect(await trail()).toHaveLength(1);
  });
});
