import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from './auth-config';

/** Who is calling: a staff id from a verified token (or, in the demo only, a chosen persona), or why not. */
export type Caller =
  { ok: true; staffId: string; via: 'token' | 'demo' } | { ok: false; status: 401 | 403; detail: string };

export const DEMO_HEADER = 'x-overt-demo-persona';
/** Entra ID signs with RS256; anything else (`none`, HS256 with a guessed secret …) is refused. */
const ALGORITHMS = ['RS256'];

export function authenticator(config: AuthConfig, keys?: JWTVerifyGetKey) {
  const jwks = keys ?? createRemoteJWKSet(new URL(config.OVERT_AUTH_JWKS_URL), { cooldownDuration: 30_000 });

  async function fromToken(token: string): Promise<Caller> {
    if (!config.OVERT_AUTH_AUDIENCE.length)
      return { ok: false, status: 401, detail: 'SSO is not configured (OVERT_AUTH_AUDIENCE)' };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: ALGORITHMS,
        audience: config.OVERT_AUTH_AUDIENCE,
        requiredClaims: ['exp', 'iss', 'tid'],
        clockTolerance: 60,
      }));
    } catch (err) {
      const why =
        err instanceof errors.JWTExpired
          ? 'the token has expired'
          : err instanceof errors.JWTClaimValidationFailed
            ? `the token's ${err.claim} claim is not accepted`
            : err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported
              ? 'the token is not signed with an accepted algorithm'
              : 'the token is not valid';
      return { ok: false, status: 401, detail: why };
    }
    const tid = String(payload.tid);
    if (!config.OVERT_AUTH_TENANTS.includes(tid))
      return { ok: false, status: 401, detail: 'the tenant is not allowed' };
    const issuers = config.OVERT_AUTH_ISSUERS.map((t) => t.replace('{tenantid}', tid));
    if (!issuers.includes(String(payload.iss)))
      return { ok: false, status: 401, detail: "the token's iss claim is not accepted" };
    const ids = [payload.oid, ...(Array.isArray(payload.groups) ? payload.groups : [])].filter(
      (x): x is string => typeof x === 'string',
    );
    const staffId = ids.map((id) => config.OVERT_AUTH_STAFF_MAP[id]).find(Boolean);
    if (!staffId)
      return {
        ok: false,
        status: 403,
        detail: 'you are signed in, but no member of staff in Overt is mapped to you',
      };
    return { ok: true, staffId, via: 'token' };
  }

  return async function authenticate(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer ([A-Za-z0-9_.-]+={0,2})$/.exec(header.trim());
      if (!m) return { ok: false, status: 401, detail: 'the Authorization header must be "Bearer <token>"' };
      return fromToken(m[1]!);
    }
    const persona = req.headers[DEMO_HEADER];
    if (
      config.OVERT_DEMO_AUTH === 'on' &&
      typeof persona === 'string' &&
      /^demo-[a-z0-9-]{1,60}$/.test(persona)
    )
      return { ok: true, staffId: persona, via: 'demo' };
    return { ok: false, status: 401, detail: 'sign in: a Teams SSO token is required' };
  };
}
