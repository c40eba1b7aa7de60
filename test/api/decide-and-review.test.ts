import { parse as parseCsv } from 'csv-parse/sync';
import { ASSERTIONS, raiseRequest } from '../../src/workflow';
import { must } from '../workflow/world';
import { startApi, type Api } from './harness';
import { pdfText } from './pdf-text';

/**
 * Deciding over HTTP as the tab does: authority is checked before anything about the request's outcome is
 * said; a stale decision is told who decided and when, in en-GB words. The annual review: a submission made
 * from a form opened before another was submitted is refused (409, plain words) and nothing is kept twice;
 * the papers print the revision.
 */

let api: Api;
let requestId: string;
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

beforeAll(async () => {
  api = await startApi();
  await api.w.consent('notts', '2026-02-01');
  requestId = must(
    await raiseRequest(api.w.deps, {
      key: api.w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      reason: 'gang-involvement',
      platforms: [{ platform: 'tiktok', account: '@demo_cd' }],
      viewer: 'own-personal-account',
    }),
  ).request.id;
});
afterAll(() => api.close());

const decide = (who: 'tm-notts' | 'tm-camden', outcome: string, expectedVersion: string, reasons?: string) =>
  api.send(
    'POST',
    `/api/v1/requests/${requestId}/decision`,
    { outcome, expectedVersion, ...(reasons ? { reasons } : {}) },
    who,
  );
const version = async () => (await api.w.store.get('request', requestId))!.version;

describe('a decision from the tab', () => {
  it('a decline with no reasons is refused by the field, citing 000 §10 (reasons for any decision), audited, and decides nothing', async () => {
    const v = await version();
    const decisions = async () => (await api.w.store.query('decision', { where: { requestId } })).length;
    const before = await decisions();
    for (const reasons of [undefined, '', '   ']) {
      const r = await api.send(
        'POST',
        `/api/v1/requests/${requestId}/decision`,
        { outcome: 'decline', expectedVersion: v, ...(reasons === undefined ? {} : { reasons }) },
        'tm-notts',
      );
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      const body = (await r.json()) as { detail: string; field: string };
      expect(body.field).toBe('reasons');
      expect(body.detail).toMatch(/give the reasons to decline.*section 10/);
      const last = (await api.w.store.audit.list()).at(-1)!;
      expect(last).toMatchObject({
        actor: { id: 'tm-notts' },
        action: 'request.decline',
        outcome: 'refuse',
        details: { cites: ['000 §10'] },
      });
    }
    expect(await decisions()).toBe(before);
    expect((await api.w.store.get('request', requestId))!.record.status).toBe('pending');
    expect(await version()).toBe(v);
  });

  it("another team's manager is refused for authority, before and after the request is decided, and learns nothing of it", async () => {
    const v = await version();
    const before = await decide('tm-camden', 'approve', v, 'Looks fine.');
    expect(before.status).toBe(403);
    const beforeBody = (await before.json()) as { detail: string };
    expect(beforeBody.detail).toMatch(/another team/);

    const ok = await decide('tm-notts', 'approve', v, 'Necessary and proportionate (fictional).');
    expect(ok.status).toBe(200);

    // Decided now: the other team's manager still gets the same refusal, not "already decided … by …".
    for (const outcome of ['approve', 'decline']) {
      const after = await decide('tm-camden', outcome, v, 'Looks fine.');
      expect(after.status).toBe(403);
      const body = (await after.json()) as { detail: string; code: string };
      expect(body.code).toBe('FORBIDDEN');
      expect(body.detail).toBe(beforeBody.detail);
      expect(body.detail).not.toMatch(/decided|approved|tm-notts/);
    }
    const last = (await api.w.store.audit.list()).at(-1)!;
    expect(last).toMatchObject({ actor: { id: 'tm-camden' }, outcome: 'refuse' });
  });

  it("the same team's stale decision is told who decided and when, in en-GB words, with no ISO time", async () => {
    const stale = await decide('tm-notts', 'decline', 'an-old-version', 'Changed my mind.');
    expect(stale.status).toBe(409);
    const body = (await stale.json()) as { detail: string; code: string };
    expect(body.code).toBe('ALREADY_DECIDED');
    expect(body.detail).toMatch(/^already decided \(approved\) by tm-notts \(demo\) on 1 March 2026, 10:00$/);
    expect(body.detail).not.toMatch(ISO);
  });
});

const assessments = (why: string) =>
  ASSERTIONS.map((a) => ({ id: a.id, assessment: 'met' as const, comments: why }));

