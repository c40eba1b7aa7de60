import { BUILTIN_IDS } from '../../src/policy/builtin';
import { parse as parseCsv } from 'csv-parse/sync';
import { raiseObjection } from '../../src/workflow';
import { AUDIT_HEADER } from '../../src/api/audit-csv';
import { must } from '../workflow/world';
import { startApi, type Api } from './harness';

/** The routes' happy paths, who may call them, and bad input: 4xx with a reason, and nothing written. */

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/** Audit events other than refusals: a refusal is an audit event of its own (issue 12, fault 4). */
const auditLength = async () => (await api.w.store.audit.list()).filter((e) => e.outcome !== 'refuse').length;
/** Records and audit events: a bad request must change neither (beyond the refusal's own event). */
const snapshot = async () => ({ ...(await api.w.counts()), audit: await auditLength() });

describe("a child's history", () => {
  it('a team manager reads their own child: the timeline, and the read is in the access log', async () => {
    const res = await api.get('/api/v1/children/child-notts/history', 'tm-notts');
    expect(res.status).toBe(200);
    const h = (await res.json()) as { child: { id: string }; access: { actorId: string; action: string }[] };
    expect(h.child.id).toBe('child-notts');
    expect(h.access[0]).toMatchObject({ actorId: 'tm-notts', action: 'record.view' });
    const events = await api.w.store.audit.list();
    expect(events.at(-1)).toMatchObject({
      action: 'record.view',
      target: { id: 'child-notts' },
      outcome: 'allow',
      // Who may read a record is a local decision in the profile: no clause is cited for it.
      cites: [],
    });
    const log = await api.get('/api/v1/children/child-notts/access-log', 'sm');
    expect(((await log.json()) as { access: unknown[] }).access.length).toBe(2);
  });

  it("403 for a team manager reading another team's child, and the refusal is audited", async () => {
    const res = await api.get('/api/v1/children/child-notts/history', 'tm-camden');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      code: 'FORBIDDEN',
      detail: expect.stringMatching(/not a child of your team/),
    });
    expect((await api.w.store.audit.list()).at(-1)).toMatchObject({
      action: 'record.view',
      actor: { id: 'tm-camden' },
      outcome: 'refuse',
    });
  });

  it("403 where the team's profile refuses the reader (a local decision: not the administrator)", async () => {
    const res = await api.get('/api/v1/children/child-notts/history', 'admin');
    expect(res.status).toBe(403);
  });

  it('filters by kind and period; bad filters are a 400 naming the field, and nothing is written', async () => {
    must(
      await raiseObjection(api.w.deps, {
        key: api.w.key(),
        actorId: 'cm-notts',
        childId: 'child-notts',
        raisedBy: 'the child',
        raisedAt: '2026-03-01',
      }),
    );
    const only = await api.get('/api/v1/children/child-notts/history?kinds=objection', 'cm-notts');
    const body = (await only.json()) as { timeline: { kind: string; facts: [string, string][] }[] };
    expect(body.timeline.map((t) => t.kind)).toEqual(['objection']);
    expect(body.timeline[0]!.facts).toContainEqual(['Raised by', 'the child']);
    const before = await snapshot();
    for (const [q, field] of [
      ['kinds=nonsense', 'kinds.0'],
      ['from=2026-13-45', 'from'],
      ['from=yesterday', 'from'],
    ] as const) {
      const bad = await api.get(`/api/v1/children/child-notts/history?${q}`, 'cm-notts');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ code: 'INVALID_INPUT', field });
    }
    expect(await snapshot()).toEqual(before);
    expect((await api.get('/api/v1/children/nobody/history', 'sm')).status).toBe(404);
    expect((await api.get('/api/v1/children/%E0%A4%A/history', 'sm')).status).toBe(400);
  });

  it('lists only the children a team manager may look up', async () => {
    const res = await api.get('/api/v1/children', 'tm-camden');
    expect(((await res.json()) as { id: string }[]).map((c) => c.id)).toEqual(['child-camden']);
    expect((await api.get('/api/v1/children?teamId=notts', 'tm-camden')).status).toBe(403);
  });
});

