/**
 * The API's authorisation matrix (issue 12, "Also build"): every route of the router's table (api.ts) ×
 * every role × a target of the person's own team, of another team, or of no one, over HTTP with signed
 * tokens. Each answer is allowed (2xx) or refused (4xx with a reason), never a 5xx, and every refusal wrote
 * exactly one audit event (an allowed answer wrote none). A route added to the table without a row here
 * fails the first test.
 */
import { routes } from '../../src/api/api';
import { authoriseRipa, raiseObjection, raiseRequest } from '../../src/workflow';
import { must } from '../workflow/world';
import { OIDS, startApi, type Api } from '../api/harness';

const ROLES = {
  'case-manager': 'cm-notts',
  'team-manager': 'tm-notts',
  'service-manager': 'sm',
  'information-governance': 'ig',
  'authorised-officer': 'ao',
  administrator: 'admin',
} as const;
type RoleName = keyof typeof ROLES;
type Scope = 'own team' | 'other team' | 'none';
/** The team staff's own team is Nottinghamshire; the other is Camden; "none" names nothing. */
const TEAMS = { 'own team': 'notts', 'other team': 'camden' } as const;
const PROFILE = { 'own team': 'nottinghamshire-yjs', 'other team': 'camden-cfs' } as const;

let api: Api;
beforeAll(async () => {
  api = await startApi({
    OVERT_AUTH_STAFF_MAP: JSON.stringify({
      ...Object.fromEntries(Object.entries(OIDS).map(([s, o]) => [o, s])),
      'oid-ao': 'ao',
    }),
  });
  for (const t of Object.values(TEAMS)) await api.w.consent(t, '2026-02-01');
});
afterAll(() => api.close());

type About = 'child' | 'request' | 'objection' | 'profile' | 'ripa' | 'nothing';
interface Call {
  path: string;
  query?: string;
  body?: unknown;
}
const assessments = ['benefits', 'objections', 'procedures', 'records', 'risks'].map((id) => ({
  id,
  assessment: 'met',
  comments: `Fictional comment on ${id}.`,
}));

