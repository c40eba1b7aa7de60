import type { Staff } from '../store/records';
import type { Route } from './router';

/**
 * The tab's views, decided here for each person from the same route table that authorises the API: a view
 * is offered only when every route it reads or writes lets the person's role call it, so the tab never offers
 * what would answer with a refusal. Each role lands on its own work.
 */

export const VIEW_IDS = [
  'decisions',
  'requests',
  'dashboard',
  'objections',
  'ripa',
  'organisation',
  'child',
  'review',
  'policy',
  'exports',
] as const;
export type ViewId = (typeof VIEW_IDS)[number];

interface ViewDef {
  id: ViewId;
  label: string;
  /** The routes the view calls (method and path as in the table). */
  needs: string[];
  /** Beyond the routes: whom the view is for (what the workflow would refuse or have nothing for). */
  for?: (s: Staff, facts: PersonFacts) => boolean;
}

const hasTeams = (s: Staff) => s.teamIds.length > 0;

/** What the server knows of the person beyond their record (read from the store by the caller). */
export interface PersonFacts {
  /** Whether anything can ever await their decision (workflow/role-views mayDecide). */
  decides: boolean;
}

/** The roles a profile may name as an authority that decides a request: the decisions view and its routes. */
export const DECIDERS: readonly Staff['role'][] = [
  'team-manager',
  'service-manager',
  'authorised-officer',
  'information-governance',
];

const VIEWS: ViewDef[] = [
  {
    id: 'decisions',
    label: 'Awaiting decision',
    needs: ['GET /api/v1/decisions/awaiting', 'POST /api/v1/requests/:requestId/decision'],
    // Only for whom something can await: a role the policy names as an authority, or a deputy.
    for: (s, facts) => DECIDERS.includes(s.role) && facts.decides,
  },
  {
    id: 'requests',
    label: 'My requests',
    needs: ['GET /api/v1/requests/mine'],
    for: (s) => s.role === 'case-manager' || s.role === 'team-manager',
  },
  {
    id: 'dashboard',
    label: 'Dashboard',
    needs: ['GET /api/v1/dashboard'],
    // The service's figures are the managers' and information governance's work; the administrator's is
    // the policy, teams and staff.
    for: (s) => s.role !== 'administrator',
  },
  { id: 'objections', label: 'Objections', needs: ['GET /api/v1/objections'] },
  { id: 'ripa', label: 'RIPA central record', needs: ['GET /api/v1/ripa'] },
  { id: 'organisation', label: 'Teams and staff', needs: ['GET /api/v1/organisation'] },
  {
    id: 'child',
    label: 'Children',
    needs: ['GET /api/v1/children', 'GET /api/v1/children/:childId/history'],
    // Reading a child's record is for their team and the roles that span teams; never the administrator.
    for: (s) =>
      s.role !== 'administrator' &&
      (hasTeams(s) || s.role === 'information-governance' || s.role === 'authorised-officer'),
  },
  { id: 'review', label: 'Annual review', needs: ['GET /api/v1/review/:year/evidence'] },
  {
    id: 'policy',
    label: 'Policy',
    needs: ['GET /api/v1/policy'],
    for: (s) => s.role !== 'case-manager' || hasTeams(s),
  },
  { id: 'exports', label: 'Exports', needs: ['GET /api/v1/audit.csv'] },
];

/** Where each role lands. */
const LANDING: Record<Staff['role'], ViewId> = {
  'case-manager': 'requests',
  'team-manager': 'decisions',
  'service-manager': 'dashboard',
  'information-governance': 'objections',
  'authorised-officer': 'ripa',
  administrator: 'organisation',
};

function allows(routes: readonly Route[], need: string, role: Staff['role']): boolean {
  const [method, path] = need.split(' ');
  const r = routes.find((x) => x.method === method && x.path === path);
  if (!r) throw new Error(`view needs a route that does not exist: ${need}`);
  return r.roles === 'any' || r.roles.includes(role);
}

/** What the person may do beyond reading, by the same route table. */
export function capabilities(routes: readonly Route[], s: Staff) {
  const may = (need: string) => allows(routes, need, s.role);
  return {
    subjectAccess: may('GET /api/v1/children/:childId/subject-access.pdf'),
    auditExport: may('GET /api/v1/audit.csv'),
    submitReview: may('POST /api/v1/review'),
    handleObjections: may('POST /api/v1/objections/:objectionId/steps'),
    editNotes: may('PUT /api/v1/policy/:profileId/platform-notes'),
    reviewExport: may('GET /api/v1/review/:year/export.:format'),
    authoriseRipa: may('POST /api/v1/requests/:requestId/ripa-authorisation'),
  };
}
export type Capabilities = ReturnType<typeof capabilities>;

export function viewsFor(
  routes: readonly Route[],
  s: Staff,
  facts: PersonFacts,
): { views: { id: ViewId; label: string }[]; landing: ViewId } {
  const views = VIEWS.filter(
    (v) => v.needs.every((n) => allows(routes, n, s.role)) && (v.for?.(s, facts) ?? true),
  ).map((v) => ({ id: v.id, label: v.label }));
  const landing = views.some((v) => v.id === LANDING[s.role]) ? LANDING[s.role] : (views[0]?.id ?? 'policy');
  // The landing view first, the rest in their order.
  views.sort((a, b) => Number(b.id === landing) - Number(a.id === landing));
  return { views, landing };
}
