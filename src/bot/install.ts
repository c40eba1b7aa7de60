/**
 * Reaching someone who never opened Overt in Teams, the way Teams apps do: the app installs itself in the
 * person's personal scope through Microsoft Graph (application permission
 * TeamsAppInstallation.ReadWriteSelfForUser.All; AppCatalog.Read.All to find the app's catalog id), then reads
 * the one-to-one chat that installation has with the person and writes there through the Bot Framework
 * connector. Calls, in order (Learn: "Proactive installation of apps using Graph API", and the v1.0 pages for
 * each call):
 *   GET  /appCatalogs/teamsApps?$filter=externalId eq '{TEAMS_APP_ID}'     → the catalog id (kept)
 *   POST /users/{id}/teamwork/installedApps {"teamsApp@odata.bind": …}    → 201; 409 when already installed
 *   GET  /users/{id}/teamwork/installedApps?$expand=teamsApp&$filter=teamsApp/externalId eq '{TEAMS_APP_ID}'
 *   GET  /users/{id}/teamwork/installedApps/{installation id}/chat         → the chat id
 * A refusal (the app not in the catalog, blocked for the person by the tenant's policy, the person unknown to
 * the directory, no permission) is returned as a sentence a service manager can act on, never thrown.
 */
import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { Reference } from './conversations';
import { tenantsOf, type BotSettings } from './settings';

export type Installed = { ref: Reference } | { refused: string };

/** The Graph client the installs use, made by the composition (server/main.ts) on first use from the
 * service's Graph settings; throws, naming what is missing, when they are incomplete. */
export type GraphPort = () => Client;

/** Installs the app for a member of staff (by their Entra object id) and gives the chat to write to. */
export type Installer = (entraId: string) => Promise<Installed>;

const Apps = z.object({ value: z.array(z.object({ id: z.string().min(1) })) });
const Chat = z.object({ id: z.string().min(1) });

type GraphFailure = { statusCode?: number; code?: string; message?: string };

const failureOf = (err: unknown): GraphFailure => {
  const e = err as GraphFailure;
  return {
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
    code: typeof e.code === 'string' ? e.code : '',
    message: String(e.message ?? err).slice(0, 200),
  };
};

/** What a refusal means, for the person told (a service manager can act on each). */
function explain(step: string, f: GraphFailure): string {
  if (f.statusCode === 403)
    return step === 'install'
      ? "the organisation's Teams app policy does not allow Overt for them"
      : 'Overt has not been granted the permission to add itself for people (TeamsAppInstallation.ReadWriteSelfForUser.All)';
  if (f.statusCode === 404)
    return step === 'catalog'
      ? "Overt is not in the organisation's Teams app catalog"
      : 'they are not in the organisation’s directory under the id Overt knows them by';
  return `Microsoft Teams did not answer (${f.statusCode ?? 'no answer'}${f.code ? ` ${f.code}` : ''})`;
}

