import { z } from 'zod';

/**
 * How the API knows who is calling, from the environment. A Teams SSO token is an Entra ID access token for
 * the app's own API (`api://<host>/<client id>`): its signature is checked against the JWKS, then audience,
 * issuer (per tenant), expiry and the tenant allow-list. Who the caller is in Overt comes from
 * `OVERT_AUTH_STAFF_MAP`: Entra object ids or group ids, each mapped to a staff id; the staff record's role
 * is what every route checks.
 */

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

export const AuthConfig = z.object({
  OVERT_AUTH_JWKS_URL: z.url().default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
  /** Accepted audiences: the app id URI and/or the client id. */
  OVERT_AUTH_AUDIENCE: list,
  /** Issuer templates; `{tenantid}` is replaced by the token's tenant. */
  OVERT_AUTH_ISSUERS: list.default([
    'https://login.microsoftonline.com/{tenantid}/v2.0',
    'https://sts.windows.net/{tenantid}/',
  ]),
  /** Tenants allowed to call. */
  OVERT_AUTH_TENANTS: list,
  /** JSON: { "<Entra object id or group id>": "<staff id>" }. */
  OVERT_AUTH_STAFF_MAP: z
    .string()
    .default('{}')
    .transform((s, ctx) => {
      try {
        return z.record(z.string().min(1), z.string().min(1)).parse(JSON.parse(s));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'a JSON object of Entra id → staff id' });
        return z.NEVER;
      }
    }),
  /** The local demo only: a request may name a demo persona instead of a token. */
  OVERT_DEMO_AUTH: z.enum(['on', 'off']).default('off'),
});
export type AuthConfig = z.infer<typeof AuthConfig>;

export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const r = AuthConfig.safeParse(env);
  if (!r.success) throw new Error(`configuration: ${z.prettifyError(r.error)}`);
  return r.data;
}