describe('the dashboard', () => {
  it('gives the service manager every team, and a team manager only theirs; not a case manager', async () => {
    const sm = (await (await api.get('/api/v1/dashboard', 'sm')).json()) as {
      teams: { id: string }[];
      periods: { id: string; total: Record<string, unknown> }[];
      open: Record<string, { openObjections: number }>;
      attention: { childId: string; why: string }[];
    };
    expect(sm.teams.map((t) => t.id).sort()).toEqual(['camden', 'kent', 'notts', 'ns', 'west']);
    expect(sm.periods.map((p) => p.id)).toEqual(['month', 'quarter', 'year']);
    expect(sm.periods[0]!.total).toMatchObject({ checks: 0, approvals: 0, refusals: expect.any(Number) });
    expect(sm.open.notts!.openObjections).toBe(1);
    expect(sm.attention).toContainEqual(
      expect.objectContaining({ childId: 'child-notts', why: 'objection-open' }),
    );
    const tm = (await (await api.get('/api/v1/dashboard', 'tm-notts')).json()) as { teams: { id: string }[] };
    expect(tm.teams.map((t) => t.id)).toEqual(['notts']);
    expect((await api.get('/api/v1/dashboard', 'cm-notts')).status).toBe(403);
  });
});

describe('objections', () => {
  it('information governance takes, answers and resolves an objection; each step is checked and recorded', async () => {
    const queue = (await (await api.get('/api/v1/objections', 'ig')).json()) as {
      open: { id: string; caseRef: string }[];
    };
    const o = queue.open.find((x) => x.caseRef === 'CASE-NOTTS-1')!;
    const path = `/api/v1/objections/${o.id}/steps`;
    const before = await snapshot();
    const noKey = await fetch(`${api.base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await api.token('ig')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ step: 'take' }),
    });
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ field: 'Idempotency-Key' });
    // A response without its text to an objection not yet taken: who may act, then the objection's state, then
    // the form (the body is given to the command, which answers in that order).
    const early = await api.send('POST', path, { step: 'respond' }, 'ig');
    expect(early.status).toBe(409);
    expect(((await early.json()) as { detail: string }).detail).not.toMatch(/response/);
    expect((await api.send('POST', path, { step: 'explode' }, 'ig')).status).toBe(400);
    expect((await api.send('POST', path, '{not json', 'ig')).status).toBe(400);
    expect((await api.send('POST', path, { step: 'take' }, 'tm-notts')).status).toBe(403);
    expect(await snapshot()).toEqual({ ...before, audit: before.audit });
    expect(
      (await api.send('POST', path, { step: 'respond', response: 'We have stopped.' }, 'ig')).status,
    ).toBe(409);
    const take = await api.send('POST', path, { step: 'take' }, 'ig');
    expect(await take.json()).toMatchObject({ status: 'with-ig' });
    await api.send('POST', path, { step: 'respond', response: 'Checks paused while we review.' }, 'ig');
    const done = await api.send('POST', path, { step: 'resolve', outcome: 'checks-stopped' }, 'ig');
    expect(await done.json()).toMatchObject({ status: 'resolved', outcome: 'checks-stopped' });
    const after = (await (await api.get('/api/v1/objections', 'ig')).json()) as {
      open: unknown[];
      resolved: { id: string }[];
    };
    expect(after.resolved.map((x) => x.id)).toContain(o.id);
  });
});

describe('the annual review', () => {
  const assessments = ['benefits', 'objections', 'procedures', 'records', 'risks'].map((id) => ({
    id,
    assessment: 'met',
    comments: `=cmd|' /C calc'!A0 ${id}`,
  }));

  it('gives the evidence, refuses an incomplete review writing nothing, keeps a full one, and exports it', async () => {
    const ev = await api.get('/api/v1/review/2026/evidence', 'sm');
    expect(await ev.json()).toMatchObject({ assertions: expect.any(Array), evidence: { year: 2026 } });
    expect((await api.get('/api/v1/review/1066/evidence', 'sm')).status).toBe(400);
    const before = await snapshot();
    const short = await api.send(
      'POST',
      '/api/v1/review',
      { year: 2026, assessments: assessments.slice(1), revision: 1 },
      'sm',
    );
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ field: 'assessments' });
    expect(
      (await api.send('POST', '/api/v1/review', { year: 2026, assessments, revision: 1 }, 'ig')).status,
    ).toBe(403);
    expect(await snapshot()).toEqual(before);
    const ok = await api.send('POST', '/api/v1/review', { year: 2026, assessments, revision: 1 }, 'sm');
    expect(ok.status).toBe(201);
    const pdf = await api.get('/api/v1/review/2026/export.pdf', 'ig');
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const csv = await (await api.get('/api/v1/review/2026/export.csv', 'sm')).text();
    const rows = parseCsv(csv) as string[][];
    expect(rows[0]).toEqual(['Section', 'Item', 'Value', 'Comments']);
    const benefits = rows.find((r) => r[0] === 'Assertion' && r[1] === 'Benefits')!;
    expect(benefits[2]).toBe('Met');
    expect(benefits[3]).toBe(`'=cmd|' /C calc'!A0 benefits`);
    expect((await api.get('/api/v1/review/2026/export.docx', 'sm')).status).toBe(400);
  });
});

describe('the policy view and the platform notes', () => {
  it('shows the rules under their clauses; only the administrator edits the notes, with an audit event', async () => {
    const view = (await (await api.get('/api/v1/policy', 'tm-notts')).json()) as {
      profiles: {
        id: string;
        clauses: { id: string; rules: unknown[] }[];
        platformNotes: { lastChecked: string };
      }[];
      canEditNotes: boolean;
    };
    // Every loaded profile, the reader's own teams' first (issue 18: not only those in use).
    expect(view.profiles[0]!.id).toBe('nottinghamshire-yjs');
    expect(view.profiles.map((p) => p.id)).toEqual(expect.arrayContaining(BUILTIN_IDS));
    expect(view.profiles[0]!.clauses.find((c) => c.id === '000 §11')!.rules.length).toBeGreaterThan(0);
    expect(view.canEditNotes).toBe(false);
    const notes = {
      lastChecked: '2026-02-20',
      platforms: [
        {
          platform: 'instagram',
          note: 'Story views are visible to the account holder.',
          viewerVisible: true,
        },
      ],
    };
    const before = await snapshot();
    expect(
      (await api.send('PUT', '/api/v1/policy/nottinghamshire-yjs/platform-notes', notes, 'sm')).status,
    ).toBe(403);
    const bad = await api.send(
      'PUT',
      '/api/v1/policy/nottinghamshire-yjs/platform-notes',
      { ...notes, lastChecked: 'soon' },
      'admin',
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'lastChecked' });
    expect(await snapshot()).toEqual(before);
    const put = await api.send('PUT', '/api/v1/policy/nottinghamshire-yjs/platform-notes', notes, 'admin');
    expect(put.status).toBe(200);
    expect((await api.w.store.audit.list()).at(-1)).toMatchObject({
      action: 'policy.platform-notes',
      actor: { id: 'admin' },
    });
    const again = (await (await api.get('/api/v1/policy', 'sm')).json()) as typeof view;
    const notts = again.profiles.find((p) => p.id === 'nottinghamshire-yjs')!;
    expect(notts.platformNotes).toMatchObject({ lastChecked: '2026-02-20', source: 'edited' });
  });
});