/** One row per route: what it is about, and a well-formed call for a target id. */
const ROWS: Record<string, { about: About; call: (id: string) => Call | Promise<Call> }> = {
  'GET /api/v1/me': { about: 'nothing', call: () => ({ path: '/api/v1/me' }) },
  'GET /api/v1/children': { about: 'nothing', call: () => ({ path: '/api/v1/children' }) },
  'GET /api/v1/children/:childId/history': {
    about: 'child',
    call: (id) => ({ path: `/api/v1/children/${id}/history` }),
  },
  'GET /api/v1/children/:childId/access-log': {
    about: 'child',
    call: (id) => ({ path: `/api/v1/children/${id}/access-log` }),
  },
  'GET /api/v1/children/:childId/subject-access.json': {
    about: 'child',
    call: (id) => ({ path: `/api/v1/children/${id}/subject-access.json` }),
  },
  'GET /api/v1/children/:childId/subject-access.pdf': {
    about: 'child',
    call: (id) => ({ path: `/api/v1/children/${id}/subject-access.pdf` }),
  },
  'GET /api/v1/dashboard': { about: 'nothing', call: () => ({ path: '/api/v1/dashboard' }) },
  'GET /api/v1/objections': { about: 'nothing', call: () => ({ path: '/api/v1/objections' }) },
  'POST /api/v1/objections/:objectionId/steps': {
    about: 'objection',
    call: (id) => ({ path: `/api/v1/objections/${id}/steps`, body: { step: 'take' } }),
  },
  'GET /api/v1/review/:year/evidence': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/review/2026/evidence' }),
  },
  'POST /api/v1/review': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/review', body: { year: 2026, assessments, revision: 1 } }),
  },
  'GET /api/v1/review/:year/export.:format': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/review/2026/export.csv' }),
  },
  'GET /api/v1/requests/mine': { about: 'nothing', call: () => ({ path: '/api/v1/requests/mine' }) },
  'GET /api/v1/policy': { about: 'nothing', call: () => ({ path: '/api/v1/policy' }) },
  'PUT /api/v1/policy/:profileId/platform-notes': {
    about: 'profile',
    call: (id) => ({
      path: `/api/v1/policy/${id}/platform-notes`,
      body: {
        lastChecked: '2026-02-20',
        platforms: [{ platform: 'instagram', note: 'Fictional note.', viewerVisible: true }],
      },
    }),
  },
  'GET /api/v1/audit.csv': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/audit.csv', query: 'from=2026-01-01&to=2026-12-31' }),
  },
  'GET /api/v1/decisions/awaiting': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/decisions/awaiting' }),
  },
  'POST /api/v1/requests/:requestId/decision': {
    about: 'request',
    call: async (id) => ({
      path: `/api/v1/requests/${id}/decision`,
      body: {
        outcome: 'more-info',
        reasons: 'Fictional: say more about the risk.',
        expectedVersion: (await api.w.store.get('request', id))?.version ?? 'v-none',
      },
    }),
  },
  // Administration: each call leaves the own team and its staff as they were (same name, managers, role,
  // teams, profile), and the case-list import sends nothing to import, so no other row is disturbed.
  'PUT /api/v1/teams/:teamId': {
    about: 'nothing',
    call: async () => {
      const team = (await api.w.store.get('team', TEAMS['own team']))!.record;
      return { path: `/api/v1/teams/${team.id}`, body: { name: team.name, managerIds: team.managerIds } };
    },
  },
  'PUT /api/v1/teams/:teamId/profile': {
    about: 'nothing',
    call: () => ({
      path: `/api/v1/teams/${TEAMS['own team']}/profile`,
      body: { profileId: PROFILE['own team'] },
    }),
  },
  'PUT /api/v1/staff/:staffId': {
    about: 'nothing',
    call: async () => {
      const person = (await api.w.store.get('staff', ROLES['case-manager']))!.record;
      return { path: `/api/v1/staff/${person.id}`, body: { role: person.role, teamIds: person.teamIds } };
    },
  },
  'POST /api/v1/children/import/preview': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/children/import/preview', body: { csv: '' } }),
  },
  'POST /api/v1/children/import': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/children/import', body: { csv: '' } }),
  },
  'GET /api/v1/ripa': { about: 'nothing', call: () => ({ path: '/api/v1/ripa' }) },
  'GET /api/v1/ripa/central-record.:format': {
    about: 'nothing',
    call: () => ({ path: '/api/v1/ripa/central-record.csv' }),
  },
  'POST /api/v1/requests/:requestId/ripa-authorisation': {
    about: 'request',
    call: (id) => ({ path: `/api/v1/requests/${id}/ripa-authorisation`, body: authorisation() }),
  },
  'POST /api/v1/requests/:requestId/ripa-refusal': {
    about: 'request',
    call: (id) => ({
      path: `/api/v1/requests/${id}/ripa-refusal`,
      body: { ground: 'not-necessary', reasons: 'Fictional: not necessary.' },
    }),
  },
  'POST /api/v1/ripa/:ripaId/reviews': {
    about: 'ripa',
    call: (id) => ({
      path: `/api/v1/ripa/${id}/reviews`,
      body: { reviewedOn: '2026-03-01', notes: 'Fictional: still necessary.', nextReviewAt: '2026-03-20' },
    }),
  },
  'POST /api/v1/ripa/:ripaId/renewals': {
    about: 'ripa',
    call: (id) => ({
      path: `/api/v1/ripa/${id}/renewals`,
      body: {
        renewedOn: '2026-03-01',
        until: '2026-06-15',
        reasons: 'Fictional: still necessary.',
        magistrateApprovedOn: '2026-03-01',
        nextReviewAt: '2026-05-20',
      },
    }),
  },
  'POST /api/v1/ripa/:ripaId/magistrate-approval': {
    about: 'ripa',
    call: (id) => ({
      path: `/api/v1/ripa/${id}/magistrate-approval`,
      body: { approvedOn: '2026-03-01' },
    }),
  },
  'POST /api/v1/ripa/:ripaId/cancellation': {
    about: 'ripa',
    call: (id) => ({
      path: `/api/v1/ripa/${id}/cancellation`,
      body: { at: '2026-03-01', reasons: 'Fictional.' },
    }),
  },
  'GET /api/v1/organisation': { about: 'nothing', call: () => ({ path: '/api/v1/organisation' }) },
};

