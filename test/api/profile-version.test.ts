import { join } from 'node:path';
import { loadProfileFile } from '../../src/policy/load';
import { parseProfile } from '../../src/policy/load';
import { startApi, type Api } from './harness';

/**
 * issue 18: the version given when a team is given a profile was ignored in silence. A version that has taken
 * effect is accepted, and the team is held to it (audited with it); one not yet in force, or not loaded, is a
 * 400 by the field saying which versions are loaded and when each is in force; nothing is written.
 */

const file = loadProfileFile(join(__dirname, '../../examples/fernmoor/fernmoor.json'));
if (!file.ok) throw new Error(file.error.message);
const raw = JSON.parse(JSON.stringify(file.value)) as Record<string, unknown>;
const version = (v: string, effectiveDate: string) => {
  const p = parseProfile({ ...raw, version: v, effectiveDate }, `fernmoor v${v}`);
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
};

let api: Api;
beforeAll(async () => {
  // The world's clock is 1 March 2026: version 1 is in force, version 2 is not yet.
  api = await startApi({}, { customProfiles: [version('1', '2026-02-01'), version('2', '2026-06-01')] });
});
afterAll(() => api.close());

const team = async (id: string) => (await api.w.store.get('team', id))!.record;
const last = async () => (await api.w.store.audit.list()).at(-1)!;
const put = (body: unknown) => api.send('PUT', '/api/v1/teams/kent/profile', body, 'admin');

it('the version in force today is given, audited with it', async () => {
  const res = await put({ profileId: 'fernmoor-cs', version: '1' });
  expect(res.status).toBe(200);
  expect((await team('kent')).profileId).toBe('fernmoor-cs');
  expect(await last()).toMatchObject({
    action: 'team.profile',
    outcome: 'recorded',
    details: { to: 'fernmoor-cs', profileVersion: '1' },
  });
});

it('a version not yet in force, or not loaded, is a 400 saying when each is in force; nothing written', async () => {
  const before = await team('notts');
  const later = await api.send(
    'PUT',
    '/api/v1/teams/notts/profile',
    { profileId: 'fernmoor-cs', version: '2' },
    'admin',
  );
  expect(later.status).toBe(400);
  const body = (await later.json()) as { field: string; detail: string };
  expect(body.field).toBe('version');
  expect(body.detail).toMatch(/version 2 of .* takes effect on 1 June 2026; today version 1 is in force/);
  expect(await last()).toMatchObject({ action: 'team.profile', outcome: 'refuse' });
  const missing = await api.send(
    'PUT',
    '/api/v1/teams/notts/profile',
    { profileId: 'fernmoor-cs', version: '3' },
    'admin',
  );
  expect(missing.status).toBe(400);
  expect(((await missing.json()) as { detail: string }).detail).toMatch(
    /has no version "3" loaded; the loaded versions are 1 \(in force from 1 February 2026\), 2 \(in force from 1 June 2026\)/,
  );
  // A built-in has one version.
  const builtin = await api.send(
    'PUT',
    '/api/v1/teams/notts/profile',
    { profileId: 'kent-ics', version: '9' },
    'admin',
  );
  expect(builtin.status).toBe(400);
  expect(await team('notts')).toEqual(before);
});
