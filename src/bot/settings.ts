/** The bot's Bot Framework settings, from the environment. Without an app id the endpoint accepts unsigned
 * activities (local runs, the Agents Playground); with one it demands a valid Bot Framework token. Either
 * way it answers only Microsoft Teams activities from the tenants configured here. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { commaList as list } from '../util/env';
import { HOST_NAME, serviceUrlProblem, type ServiceUrlRule } from './service-url';

/** The fictional demo's tenant: the Agents Playground's (scripts/playground.ts) and the tests'. */
export const DEMO_TENANT = 'demo-tenant';

export const BotSettings = z
  .object({
    MicrosoftAppId: z.string().trim().default(''),
    MicrosoftAppPassword: z.string().default(''),
    MicrosoftAppTenantId: z.string().default(''),
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
    /** A certificate instead of the secret: its thumbprint and a PEM file holding its private key. */
    MicrosoftAppCertificateThumbprint: z.string().trim().default(''),
    MicrosoftAppCertificatePath: z.string().trim().default(''),
    /** How often notices from the timers are delivered, in seconds. */
    OVERT_NOTICES_EVERY: z.coerce.number().int().min(1).default(10),
    /** How long the instance delivering notices holds that task, in seconds: when it dies, another takes over
     * within this. Renewed before every message. */
    OVERT_NOTICES_LEASE: z.coerce.number().int().min(1).default(30),
    /** The Entra tenants whose Teams users the bot answers (comma-separated). Unset: the API's
     * OVERT_AUTH_TENANTS; with neither, only the demo's tenant when the demo is asked for (OVERT_DEMO_AUTH=on),
     * else nobody. */
    OVERT_BOT_TENANTS: list,
    OVERT_AUTH_TENANTS: list,
    OVERT_DEMO_AUTH: z.enum(['on', 'off']).default('off'),
    /** Entra object id → staff id, as the API reads it; a person whose object id is a staff id needs no entry. */
    OVERT_AUTH_STAFF_MAP: z
      .string()
      .default('{}')
      .transform((s, ctx): Record<string, string> => {
        // "entra": staff ids are Entra object ids (as `overt staff add` records them), so there is no map.
        if (s.trim() === 'entra') return {};
        try {
          return z.record(z.string().min(1), z.string().min(1)).parse(JSON.parse(s));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'a JSON object of Entra id → staff id' });
          return z.NEVER;
        }
      }),
    /** Proactive messages per second to one conversation, and to the whole tenant (Teams: 7 per second per
     * conversation, and a little more than 50 per second per app per tenant; we keep under both). */
    OVERT_BOT_PER_CONVERSATION_PER_SECOND: z.coerce.number().min(0.1).max(7).default(5),
    OVERT_BOT_PER_TENANT_PER_SECOND: z.coerce.number().min(1).max(50).default(40),
    /** Reach someone who never opened Overt by installing the app for them through Microsoft Graph (install.ts):
     * needs the Graph settings (OVERT_GRAPH_URL, OVERT_TENANT_ID, OVERT_CLIENT_ID, a secret or certificate)
     * with TeamsAppInstallation.ReadWriteSelfForUser.All and AppCatalog.Read.All, and TEAMS_APP_ID. */
    OVERT_BOT_INSTALL: z.enum(['on', 'off']).default('off'),
    /** The app's manifest id (the Agents Toolkit sets it). */
    TEAMS_APP_ID: z.string().trim().default(''),
    /** The connector's address for chats Overt opens itself (Teams' global one unless set). */
    OVERT_BOT_SERVICE_URL: z.url().default('https://smba.trafficmanager.net/teams/'),
    /** Connector hosts the bot may post to besides Microsoft Teams' own (service-url.ts): a sovereign cloud's,
     * comma-separated host names. */
    OVERT_BOT_SERVICE_HOSTS: list.pipe(
      z.array(
        z
          .string()
          .regex(HOST_NAME, 'host names only, comma-separated (smba.example.net), no https:// or path')
          .transform((h) => h.toLowerCase()),
      ),
    ),
  })
  .superRefine((s, ctx) => {
    // The address for chats Overt opens itself is held to the rule every activity's is.
    const problem = serviceUrlProblem(s.OVERT_BOT_SERVICE_URL, serviceRuleOf(s));
    if (problem)
      ctx.addIssue({
        code: 'custom',
        path: ['OVERT_BOT_SERVICE_URL'],
        message: `the bot may post only to Microsoft Teams: ${problem}`,
      });
    // A single-tenant or managed-identity bot is one with an app id: without one, botbuilder would stop on an
    // assertion naming no setting of ours.
    if (!s.MicrosoftAppId && s.MicrosoftAppType !== 'MultiTenant')
      ctx.addIssue({
        code: 'custom',
        path: ['MicrosoftAppType'],
        message: `${s.MicrosoftAppType} needs MicrosoftAppId; for a local bot with no app id, remove MicrosoftAppType`,
      });
  });
