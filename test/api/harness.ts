import type { Profile } from '../../src/policy/profile';
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createApi } from '../../src/api/api';
import { AuthConfig } from '../../src/api/auth-config';
import { world, type World } from '../workflow/world';

/**
 * The API on port 0 over a test world, with its own key set: tokens are signed here with a local RSA key and
 * checked against a JWKS served over HTTP, as Entra ID's would be.
 */

export const TENANT = '11111111-1111-1111-1111-111111111111';
export const AUDIENCE = 'api://localhost/00000000-0000-0000-0000-0000000000aa';
export const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
/** Entra object ids (and one group) → staff ids of the test world. */
export const OIDS = {
  sm: 'oid-sm',
  ig: 'oid-ig',
  'tm-notts': 'oid-tm-notts',
  'tm-camden': 'oid-tm-camden',
  'tm-kent': 'oid-tm-kent',
  'cm-notts': 'oid-cm-notts',
  admin: 'oid-admin',
} as const;

export interface Api {
  w: World;
  base: string;
  /** What the API logged (sign-in problems, the projection). */
  logs: string[];
  token: (
    who: keyof typeof OIDS,
    claims?: Record<string, unknown>,
    opts?: { exp?: string | number; alg?: string },
  ) => Promise<string>;
  get: (path: string, who?: keyof typeof OIDS) => Promise<Response>;
  send: (
    method: string,
    path: string,
    body: unknown,
    who?: keyof typeof OIDS,
    key?: string,
  ) => Promise<Response>;
  close: () => Promise<void>;
}

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, () => r(`http://localhost:${(s.address() as { port: number }).port}`)),
  );

export async function startApi(
  env: Record<string, string> = {},
  opts: { customProfiles?: Profile[] } = {},
): Promise<Api> {
  const w = await world(undefined, opts);
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  const jwksUrl = `${await listen(jwksServer)}/keys`;
  const config = AuthConfig.parse({
    OVERT_AUTH_JWKS_URL: jwksUrl,
    OVERT_AUTH_AUDIENCE: AUDIENCE,
    OVERT_AUTH_TENANTS: TENANT,
    OVERT_AUTH_STAFF_MAP: JSON.stringify(Object.fromEntries(Object.entries(OIDS).map(([s, o]) => [o, s]))),
    ...env,
  });
  const logs: string[] = [];
  const { handlers } = createApi(w.deps, config, { log: (s) => logs.push(s) });
  const server = createServer((req, res) => {
    void (async () => {
      for (const h of handlers) if (await h(req, res)) return;
      res.writeHead(404).end();
    })();
  });
  const base = await listen(server);
  const token: Api['token'] = async (who, claims = {}, opts = {}) =>
    new SignJWT({ oid: OIDS[who], tid: TENANT, iss: ISSUER, aud: AUDIENCE, ...claims })
      .setProtectedHeader({ alg: opts.alg ?? 'RS256', kid: 'test-key', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '1h')
      .sign(privateKey);
  const auth = async (who?: keyof typeof OIDS): Promise<Record<string, string>> =>
    who ? { authorization: `Bearer ${await token(who)}` } : {};
  let k = 0;
  return {
    w,
    base,
    logs,
    token,
    get: async (path, who) => fetch(`${base}${path}`, { headers: await auth(who) }),
    send: async (method, path, body, who, key = `api-test-key-${++k}`) =>
      fetch(`${base}${path}`, {
        method,
        headers: { ...(await auth(who)), 'content-type': 'application/json', 'idempotency-key': key },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => jwksServer.close(() => r()));
      await w.close();
    },
  };
}
