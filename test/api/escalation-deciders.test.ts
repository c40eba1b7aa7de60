/**
 * issue 15: every authority a request can be escalated to has someone who decides it, and a place to decide.
 * Kent (002 §Appendix 2 Consent): a request without consent goes to a manager and, if necessary, information
 * governance — each finds it in GET /api/v1/decisions/awaiting and decides it (it was a 409 "still needs the
 * information governance's decision" for IG and a 403 for the managers, and IG had no awaiting view). And over
 * every built-in profile: each authority a rule routes to is declared and held by a role the awaiting view
 * and the decision route serve, or is plainly taken outside Overt.
 */
import { builtinProfiles } from '../../src/policy/builtin';
import { authorityRoles } from '../../src/policy/authority';
import { DECIDERS } from '../../src/api/views';
import { raiseRequest } from '../../src/workflow';
import { approversOf, standing } from '../../src/workflow/queries';
import { cleanupWorlds, must } from '../workflow/world';
import { startApi, type Api } from './harness';

afterAll(cleanupWorlds);

async function kentEscalated(api: Api): Promise<string> {
  const raised = must(
    await raiseRequest(api.w.deps, {
      key: api.w.key(),
      actorId: 'cm-kent',
      childId: 'child-kent',
      reason: 'assessment-corroboration',
      platforms: [{ platform: 'instagram', account: '@demo_ab' }],
      viewer: 'organisation-account',
      rationale: 'Fictional: consent cannot be gained while searching for an absent parent.',
    }),
  );
  expect(raised.request).toMatchObject({ status: 'escalated', authority: 'manager' });
  return raised.request.id;
}

const awaiting = async (api: Api, who: 'tm-kent' | 'ig') => {
  const res = await api.get('/api/v1/decisions/awaiting', who);
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; version: string }[];
};

const approve = (api: Api, id: string, version: string, who: 'tm-kent' | 'ig') =>
  api.send(
    'POST',
    `/api/v1/requests/${id}/decision`,
    {
      outcome: 'approve',
      reasons: 'Fictional: agreed, consent cannot be gained; recorded on the file.',
      expectedVersion: version,
    },
    who,
  );

it.each(['tm-kent', 'ig'] as const)(
  'Kent, no consent: %s finds the escalated request awaiting them and approves it',
  async (who) => {
    const api = await startApi();
    try {
      const id = await kentEscalated(api);
      const mine = (await awaiting(api, who)).find((r) => r.id === id);
      expect(mine).toBeDefined();
      const res = await approve(api, id, mine!.version, who);
      expect(res.status).toBe(200);
      expect((await api.w.store.get('request', id))!.record.status).toBe('approved');
      expect((await awaiting(api, who)).map((r) => r.id)).not.toContain(id);
    } finally {
      await api.close();
    }
  },
  60_000,
);

it('one rule of who may decide: the approvers (whom the card is sent to) name information governance beside the manager', async () => {
  // 8ae9702 kept a second rule (decidersOf/staffHolds) beside approversOf in the awaiting view only, so the
  // request waited for Kent's information governance while its card was never sent to them.
  const api = await startApi();
  try {
    const id = await kentEscalated(api);
    const r = (await api.w.store.get('request', id))!.record;
    expect(await approversOf(api.w.deps, r)).toEqual(expect.arrayContaining(['tm-kent', 'ig']));
    const asIg = (await api.w.store.get('staff', 'ig'))!.record;
    expect(await standing(api.w.deps, asIg, r)).toBe('approver');
  } finally {
    await api.close();
  }
});

it('the tab offers the decisions view to information governance', async () => {
  const api = await startApi();
  try {
    const me = (await (await api.get('/api/v1/me', 'ig')).json()) as { views: { id: string }[] };
    expect(me.views.map((v) => v.id)).toContain('decisions');
  } finally {
    await api.close();
  }
});

describe.each([...builtinProfiles().values()].map((p) => [p.id, p] as const))(
  'every route of %s ends with a decider',
  (_id, p) => {
    const routed = [...new Set(p.rules.flatMap((r) => (r.effect === 'escalate' ? (r.authority ?? []) : [])))];
    it.each(routed.length ? routed : ['(none)'])('%s', (a) => {
      if (a === '(none)') return;
      const decl = p.authorities[a as keyof typeof p.authorities];
      expect(decl).toBeDefined();
      if (decl!.outside) return expect(decl!.outside).toMatch(/outside Overt/);
      const roles = authorityRoles(p, a as never);
      expect(roles.length + decl!.holders.length).toBeGreaterThan(0);
      for (const role of roles) expect(DECIDERS).toContain(role);
    });
  },
);
