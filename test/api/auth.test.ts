import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { must } from '../workflow/world';
import { upsertStaff } from '../../src/workflow';
import { AUDIENCE, ISSUER, startApi, TENANT, type Api } from './harness';

/** Every route needs a valid Teams SSO token (or, in the demo only, a demo persona). */

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const withToken = (token: string) =>
  fetch(`${api.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });

async function expect401(res: Response, detail: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.headers.get('www-authenticate')).toBe('Bearer');
  const body = (await res.json()) as { status: number; detail: string; type: string };
  expect(body).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  expect(body.detail).toMatch(detail);
}

describe('SSO token validation', () => {
  it('accepts a valid token and answers who the caller is, from the staff record', async () => {
    const res = await withToken(await api.token('tm-notts'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: 'tm-notts', role: 'team-manager', teamIds: ['notts'] });
  });

  it('401 without a token', async () => {
    await expect401(await fetch(`${api.base}/api/v1/me`), /token is required/);
  });

  it('401 for the wrong audience', async () => {
    await expect401(await withToken(await api.token('sm', { aud: 'api://someone-else' })), /aud/);
  });

  it('401 for an expired token', async () => {
    const exp = Math.floor(Date.now() / 1000) - 3600;
    await expect401(await withToken(await api.token('sm', {}, { exp })), /expired/);
  });

  it('401 for alg "none"', async () => {
    const unsigned = new UnsecuredJWT({ oid: 'oid-sm', tid: TENANT })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .encode();
    await expect401(await withToken(unsigned), /not signed with an accepted algorithm|not valid/);
  });

  it('401 for a token signed by another key, an HS256 token, another tenant or issuer, a malformed header', async () => {
    const other = await generateKeyPair('RS256');
    const forged = await new SignJWT({ oid: 'oid-sm', tid: TENANT })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(other.privateKey);
    await expect401(await withToken(forged), /not valid/);
    const hs = await new SignJWT({ oid: 'oid-sm', tid: TENANT })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a-guessed-secret-of-enough-length-000'));
    await expect401(await withToken(hs), /algorithm/);
    await expect401(
      await withToken(await api.token('sm', { tid: '22222222-2222-2222-2222-222222222222' })),
      /tenant|iss/,
    );
    await expect401(await withToken(await api.token('sm', { iss: 'https://evil.example/v2.0' })), /iss/);
    await expect401(
      await fetch(`${api.base}/api/v1/me`, { headers: { authorization: 'Basic c206c20=' } }),
      /Bearer/,
    );
  });

  it('403 for a signed-in user who is not mapped to staff', async () => {
    const res = await withToken(await api.token('sm', { oid: 'oid-nobody' }));
    expect(res.status).toBe(403);
  });

  it('maps a group id to staff', async () => {
    const demo = await startApi({ OVERT_AUTH_STAFF_MAP: JSON.stringify({ 'group-ig': 'ig' }) });
    try {
      const t = await demo.token('sm', { oid: 'oid-unmapped', groups: ['group-other', 'group-ig'] });
      const res = await fetch(`${demo.base}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } });
      expect(await res.json()).toMatchObject({ id: 'ig', role: 'information-governance' });
    } finally {
      await demo.close();
    }
  });
});

describe('Entra group overage (issue 12, fault 11)', () => {
  // A user in too many groups gets a token with `hasgroups` or `_claim_names` instead of `groups`.
  const overage = [
    ['hasgroups', { hasgroups: true }],
    [
      '_claim_names',
      {
        _claim_names: { groups: 'src1' },
        _claim_sources: {
          src1: { endpoint: 'https://graph.windows.net/tenant/users/oid-unmapped/getMemberObjects' },
        },
      },
    ],
  ] as const;

  it.each(overage)(
    'a token with %s instead of groups: a 403 saying what the administrator must change, and a log line',
    async (_name, claims) => {
      const demo = await startApi({ OVERT_AUTH_STAFF_MAP: JSON.stringify({ 'group-ig': 'ig' }) });
      try {
        const t = await demo.token('sm', { oid: 'oid-unmapped', ...claims });
        const res = await fetch(`${demo.base}/api/v1/me`, { headers: { authorization: `Bearer ${t}` } });
        expect(res.status).toBe(403);
        const body = (await res.json()) as { detail: string; code: string };
        expect(body.code).toBe('NOT_MAPPED');
        expect(body.detail).toMatch(/too many groups/);
        expect(body.detail).toMatch(/Ask your administrator to map your account/);
        expect(demo.logs.join('\n')).toMatch(
          /user oid-unmapped .*group overage: (hasgroups|_claim_names)\).*OVERT_AUTH_STAFF_MAP.*Groups assigned to the application/,
        );
      } finally {
        await demo.close();
      }
    },
  );

  it('a user mapped by object id is let in even when the token omits their groups', async () => {
    const t = await api.token('ig', { hasgroups: true });
    const res = await withToken(t);
    expect(res.status).toBe(200);
  });
});

describe('demo personas', () => {
  it('are refused when demo auth is off', async () => {
    const res = await fetch(`${api.base}/api/v1/me`, { headers: { 'x-overt-demo-persona': 'demo-sm' } });
    expect(res.status).toBe(401);
  });

  it('stand in for a token when demo auth is on; neither still gets 401', async () => {
    const demo = await startApi({ OVERT_DEMO_AUTH: 'on' });
    try {
      must(
        await upsertStaff(demo.w.deps, {
          key: demo.w.key(),
          actorId: 'admin',
          staff: { id: 'demo-sm', name: 'Sol (demo)', role: 'service-manager', teamIds: ['notts'] },
        }),
      );
      const me = await fetch(`${demo.base}/api/v1/me`, { headers: { 'x-overt-demo-persona': 'demo-sm' } });
      expect(await me.json()).toMatchObject({ id: 'demo-sm', role: 'service-manager' });
      const unknown = await fetch(`${demo.base}/api/v1/me`, {
        headers: { 'x-overt-demo-persona': 'demo-nobody' },
      });
      expect(unknown.status).toBe(403);
      expect((await fetch(`${demo.base}/api/v1/me`)).status).toBe(401);
      const page = await fetch(`${demo.base}/`);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await page.text()).toMatch(/"demo":true,"personas":\[\{"id":"demo-sm"/);
    } finally {
      await demo.close();
    }
  });
});
