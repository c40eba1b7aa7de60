import type { IncomingMessage } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from './auth-config';

/** Who is calling: a staff id from a verified token (or, in the demo only, a chosen persona), or why not. */
export type Caller =
  | { ok: true; staffId: string; via: 'token' | 'demo' }
  /** `subject`: for a 403, the signed-in person as their Entra object id (`entra:<oid>`), for the audit trail. */
  | { ok: false; status: 401 | 403; detail: string; subject?: string };

export const DEMO_HEADER = 'x-overt-demo-persona';
/** Entra ID signs with RS256; anything else (`none`, HS256 with a guessed secret …) is refused. */
const ALGORITHMS = ['RS256'];

/** What the person is told when their token could not carry their groups. */
export const OVERAGE =
  'you are signed in, but you are in too many groups for your sign-in to carry them, so Overt cannot tell ' +
  'which member of staff you are. Ask your administrator to map your account itself to you in Overt ' +
  '(OVERT_AUTH_STAFF_MAP), or to limit the app registration\'s groups claim to "Groups assigned to the ' +
  'application" and assign your group to the app.';

/** The token says the user's groups were too many to include (Entra ID group overage). */
function groupOverage(payload: Record<string, unknown>): boolean {
  if (Array.isArray(payload.groups)) return false;
  if (payload.hasgroups === true || payload.hasgroups === 'true') return true;
  const names = payload._claim_names;
  return typeof names === 'object' && names !== null && 'groups' in names;
}

export function authenticator(
  config: AuthConfig,
  keys?: JWTVerifyGetKey,
  log: (s: string) => void = (s) => console.error(s),
) {
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
    const map = config.OVERT_AUTH_STAFF_MAP;
    const staffId =
      map === 'entra'
        ? typeof payload.oid === 'string'
          ? payload.oid
          : undefined
        : ids.map((id) => map[id]).find(Boolean);
    if (!staffId && groupOverage(payload)) {
      // Entra leaves the groups out of a token when the user is in too many (over 200 in a JWT; any in
      // an implicit-flow token): it sends `hasgroups` or `_claim_names` instead. Overt does not call Graph
      // for them, so the administrator must map the user, or give the app its groups another way.
      log(
        `sign-in: user ${String(payload.oid)} of tenant ${tid} is mapped to no staff and the token omits their groups (group overage: ${'hasgroups' in payload ? 'hasgroups' : '_claim_names'}); map the object id in OVERT_AUTH_STAFF_MAP, or set the app registration's groups claim to "Groups assigned to the application" and assign the mapped groups to the app`,
      );
      return { ok: false, status: 403, detail: OVERAGE, subject: `entra:${String(payload.oid)}` };
    }
    if (!staffId)
      return {
        ok: false,
        status: 403,
        detail: 'you are signed in, but no member of staff in Overt is mapped to you',
        subject: `entra:${String(payload.oid)}`,
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