export function graphInstaller(options: {
  client: Client;
  /** The manifest's id (TEAMS_APP_ID). */
  teamsAppId: string;
  /** Where the connector is reached for this tenant, and the tenant and bot the chat belongs to. */
  serviceUrl: string;
  tenantId: string;
  botId: string;
  log: (s: string) => void;
}): Installer {
  const { client, teamsAppId } = options;
  let catalogId: Promise<string | { refused: string }> | undefined;
  const catalog = () =>
    (catalogId ??= (async () => {
      try {
        const apps = Apps.parse(
          await client
            .api('/appCatalogs/teamsApps')
            .filter(`externalId eq '${teamsAppId.replace(/'/g, "''")}'`)
            .get(),
        );
        if (!apps.value[0]) return { refused: "Overt is not in the organisation's Teams app catalog" };
        return apps.value[0].id;
      } catch (err) {
        catalogId = undefined; // tried again next time
        return { refused: explain('catalog', failureOf(err)) };
      }
    })());

  return async (entraId) => {
    const app = await catalog();
    if (typeof app !== 'string') return app;
    const user = `/users/${encodeURIComponent(entraId)}/teamwork/installedApps`;
    try {
      await client.api(user).post({
        'teamsApp@odata.bind': `https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/${app}`,
      });
      options.log(`bot: installed Overt for ${entraId} through Graph`);
    } catch (err) {
      const f = failureOf(err);
      if (f.statusCode !== 409) {
        options.log(
          `bot: could not install Overt for ${entraId} (${f.statusCode ?? 'no answer'}: ${f.message})`,
        );
        return { refused: explain('install', f) };
      }
    }
    try {
      const found = Apps.parse(
        await client
          .api(user)
          .expand('teamsApp')
          .filter(`teamsApp/externalId eq '${teamsAppId.replace(/'/g, "''")}'`)
          .get(),
      );
      const installation = found.value[0];
      if (!installation) return { refused: 'Teams did not keep the installation' };
      const chat = Chat.parse(await client.api(`${user}/${encodeURIComponent(installation.id)}/chat`).get());
      return {
        ref: {
          channelId: 'msteams',
          serviceUrl: options.serviceUrl,
          conversation: { id: chat.id, conversationType: 'personal', tenantId: options.tenantId },
          bot: { id: options.botId },
          // No `user`: Teams' id for the person (the MRI a card's refresh lists) is not the Entra object id,
          // and is known only once Teams sends an activity from them in this chat (conversations.ts).
        },
      };
    } catch (err) {
      const f = failureOf(err);
      options.log(
        `bot: could not read Overt's chat with ${entraId} (${f.statusCode ?? 'no answer'}: ${f.message})`,
      );
      return { refused: explain('chat', f) };
    }
  };
}

/** What startup says when installs are asked for without the app's id. */
export const INSTALL_WITHOUT_APP_ID =
  'OVERT_BOT_INSTALL is on but TEAMS_APP_ID is not set, so Overt cannot add itself for people who have never opened it: an approver who has not opened Overt in Teams will not get cards (the requester and the service managers are told who could not be reached). Set TEAMS_APP_ID to the id in the app manifest (the Agents Toolkit writes it to env/.env.<env>).';

/**
 * The installer the settings ask for (on the Graph client the service hands the bot), by staff id (the Entra object id through OVERT_AUTH_STAFF_MAP, else the
 * staff id itself), or undefined when OVERT_BOT_INSTALL is off, or on without TEAMS_APP_ID (a warning at startup).
 * A Graph setting missing is an error naming it.
 */
export function installerOf(
  settings: BotSettings,
  graph: GraphPort | undefined,
  log: (s: string) => void,
): ((staffId: string) => Promise<Installed>) | undefined {
  if (settings.OVERT_BOT_INSTALL !== 'on') return undefined;
  // Said plainly at startup, and the service starts without installing (issue 13): every other way of reaching
  // people still works, and those it cannot reach are named to the requester and the service managers.
  if (!settings.TEAMS_APP_ID) {
    log(`warning: ${INSTALL_WITHOUT_APP_ID}`);
    return undefined;
  }
  let client: Client;
  try {
    if (!graph) throw new Error('the service gave the bot no Graph client');
    client = graph();
  } catch (err) {
    throw new Error(`OVERT_BOT_INSTALL=on needs the Graph settings: ${(err as Error).message}`);
  }
  const install = graphInstaller({
    client,
    teamsAppId: settings.TEAMS_APP_ID,
    serviceUrl: settings.OVERT_BOT_SERVICE_URL,
    tenantId: tenantsOf(settings)[0] ?? settings.MicrosoftAppTenantId,
    botId: settings.MicrosoftAppId ? `28:${settings.MicrosoftAppId}` : 'overt-bot',
    log,
  });
  const entraOf = new Map(
    Object.entries(settings.OVERT_AUTH_STAFF_MAP).map(([entra, staff]) => [staff, entra]),
  );
  return (staffId) => install(entraOf.get(staffId) ?? staffId);
}
