/**
 * Where the bot may post: every answer, card update and proactive message goes to an activity's `serviceUrl`
 * (or OVERT_BOT_SERVICE_URL for a chat Overt opens itself), with the bot's credentials. Only Microsoft Teams'
 * connector hosts are accepted, over https on the default port — the hosts Microsoft's Teams SDK allows by
 * default (https://microsoft.github.io/teams-sdk/csharp/essentials/app-configuration/service-url-validation):
 * the public cloud (including its GCC endpoint), GCC High, DoD and 21Vianet. Another sovereign cloud's host is
 * added with OVERT_BOT_SERVICE_HOSTS. This machine (localhost, 127.x, ::1, http or https) is accepted only for
 * a bot with no app id — the local demo, the Agents Playground, a local trial — never for a bot Teams signs
 * for. An activity naming another address is refused at the door (http.ts, audited, nothing stored), and the
 * connector factory (auth.ts) refuses to make a client for one, whatever asked.
 */
import { isIP } from 'node:net';

/** Microsoft Teams' connector hosts (Bot Framework service URLs for the Teams channel). */
export const TEAMS_CONNECTOR_HOSTS: readonly string[] = [
  // Public cloud: the regional paths (/amer/, /emea/, /apac/, /teams/ …) all sit on these.
  'smba.trafficmanager.net',
  'smba.onyx.prod.teams.trafficmanager.net',
  // US Government Community Cloud.
  'smba.infra.gcc.teams.microsoft.com',
  // US Government Community Cloud High.
  'smba.infra.gov.teams.microsoft.us',
  // US Department of Defense.
  'smba.infra.dod.teams.microsoft.us',
  // China, operated by 21Vianet.
  'frontend.botapi.msg.infra.teams.microsoftonline.cn',
];

export interface ServiceUrlRule {
  /** Host names accepted besides Teams' own (OVERT_BOT_SERVICE_HOSTS), lower case. */
  extraHosts: readonly string[];
  /** This machine is accepted (a bot with no app id only). */
  loopback: boolean;
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** A host name as OVERT_BOT_SERVICE_HOSTS takes it: letters, digits, dots and hyphens, no scheme or path. */
export const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

/** Why the bot may not post to `value`, in plain words naming the address; undefined when it may. */
export function serviceUrlProblem(value: string, rule: ServiceUrlRule): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `"${value.slice(0, 200)}" is not an address`;
  }
  const host = u.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (isLoopback(host) && (u.protocol === 'http:' || u.protocol === 'https:'))
    return rule.loopback
      ? undefined
      : `${u.origin} is this machine, which only a local bot with no app id (MicrosoftAppId) may post to`;
  if (u.protocol !== 'https:') return `${u.origin} is not https`;
  if (u.username || u.password || u.port) return `${u.origin} is not a Microsoft Teams connector address`;
  if (TEAMS_CONNECTOR_HOSTS.includes(host) || rule.extraHosts.includes(host)) return undefined;
  return `${host} is not a Microsoft Teams connector host (${TEAMS_CONNECTOR_HOSTS.join(', ')}; another with OVERT_BOT_SERVICE_HOSTS)`;
}