export type BotSettings = z.infer<typeof BotSettings>;

export function botSettings(env: NodeJS.ProcessEnv): BotSettings {
  const parsed = BotSettings.safeParse(env);
  // Each problem named by its environment variable first, as an administrator sets it.
  if (!parsed.success)
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'bot'}: ${i.message}`).join('\n'));
  return parsed.data;
}

/** Where the bot may post (service-url.ts): Teams' connector hosts and OVERT_BOT_SERVICE_HOSTS; this machine
 * only for a bot with no app id (the local demo, the Agents Playground, a local trial). */
export function serviceRuleOf(
  s: Pick<BotSettings, 'MicrosoftAppId' | 'OVERT_BOT_SERVICE_HOSTS'>,
): ServiceUrlRule {
  return { extraHosts: s.OVERT_BOT_SERVICE_HOSTS, loopback: !s.MicrosoftAppId };
}

/** The tenants the bot answers, by the rule above. */
export function tenantsOf(s: BotSettings): string[] {
  if (s.OVERT_BOT_TENANTS.length) return s.OVERT_BOT_TENANTS;
  if (s.OVERT_AUTH_TENANTS.length) return s.OVERT_AUTH_TENANTS;
  return s.OVERT_DEMO_AUTH === 'on' ? [DEMO_TENANT] : [];
}

/** The certificate's private key, read once at start; a missing file is named by its setting. */
export function certificateKey(settings: BotSettings): string | undefined {
  if (!settings.MicrosoftAppCertificatePath) return undefined;
  try {
    return readFileSync(settings.MicrosoftAppCertificatePath, 'utf8');
  } catch (err) {
    throw new Error(
      `MicrosoftAppCertificatePath: cannot read the certificate ${settings.MicrosoftAppCertificatePath}: ${(err as Error).message}`,
    );
  }
}

/** A view of the tab a card can point to (src/api/views.ts's ids). */
export type TabView = 'decisions' | 'requests' | 'ripa' | 'child';
/** The address that opens the tab at a view (and what in it: a child's id for `child`), or undefined when the
 * app's id is not known. */
export type TabLink = (view: TabView, arg?: string) => string | undefined;

/**
 * Teams' deep link to the app's personal tab (appPackage/manifest.json's static tabs: "my-requests" for a
 * person's requests, "dashboard" for the rest), opened at the view named as its sub-page
 * (`context.subEntityId`, which the tab reads: src/tab/teams.ts). Without TEAMS_APP_ID (a local run, the
 * Playground) there is no link, and cards say where the tab is in words.
 */
export function tabLinkOf(s: Pick<BotSettings, 'TEAMS_APP_ID'>): TabLink {
  return (view, arg) => {
    if (!s.TEAMS_APP_ID) return undefined;
    const entity = view === 'requests' ? 'my-requests' : 'dashboard';
    const subEntityId = arg ? `${view}/${encodeURIComponent(arg)}` : view;
    const context = encodeURIComponent(JSON.stringify({ subEntityId }));
    return `https://teams.microsoft.com/l/entity/${encodeURIComponent(s.TEAMS_APP_ID)}/${entity}?context=${context}`;
  };
}
