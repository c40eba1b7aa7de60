import { existsSync, readFileSync } from 'node:fs';
import { ClientCertificateCredential, ClientSecretCredential } from '@azure/identity';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { z } from 'zod';
import type { StoreOutcome } from '../store';

/**
 * How Overt reaches its SharePoint site. In a tenant: app-only credentials (client secret or
 * certificate) for an app registration holding the `Sites.Selected` application permission with a
 * write grant on the one site. Against the local Graph server: its URL, its CA, and a dummy token.
 *
 * Environment: OVERT_GRAPH_SITE (https://contoso.sharepoint.com/sites/overt), OVERT_GRAPH_URL
 * (default https://graph.microsoft.com), OVERT_GRAPH_CA_FILE, OVERT_TENANT_ID, OVERT_CLIENT_ID,
 * OVERT_CLIENT_SECRET or OVERT_CLIENT_CERTIFICATE_PATH (a PEM with the private key).
 */

export const GRAPH_URL = 'https://graph.microsoft.com';

const Auth = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('secret'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  }),
  z.object({
    type: z.literal('certificate'),
    tenantId: z.string().min(1),
    clientId: z.string().min(1),
    certificatePath: z.string().min(1),
  }),
  /** Only for a local server: any non-empty bearer token. */
  z.object({ type: z.literal('local'), token: z.string().min(1) }),
]);

export const GraphConfig = z
  .object({
    siteUrl: z.url({ protocol: /^https$/ }),
    graphUrl: z.url({ protocol: /^https$/ }).default(GRAPH_URL),
    /** PEM of a CA to trust besides the system's (the local server's). */
    ca: z.string().optional(),
    auth: Auth,
    /** A pending unit older than this is taken to be abandoned and is finished or undone. */
    staleMs: z.number().int().nonnegative().default(60_000),
    /** The first wait, in seconds, before retrying a call Graph throttled without a Retry-After or
     * dropped (the retry policy: retry.ts). */
    retryDelaySeconds: z.number().positive().default(3),
    /** How long one Graph request may take (OVERT_GRAPH_TIMEOUT_MS): past it the call fails as unavailable. */
    timeoutMs: z.number().int().positive().default(10_000),
    /** How long requests fail at once after Graph did not answer (OVERT_GRAPH_BREAKER_MS; graph-client.ts). */
    breakerMs: z.number().int().nonnegative().default(5_000),
    /** How long signing in to Entra ID may take (OVERT_GRAPH_SIGNIN_TIMEOUT_MS): past it, a failed sign-in. */
    signInTimeoutMs: z.number().int().positive().default(30_000),
  })
  .refine((c) => c.auth.type !== 'local' || new URL(c.graphUrl).hostname !== new URL(GRAPH_URL).hostname, {
    message:
      'a local token is only for a local Graph server: give OVERT_TENANT_ID, OVERT_CLIENT_ID and a secret or certificate',
    path: ['auth'],
  });
export type GraphConfig = z.output<typeof GraphConfig>;
export type GraphConfigInput = z.input<typeof GraphConfig>;

export type GraphOverrides = {
  siteUrl?: string;
  graphUrl?: string;
  caFile?: string;
  staleMs?: number;
  /** What the settings are for, as their problems are headed: the SharePoint store (the default), or only
   * Entra ID's users and groups (a SQLite store's onboarding), which needs no site. */
  purpose?: 'SharePoint' | 'Entra ID';
};