/** A directed-surveillance authorisation as an authorising officer fills it in (000 §12). */
const authorisation = () => ({
  reference: `DS-API-${api.w.key()}`,
  offence: 'Robbery (fictional)',
  maxSentenceMonths: 9999,
  necessity: 'Fictional: necessary.',
  proportionality: 'Fictional: proportionate.',
  legalAdvice: 'Fictional: legal services advise it is lawful.',
  grantedOn: '2026-03-01',
  magistrateApprovedOn: '2026-03-01',
  from: '2026-03-01',
  // Ends within a month: a renewal on 1 March falls in its final month (renewals are made near the end).
  until: '2026-03-25',
  reviewAt: '2026-03-15',
  confidentialInfoLikely: false,
  authoriserInvolved: false,
});

/** The target of a cell: a fresh pending request, one objection per team (taken once), a child, a profile,
 * a fresh RIPA authorisation (only Nottinghamshire has the RIPA route: another team's is none). */
const objections: Partial<Record<Exclude<Scope, 'none'>, string>> = {};
async function target(about: About, scope: Scope): Promise<string> {
  if (scope === 'none') return `no-such-${about}`;
  const t = TEAMS[scope];
  if (about === 'child') return `child-${t}`;
  if (about === 'profile') return PROFILE[scope];
  if (about === 'request')
    return must(
      await raiseRequest(api.w.deps, {
        key: api.w.key(),
        actorId: `cm-${t}`,
        childId: `child-${t}`,
        platforms: [{ platform: 'instagram', account: '@demo_ab' }],
        ...(t === 'camden'
          ? { reason: 's47-enquiry', viewer: 'organisation-account' }
          : { reason: 'risk-of-cce', viewer: 'own-personal-account' }),
        rationale: 'Fictional: intelligence that the child is at risk.',
      }),
    ).request.id;
  if (about === 'ripa') {
    if (t !== 'notts') return 'no-such-ripa-on-a-team-without-the-route';
    return must(
      await authoriseRipa(api.w.deps, {
        key: api.w.key(),
        actorId: 'ao',
        childId: `child-${t}`,
        ...authorisation(),
      }),
    ).ripa.id;
  }
  if (about === 'objection')
    return (objections[scope] ??= must(
      await raiseObjection(api.w.deps, {
        key: api.w.key(),
        actorId: `cm-${t}`,
        childId: `child-${t}`,
        raisedBy: 'the child',
        raisedAt: '2026-03-01',
      }),
    ).id);
  return '-';
}