describe('exports', () => {
  it("a child's subject-access export as JSON and PDF, for information governance only, each recorded", async () => {
    const json = await api.get('/api/v1/children/child-notts/subject-access.json', 'ig');
    expect(json.headers.get('content-disposition')).toMatch(/subject-access-CASE-NOTTS-1\.json/);
    const body = (await json.json()) as { child: { id: string }; objections: unknown[]; events: unknown[] };
    expect(body.child.id).toBe('child-notts');
    expect(body.objections.length).toBe(1);
    const pdf = await api.get('/api/v1/children/child-notts/subject-access.pdf', 'ig');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect((await api.get('/api/v1/children/child-notts/subject-access.json', 'cm-notts')).status).toBe(403);
    const exports = (await api.w.store.audit.list()).filter(
      (e) => e.action === 'record.export' && e.outcome === 'allow',
    );
    expect(exports.length).toBe(2);
  });

  it('the audit trail as CSV, with formula injection neutralised', async () => {
    const res = await api.get('/api/v1/audit.csv?from=2026-01-01&to=2027-01-01', 'ig');
    expect(res.status).toBe(200);
    const rows = parseCsv(await res.text()) as string[][];
    expect(rows[0]).toEqual(AUDIT_HEADER);
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
    expect((await api.get('/api/v1/audit.csv?from=2026-01-01', 'ig')).status).toBe(400);
    expect((await api.get('/api/v1/audit.csv?from=2026-01-01&to=2027-01-01', 'tm-notts')).status).toBe(403);
  });

  it("my requests: the caller's own, newest first; a bad limit is a 400", async () => {
    const mine = await api.get('/api/v1/requests/mine', 'cm-notts');
    expect(mine.status).toBe(200);
    expect(Array.isArray(await mine.json())).toBe(true);
    expect((await api.get('/api/v1/requests/mine?limit=0', 'cm-notts')).status).toBe(400);
  });

  it('an unknown route is a 404 problem, a wrong method a 405', async () => {
    const nope = await api.get('/api/v1/nothing', 'sm');
    expect(nope.status).toBe(404);
    expect(nope.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await api.send('DELETE', '/api/v1/dashboard', {}, 'sm')).status).toBe(405);
  });
});