describe('the annual review has revisions', () => {
  it('two submissions of the same revision (two tabs): one is kept, the other is a 409 in plain words', async () => {
    const [a, b] = await Promise.all([
      api.send(
        'POST',
        '/api/v1/review',
        { year: 2026, assessments: assessments('From the first tab'), revision: 1 },
        'sm',
      ),
      api.send(
        'POST',
        '/api/v1/review',
        { year: 2026, assessments: assessments('From the second tab'), revision: 1 },
        'sm',
      ),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const refused = (await (a.status === 409 ? a : b).json()) as { detail: string; field: string };
    expect(refused.field).toBe('revision');
    expect(refused.detail).toMatch(
      /^the review for 2026 has changed since this form was opened: revision 1 was submitted by sm \(demo\) on 1 March 2026, 10:00\./,
    );
    expect(refused.detail).not.toMatch(ISO);
    expect(await api.w.store.query('review', { where: { year: 2026 } })).toHaveLength(1);

    // A reload's blank form (revision 1 again) is refused too; a new revision by choice is kept.
    const again = await api.send(
      'POST',
      '/api/v1/review',
      { year: 2026, assessments: assessments('A reloaded form'), revision: 1 },
      'sm',
    );
    expect(again.status).toBe(409);
    const skip = await api.send(
      'POST',
      '/api/v1/review',
      { year: 2026, assessments: assessments('Skipping a revision'), revision: 3 },
      'sm',
    );
    expect(skip.status).toBe(409);
    const second = await api.send(
      'POST',
      '/api/v1/review',
      { year: 2026, assessments: assessments('A second look'), revision: 2 },
      'sm',
    );
    expect(second.status).toBe(201);
    const ev = (await (await api.get('/api/v1/review/2026/evidence', 'ig')).json()) as {
      submitted: { revision: number; reviewer: string };
    };
    expect(ev.submitted).toMatchObject({ revision: 2, reviewer: 'sm (demo)' });
    const refusals = (await api.w.store.audit.list()).filter(
      (e) => e.action === 'review.submit' && e.outcome === 'refuse',
    );
    expect(refusals.length).toBe(3);
  });

  it('a submitted revision is read with the evidence it was submitted with, as its PDF says it; today’s figures come apart (walk 14c, finding 4)', async () => {
    // Something happens after the revision was submitted: a new request (or its refusal) changes today's figures.
    await raiseRequest(api.w.deps, {
      key: api.w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      reason: 'gang-involvement',
      platforms: [{ platform: 'instagram', account: '@demo_after' }],
      viewer: 'own-personal-account',
    });
    const ev = (await (await api.get('/api/v1/review/2026/evidence', 'ig')).json()) as {
      evidence: { volumes: { requests: number } };
      current: { volumes: { requests: number }; refusals: { total: number; byRule: Record<string, number> } };
    };
    const stored = (await api.w.store.query('review', { where: { year: 2026 } }))
      .map((r) => r.record)
      .sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0))
      .at(-1)!;
    expect(ev.evidence).toEqual(stored.evidence);
    expect(ev.current.volumes.requests).toBe(ev.evidence.volumes.requests + 1);
    const pdf = pdfText(
      Buffer.from(await (await api.get('/api/v1/review/2026/export.pdf', 'ig')).arrayBuffer()),
    )
      .join('\n')
      .replace(/\s+/g, ' ');
    expect(pdf).toContain(`Requests raised: ${ev.evidence.volumes.requests} `);
    expect(pdf).not.toContain(`Requests raised: ${ev.current.volumes.requests} `);
    // Every refusal is under a rule, or said to be under none: the lines by rule account for the total.
    const byRule = Object.values(ev.current.refusals.byRule).reduce((a, b) => a + b, 0);
    expect(byRule).toBeGreaterThanOrEqual(ev.current.refusals.total);
  });

  it('the review PDF and CSV print the revision', async () => {
    const pdf = await api.get('/api/v1/review/2026/export.pdf', 'ig');
    expect(pdf.status).toBe(200);
    const text = pdfText(Buffer.from(await pdf.arrayBuffer())).join('\n');
    expect(text).toMatch(/^Revision: 2$/m);
    expect(text).toMatch(/^Status: Submitted by sm \(demo\) on 1 March 2026, 10:00/m);
    expect(text).toMatch(/2026, revision 2:\s+submitted\s+by sm/);
    expect(text).toContain('A second look');
    const csv = parseCsv(await (await api.get('/api/v1/review/2026/export.csv', 'sm')).text()) as string[][];
    expect(csv).toContainEqual(['Review', 'Revision', '2', '']);
  });
});
