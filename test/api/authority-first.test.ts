/**
 * Who may act comes before what they sent (issue 12): a person the route or the request refuses is told so —
 * a 403, on the audit trail once — whatever the body says, and nothing is written. Before, the router answered
 * the body's problems first, so another team's manager sending a decision got three 400s (no outcome, no
 * version, a bad Idempotency-Key) before the 403 that was the real answer. The rows are every route of the
 * router's table that takes a body (api.ts); each is sent by someone it refuses — a role it is not for, and
 * for a route on a request, a manager of another team — with each kind of bad body.
 */
import { routes } from '../../src/api/api';
import type { Route } from '../../src/api/router';
import { raiseRequest } from '../../src/workflow';
import { must } from '../workflow/world';
import { OIDS, startApi, type Api } from './harness';

let api: Api;
let requestId: string;
beforeAll(async () => {
  api = await startApi({
    OVERT_AUTH_STAFF_MAP: JSON.stringify({
      ...Object.fromEntries(Object.entries(OIDS).map(([s, o]) => [o, s])),
      'oid-ao': 'ao',
    }),
  });
  await api.w.consent('notts', '2026-02-01');
  requestId = must(
    await raiseRequest(api.w.deps, {
      key: api.w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      platforms: [{ platform: 'instagram', account: '@demo_ab' }],
      reason: 'risk-of-cce',
      viewer: 'own-personal-account',
      rationale: 'Fictional: intelligence that the child is at risk.',
    }),
  ).request.id;
});
afterAll(() => api.close());

/** Staff of each role (Nottinghamshire's, but for the other team's manager). */
const BY_ROLE: [string, string][] = [
  ['case-manager', 'cm-notts'],
  ['administrator', 'admin'],
  ['service-manager', 'sm'],
  ['information-governance', 'ig'],
  ['authorised-officer', 'ao'],
  ['team-manager', 'tm-notts'],
];
const oid = (staffId: string) => (staffId === 'ao' ? 'oid-ao' : OIDS[staffId as keyof typeof OIDS]);

/** The path with its parameters filled: Nottinghamshire's request, team, case manager and profile. */
const pathOf = (r: Route) =>
  r.path
    .replace(':requestId', requestId)
    .replace(':teamId', 'notts')
    .replace(':staffId', 'cm-notts')
    .replace(':profileId', 'nottinghamshire-yjs')
    .replace(':objectionId', 'objection-1')
    .replace(':ripaId', 'ripa-1');

/** Who each route refuses: someone of a role it is not for; on a request, another team's manager too. */
function strangers(r: Route): { who: string; why: string }[] {
  const out: { who: string; why: string }[] = [];
  const outside = BY_ROLE.find(([role]) => r.roles !== 'any' && !r.roles.includes(role as never));
  if (outside) out.push({ who: outside[1], why: `a ${outside[0]}` });
  if (r.path.includes(':requestId') && (r.roles === 'any' || r.roles.includes('team-manager')))
    out.push({ who: 'tm-camden', why: "another team's manager" });
  return out;
}

/** Each kind of bad body: fields missing, a field of the wrong kind and one not taken, not JSON, not sent
 * as JSON, and a bad Idempotency-Key with an empty body. */
const BAD: { name: string; body: string; type: string; key: string }[] = [
  { name: 'an empty object', body: '{}', type: 'application/json', key: 'authority-first-key-1' },
  {
    name: 'wrong kinds and a field not taken',
    body: JSON.stringify({ outcome: 'maybe', expectedVersion: 5, year: 'x', csv: 7, nonsense: true }),
    type: 'application/json',
    key: 'authority-first-key-2',
  },
  { name: 'not JSON', body: '{"outcome": ', type: 'application/json', key: 'authority-first-key-3' },
  { name: 'not sent as JSON', body: 'outcome=approve', type: 'text/plain', key: 'authority-first-key-4' },
  { name: 'a bad Idempotency-Key', body: '{}', type: 'application/json', key: 'k' },
];

const send = async (method: string, path: string, who: string, bad: (typeof BAD)[number]) => {
  const token = await api.token('sm', { oid: oid(who) });
  const res = await fetch(`${api.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': bad.type, 'idempotency-key': bad.key },
    body: bad.body,
  });
  return { status: res.status, json: (await res.json()) as { detail?: string; code?: string } };
};

const withBody = routes.filter((r) => r.body);

it('covers every route that takes a body, each with someone it refuses', () => {
  expect(withBody.length).toBeGreaterThanOrEqual(10);
  for (const r of withBody)
    expect({ route: r.path, strangers: strangers(r).length > 0 }).toEqual({
      route: r.path,
      strangers: true,
    });
});

it('every route with a body × someone it refuses × each kind of bad body: 403, one refusal event, nothing else written', async () => {
  const cells: {
    route: string;
    who: string;
    body: string;
    status: number;
    refusals: number;
    others: number;
  }[] = [];
  for (const r of withBody)
    for (const s of strangers(r))
      for (const bad of BAD) {
        const before = await api.w.store.audit.list();
        const request = (await api.w.store.get('request', requestId))!.version;
        const res = await send(r.method, pathOf(r), s.who, bad);
        const after = (await api.w.store.audit.list()).slice(before.length);
        expect((await api.w.store.get('request', requestId))!.version).toBe(request);
        cells.push({
          route: `${r.method} ${r.path}`,
          who: s.why,
          body: bad.name,
          status: res.status,
          refusals: after.filter((e) => e.outcome === 'refuse' && e.actor.id === s.who).length,
          others: after.filter((e) => e.outcome !== 'refuse').length,
        });
      }
  const wrong = cells.filter((c) => c.status !== 403 || c.refusals !== 1 || c.others !== 0);
  expect(wrong).toEqual([]);
  expect(cells.length).toBeGreaterThanOrEqual(withBody.length * BAD.length);
}, 120_000);

it("another team's manager deciding with a bad body is told only that the request is another team's", async () => {
  for (const bad of BAD) {
    const res = await send('POST', `/api/v1/requests/${requestId}/decision`, 'tm-camden', bad);
    expect({ bad: bad.name, status: res.status, detail: res.json.detail }).toEqual({
      bad: bad.name,
      status: 403,
      detail: 'requestId: this request belongs to another team',
    });
  }
});

it('someone who may act is still told what is wrong with the body, and nothing is written', async () => {
  const version = (await api.w.store.get('request', requestId))!.version;
  const expected: Record<string, [number, RegExp]> = {
    'an empty object': [400, /^outcome: /],
    'wrong kinds and a field not taken': [400, /./],
    'not JSON': [400, /not valid JSON/],
    'not sent as JSON': [415, /application\/json/],
    'a bad Idempotency-Key': [400, /Idempotency-Key/],
  };
  for (const bad of BAD) {
    // The bad key with a body that is the route's, so the key is what is at fault.
    const sent =
      bad.key === 'k'
        ? {
            ...bad,
            body: JSON.stringify({
              outcome: 'more-info',
              reasons: 'Fictional: say more.',
              expectedVersion: version,
            }),
          }
        : bad;
    const res = await send('POST', `/api/v1/requests/${requestId}/decision`, 'tm-notts', sent);
    const [status, detail] = expected[bad.name]!;
    expect({ bad: bad.name, status: res.status }).toEqual({ bad: bad.name, status });
    expect(res.json.detail).toMatch(detail);
  }
  expect((await api.w.store.get('request', requestId))!.version).toBe(version);
});
