import { z } from 'zod';
import { commaList as list } from '../util/env';

/**
 * How the API knows who is calling, from the environment. A Teams SSO token is an Entra ID access token for
 * the app's own API (`api://<host>/<client id>`): its signature is checked against the JWKS, then audience,
 * issuer (per tenant), expiry and the tenant allow-list. Who the caller is in Overt comes from
 * `OVERT_AUTH_STAFF_MAP`: Entra object ids or group ids, each mapped to a staff id; the staff record's role
 * is what every route checks.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A host as an Application ID URI carries it: a DNS name (or localhost), an optional port, nothing else. */
const HOST = /^(localhost|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})(:\d{1,5})?$/i;

/** The app (client) id an SSO audience names: Teams SSO tokens carry `api://<host>/<client id>` (v1) or the
 * client id itself (v2). Undefined when the value is neither. */
export function audienceAppId(value: string): string | undefined {
  if (GUID.test(value)) return value.toLowerCase();
  const m = /^api:\/\/([^/]+)\/([^/]+)$/.exec(value);
  return m && HOST.test(m[1]!) && GUID.test(m[2]!) ? m[2]!.toLowerCase() : undefined;
}

/** Why OVERT_AUTH_AUDIENCE (its entries, comma-separated) is not the SSO app Teams issues tokens for, in
 * words naming the setting; undefined when every entry is `api://<host>/<client id>` or the client id, all of
 * one app. */
export function audienceProblem(entries: readonly string[]): string | undefined {
  for (const a of entries)
    if (!audienceAppId(a))
      return `OVERT_AUTH_AUDIENCE: "${a}" is not an SSO audience: write the SSO app registration's Application ID URI, api://<host>/<client id> (the host the tab is served on, the client id a GUID), or the client id alone`;
  const apps = new Set(entries.map((a) => audienceAppId(a)));
  if (apps.size > 1)
    return `OVERT_AUTH_AUDIENCE: "${entries.join(',')}" names ${apps.size} different apps; every entry names the one SSO app registration (its Application ID URI and/or its client id)`;
  return undefined;
}

export const AuthConfig = z.object({
  OVERT_AUTH_JWKS_URL: z.url().default('https://login.microsoftonline.com/common/discovery/v2.0/keys'),
  /** Accepted audiences: the app id URI and/or the client id; a token for any other is refused. */
  OVERT_AUTH_AUDIENCE: list.superRefine((entries, ctx) => {
    const problem = audienceProblem(entries);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** Issuer templates; `{tenantid}` is replaced by the token's tenant. */
  OVERT_AUTH_ISSUERS: list.default([
    'https://login.microsoftonline.com/{tenantid}/v2.0',
    'https://sts.windows.net/{tenantid}/',
  ]),
  /** Tenants allowed to call. */
  OVERT_AUTH_TENANTS: list,
  /** JSON: { "<Entra object id or group id>": "<staff id>" }; or `entra`: the staff id is the user's Entra
   * object id (as `overt staff add` records them), so the token's `oid` names the member of staff. */
  OVERT_AUTH_STAFF_MAP: z
    .string()
    .default('{}')
    .transform((s, ctx): Record<string, string> | 'entra' => {
      if (s.trim() === 'entra') return 'entra';
      try {
        return z.record(z.string().min(1), z.string().min(1)).parse(JSON.parse(s));
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'OVERT_AUTH_STAFF_MAP: "entra", or a JSON object of Entra id → staff id',
        });
        return z.NEVER;
      }
    }),
  /** The local demo only: a request may name a demo persona instead of a token. */
  OVERT_DEMO_AUTH: z.enum(['on', 'off']).default('off'),
});
export type AuthConfig = z.infer<typeof AuthConfig>;

/** Settings that mean real people sign in (Teams SSO for the tab, Bot Framework for the bot). */
const REAL_SIGN_IN = [
  'OVERT_AUTH_AUDIENCE',
  'OVERT_AUTH_TENANTS',
  'OVERT_AUTH_STAFF_MAP',
  'OVERT_BOT_TENANTS',
  'MicrosoftAppId',
  'MicrosoftAppPassword',
] as const;

/**
 * How people sign in, decided once at start: demo personas only when the operator asks for the demo
 * (`OVERT_DEMO_AUTH=on`, which `npm start` sets unless it is `off`), never together with a real sign-in setting — that is refused,
 * naming both — else Teams SSO only. The line is what the service logs at start.
 */
export function signInMode(
  env: NodeJS.ProcessEnv,
): { ok: true; mode: 'demo' | 'sso'; line: string } | { ok: false; message: string } {
  const demo = env.OVERT_DEMO_AUTH?.trim() || 'off';
  if (demo !== 'on' && demo !== 'off')
    return { ok: false, message: `configuration: OVERT_DEMO_AUTH must be "on" or "off", not "${demo}"` };
  const real = REAL_SIGN_IN.filter((k) => {
    const v = env[k]?.trim();
    return v && v !== '{}';
  });
  if (demo === 'on') {
    if (real.length)
      return {
        ok: false,
        // Under `npm start` the person may never have set OVERT_DEMO_AUTH: the script turns the demo on. Say so,
        // and what to run instead.
        message:
          env.npm_lifecycle_event === 'start'
            ? `configuration: \`npm start\` is the local demo: it turns demo personas on (OVERT_DEMO_AUTH=on), which cannot be used with real sign-in settings (${real.join(', ')}). For real sign-in run \`npm run serve\` (or \`OVERT_DEMO_AUTH=off npm start\`); for the demo, unset those settings`
            : `configuration: OVERT_DEMO_AUTH=on (demo personas) cannot be used with real sign-in settings (${real.join(', ')}): for real sign-in set OVERT_DEMO_AUTH=off (or unset it) and run \`npm run serve\`; for the demo, unset those settings`,
      };
    return {
      ok: true,
      mode: 'demo',
      line: 'sign-in: DEMO personas (OVERT_DEMO_AUTH=on): anyone who can reach the tab may act as a demo person; never use this with real data',
    };
  }
  return {
    ok: true,
    mode: 'sso',
    line: real.length
      ? `sign-in: Teams SSO only (configured: ${real.join(', ')}); demo personas off`
      : 'sign-in: Teams SSO only, not configured yet (set OVERT_AUTH_AUDIENCE, OVERT_AUTH_TENANTS, OVERT_AUTH_STAFF_MAP); demo personas off',
  };
}

export function loadAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const mode = signInMode(env);
  if (!mode.ok) throw new Error(mode.message);
  const r = AuthConfig.safeParse(env);
  if (!r.success) throw new Error(`configuration: ${z.prettifyError(r.error)}`);
  return r.data;
}