async function call(role: RoleName, method: string, c: Call) {
  const token = await api.token('sm', {
    oid: role === 'authorised-officer' ? 'oid-ao' : OIDS[ROLES[role] as keyof typeof OIDS],
  });
  const res = await fetch(`${api.base}${c.path}${c.query ? `?${c.query}` : ''}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(method === 'GET'
        ? {}
        : { 'content-type': 'application/json', 'idempotency-key': `matrix-${Math.random()}` }),
    },
    ...(method === 'GET' ? {} : { body: JSON.stringify(c.body ?? {}) }),
  });
  const text = await res.text();
  return { status: res.status, text };
}

const refusals = async () => (await api.w.store.audit.list()).filter((e) => e.outcome === 'refuse').length;

interface Cell {
  route: string;
  role: RoleName;
  scope: Scope | 'n/a';
  status: number;
  audited: number;
  detail: string;
}

describe('the API authorisation matrix', () => {
  it('has a row for every route of the table, and no other', () => {
    expect(Object.keys(ROWS).sort()).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('every route × role × own team / other team / none: 2xx, or a 4xx with a reason and one audit event', async () => {
    const cells: Cell[] = [];
    // An objection stops a child's viewing: its route runs last, so it blocks no other cell.
    const order = Object.keys(ROWS).sort(
      (a, b) => Number(ROWS[a]!.about === 'objection') - Number(ROWS[b]!.about === 'objection'),
    );
    for (const key of order) {
      const [method] = key.split(' ') as [string, string];
      const row = ROWS[key]!;
      for (const role of Object.keys(ROLES) as RoleName[]) {
        const scopes: (Scope | 'n/a')[] =
          row.about === 'nothing' ? ['n/a'] : ['own team', 'other team', 'none'];
        for (const scope of scopes) {
          const id = scope === 'n/a' ? '-' : await target(row.about, scope);
          const c = await row.call(id);
          const before = await refusals();
          const res = await call(role, method, c);
          const audited = (await refusals()) - before;
          let detail = '';
          try {
            detail = (JSON.parse(res.text) as { detail?: string }).detail ?? '';
          } catch {
            /* a file */
          }
          cells.push({ route: key, role, scope, status: res.status, audited, detail });
        }
      }
    }
    const roleAllowed = (c: Cell) => {
      const r = routes.find((x) => `${x.method} ${x.path}` === c.route)!;
      return r.roles === 'any' || r.roles.includes(c.role);
    };
    const mustRefuse = (c: Cell) =>
      !roleAllowed(c) ||
      c.scope === 'none' ||
      (ROWS[c.route]!.about === 'child' &&
        (c.role === 'administrator' ||
          (c.scope === 'other team' && /-manager$/.test(c.role) && c.role !== 'service-manager')));
    /** The work each role exists to do, on its own team: allowed. */
    const MUST_ALLOW = [
      'GET /api/v1/children/:childId/history case-manager own team',
      'GET /api/v1/children/:childId/history team-manager own team',
      'GET /api/v1/children/:childId/subject-access.json information-governance own team',
      'POST /api/v1/requests/:requestId/decision team-manager own team',
      'POST /api/v1/objections/:objectionId/steps information-governance own team',
      'POST /api/v1/review service-manager n/a',
      'GET /api/v1/organisation administrator n/a',
      'PUT /api/v1/teams/:teamId administrator n/a',
      'PUT /api/v1/teams/:teamId/profile administrator n/a',
      'PUT /api/v1/staff/:staffId administrator n/a',
      'PUT /api/v1/policy/:profileId/platform-notes administrator own team',
      'GET /api/v1/ripa authorised-officer n/a',
      'GET /api/v1/ripa information-governance n/a',
      'GET /api/v1/ripa/central-record.:format authorised-officer n/a',
      'GET /api/v1/ripa/central-record.:format information-governance n/a',
      'POST /api/v1/ripa/:ripaId/reviews authorised-officer own team',
      'POST /api/v1/ripa/:ripaId/renewals authorised-officer own team',
      'POST /api/v1/ripa/:ripaId/cancellation authorised-officer own team',
    ];
    const mustAllow = (c: Cell) => MUST_ALLOW.includes(`${c.route} ${c.role} ${c.scope}`);
    const refused = (c: Cell) => c.status >= 400;
    const wrong = cells.filter(
      (c) =>
        c.status >= 500 ||
        c.audited !== (refused(c) ? 1 : 0) ||
        (mustRefuse(c) && !refused(c)) ||
        (mustAllow(c) && refused(c)) ||
        (refused(c) && !c.detail),
    );
    const provoked = cells.filter(refused).length;
    const audited = cells.filter((c) => refused(c) && c.audited === 1).length;
    console.log(
      `API matrix: ${cells.length} rows, ${provoked} refusals provoked, ${audited} audited\n` +
        cells
          .map(
            (c) =>
              `${c.route.padEnd(52)} ${c.role.padEnd(23)} ${c.scope.padEnd(10)} ${c.status} ${c.detail.slice(0, 100)}`,
          )
          .join('\n'),
    );
    expect(wrong).toEqual([]);
    expect(audited).toBe(provoked);
  }, 240_000);
});
