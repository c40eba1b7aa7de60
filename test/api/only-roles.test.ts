/**
 * Brief E12, 5: the "only these roles" refusal, through the API. Every route that names the roles that may call
 * it, asked by each test persona whose role is not among them: a 403 whose detail is one plain sentence naming
 * who may ("Only a service manager can do this.", "Only information governance or a service manager can do
 * this."), never a role's code, and the refusal is an audit event naming who asked and the route.
 */
import { routes } from '../../src/api/api';
import { startApi, type Api, type OIDS } from './harness';

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/** Each test persona's role (test/workflow/world.ts). */
const PERSONAS: Record<keyof typeof OIDS, string> = {
  sm: 'service-manager',
  ig: 'information-governance',
  'tm-notts': 'team-manager',
  'tm-camden': 'team-manager',
  'tm-kent': 'team-manager',
  'cm-notts': 'case-manager',
  admin: 'administrator',
};

/** How a person is told of each role: the words the sentence must use. */
const HOLDER: Record<string, string> = {
  'case-manager': 'a case manager',
  'team-manager': 'a team manager',
  'service-manager': 'a service manager',
  'information-governance': 'information governance',
  'authorised-officer': 'an authorising officer',
  administrator: 'an administrator',
};

/** A role's code (hyphenated), or the problem's code: never in what a person reads. */
const CODES = /\b[a-z]+-[a-z]+\b|FORBIDDEN/;

it('every route with named roles refuses each other role in one plain sentence naming who may, and records it', async () => {
  const limited = routes.filter((r) => r.roles !== 'any');
  expect(limited.length).toBeGreaterThan(10);
  let asked = 0;
  for (const r of limited) {
    const roles = r.roles as readonly string[];
    const path = r.path.replace(/:([A-Za-z]+)/g, 'x');
    for (const [who, role] of Object.entries(PERSONAS) as [keyof typeof OIDS, string][]) {
      if (roles.includes(role) || (who.startsWith('tm-') && who !== 'tm-notts')) continue;
      const res = r.method === 'GET' ? await api.get(path, who) : await api.send(r.method, path, {}, who);
      expect({ route: `${r.method} ${r.path}`, who, status: res.status }).toEqual({
        route: `${r.method} ${r.path}`,
        who,
        status: 403,
      });
      const body = (await res.json()) as { detail: string };
      expect(body.detail).toMatch(/^Only .+ can do this\.$/);
      const named = body.detail.slice('Only '.length, -' can do this.'.length);
      // Every role that may, by its plain name, and nothing else.
      const words = roles.map((x) => HOLDER[x]!);
      expect(named.split(/, | or /).sort()).toEqual([...words].sort());
      expect(named).not.toMatch(CODES);
      const [last] = (await api.w.store.audit.list()).slice(-1);
      expect(last).toMatchObject({ actor: { id: who }, outcome: 'refuse' });
      expect(JSON.stringify(last!.details)).toContain(body.detail);
      asked += 1;
    }
  }
  expect(asked).toBeGreaterThan(20);
});

it('says the sentence as a person reads it', async () => {
  const teams = await api.send('PUT', '/api/v1/teams/north', {}, 'cm-notts');
  expect(teams.status).toBe(403);
  expect(((await teams.json()) as { detail: string }).detail).toBe('Only an administrator can do this.');
});