/** The Graph settings from the environment and command-line overrides; a gap is an error value. */
export function graphConfig(
  env: NodeJS.ProcessEnv = process.env,
  over: GraphOverrides = {},
): StoreOutcome<GraphConfig> {
  // The endpoint without its version (`…/v1.0` is accepted as the same endpoint: the version is Overt's).
  const graphUrl = (over.graphUrl ?? env.OVERT_GRAPH_URL ?? GRAPH_URL).replace(/\/(v1\.0|beta)\/*$/, '');
  const caFile = over.caFile ?? env.OVERT_GRAPH_CA_FILE;
  let ca: string | undefined;
  try {
    ca = caFile ? readFileSync(caFile, 'utf8') : undefined;
  } catch (e) {
    return invalid(`cannot read the CA file ${caFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const tenantId = env.OVERT_TENANT_ID;
  const clientId = env.OVERT_CLIENT_ID;
  const auth = env.OVERT_CLIENT_CERTIFICATE_PATH
    ? { type: 'certificate', tenantId, clientId, certificatePath: env.OVERT_CLIENT_CERTIFICATE_PATH }
    : env.OVERT_CLIENT_SECRET || tenantId || clientId || new URL(graphUrl).hostname === 'graph.microsoft.com'
      ? { type: 'secret', tenantId, clientId, clientSecret: env.OVERT_CLIENT_SECRET }
      : { type: 'local', token: 'overt-local-token' };
  const parsed = GraphConfig.safeParse({
    siteUrl: over.siteUrl ?? env.OVERT_GRAPH_SITE,
    graphUrl,
    ...(ca ? { ca } : {}),
    auth,
    ...(over.staleMs === undefined ? {} : { staleMs: over.staleMs }),
    ...(env.OVERT_GRAPH_TIMEOUT_MS ? { timeoutMs: Number(env.OVERT_GRAPH_TIMEOUT_MS) } : {}),
    ...(env.OVERT_GRAPH_BREAKER_MS ? { breakerMs: Number(env.OVERT_GRAPH_BREAKER_MS) } : {}),
    ...(env.OVERT_GRAPH_SIGNIN_TIMEOUT_MS
      ? { signInTimeoutMs: Number(env.OVERT_GRAPH_SIGNIN_TIMEOUT_MS) }
      : {}),
  });
  if (!parsed.success) {
    // Each problem named by the environment variable (or option) an administrator sets, not a field path.
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.join('.');
      const name = SETTING_NAMES[path] ?? (path || 'settings');
      const value =
        path === 'siteUrl'
          ? (over.siteUrl ?? env.OVERT_GRAPH_SITE)
          : path === 'graphUrl'
            ? graphUrl
            : undefined;
      if ((path === 'siteUrl' || path === 'graphUrl') && value)
        return `${name}: "${value}" must be a full URL starting https://`;
      if (i.code === 'invalid_type' && i.input === undefined) return `${name}: not set`;
      return `${name}: ${i.message}`;
    });
    return invalid(`${over.purpose ?? 'SharePoint'} (Graph) settings:\n  ${problems.join('\n  ')}`);
  }
  if (parsed.data.auth.type === 'certificate' && !existsSync(parsed.data.auth.certificatePath))
    return invalid(
      `OVERT_CLIENT_CERTIFICATE_PATH: no certificate file at ${parsed.data.auth.certificatePath} (a PEM holding the private key)`,
    );
  return { ok: true, value: parsed.data };
}

/**
 * The Graph settings for Entra ID's users and groups alone (`overt staff`, the first administrator): the same
 * app registration as the SharePoint store's, without a site (any well-formed one satisfies the check when
 * OVERT_GRAPH_SITE is not set); a gap is headed "Entra ID (Graph) settings".
 */
export function directoryConfig(
  env: NodeJS.ProcessEnv = process.env,
  over: Omit<GraphOverrides, 'siteUrl' | 'purpose'> = {},
): StoreOutcome<GraphConfig> {
  return graphConfig(env, {
    ...over,
    siteUrl: env.OVERT_GRAPH_SITE || 'https://directory.invalid/sites/none',
    purpose: 'Entra ID',
  });
}

const SETTING_NAMES: Record<string, string> = {
  siteUrl: 'OVERT_GRAPH_SITE (or --site)',
  graphUrl: 'OVERT_GRAPH_URL (or --graph-url)',
  'auth.tenantId': 'OVERT_TENANT_ID',
  'auth.clientId': 'OVERT_CLIENT_ID',
  'auth.clientSecret': 'OVERT_CLIENT_SECRET (or OVERT_CLIENT_CERTIFICATE_PATH)',
  'auth.certificatePath': 'OVERT_CLIENT_CERTIFICATE_PATH',
  auth: 'OVERT_TENANT_ID, OVERT_CLIENT_ID, OVERT_CLIENT_SECRET',
};

function invalid(message: string): StoreOutcome<never> {
  return { ok: false, error: { code: 'STORE_CONFIG_INVALID', message } };
}

const SCOPES = [`${GRAPH_URL}/.default`];

/** Thrown when signing in to Entra ID fails or does not answer in time: never retried, the settings named. */
export class GraphSignInError extends Error {
  override name = 'GraphSignInError';
}

export function authProvider(
  auth: GraphConfig['auth'],
  within: { signInTimeoutMs: number; graphUrl: string } = {
    signInTimeoutMs: 30_000,
    graphUrl: GRAPH_URL,
  },
): AuthenticationProvider {
  if (auth.type === 'local') return { getAccessToken: async () => auth.token };
  const inner = new TokenCredentialAuthenticationProvider(
    auth.type === 'secret'
      ? new ClientSecretCredential(auth.tenantId, auth.clientId, auth.clientSecret)
      : new ClientCertificateCredential(auth.tenantId, auth.clientId, auth.certificatePath),
    { scopes: SCOPES },
  );
  const credential =
    auth.type === 'secret'
      ? 'OVERT_CLIENT_SECRET'
      : `OVERT_CLIENT_CERTIFICATE_PATH (${auth.certificatePath})`;
  return {
    // A failed sign-in says so, with the settings to check (MSAL's own message names none of them).
    // A sign-in that never answers (the token endpoint unreachable, a firewall dropping it) is a failed one
    // after signInTimeoutMs: the service does not hang silently at its start.
    getAccessToken: async () => {
      const seconds = Math.round(within.signInTimeoutMs / 1000);
      const local =
        new URL(within.graphUrl).hostname !== new URL(GRAPH_URL).hostname
          ? ` OVERT_GRAPH_URL is ${within.graphUrl}: the local Graph server needs no OVERT_TENANT_ID, OVERT_CLIENT_ID or ${credential.split(' ')[0]} (remove them).`
          : '';
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          inner.getAccessToken(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer from Entra ID within ${seconds} s`)),
              within.signInTimeoutMs,
            );
            timer.unref();
          }),
        ]);
      } catch (err) {
        throw new GraphSignInError(
          `Graph sign-in failed for OVERT_CLIENT_ID ${auth.clientId} in OVERT_TENANT_ID ${auth.tenantId}: ${(err as Error).message}. Check both ids, ${credential}, and that this machine can reach login.microsoftonline.com.${local}`,
        );
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `https://contoso.sharepoint.com/sites/overt` → `/sites/contoso.sharepoint.com:/sites/overt`. */
export function sitePath(siteUrl: string): string {
  const u = new URL(siteUrl);
  const path = u.pathname.replace(/\/+$/, '') || '/';
  return `/sites/${u.hostname}:${path}`;
}
