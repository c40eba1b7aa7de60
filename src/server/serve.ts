import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, relative, resolve } from 'node:path';
import { audienceProblem } from '../api/auth-config';
import { anchorPaths } from '../store/anchor';
import { directoryConfig } from '../store/graph/config';
import type { Running } from './main';

/**
 * `npm run serve` (and the Docker image's command): the production start. It runs the built service
 * (`dist/`, no build step), never creates the demo service and never honours demo personas, and it refuses
 * to start without the settings real use needs, naming each by its environment variable. `npm start` stays
 * the local demo.
 */

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/** A URL that must be https; a loopback address may be http only with OVERT_ALLOW_LOCAL_HTTP=on (a local
 * key set tried on one machine), and any other http is refused whatever it says. */
function urlProblem(name: string, value: string, loopbackHttp = false): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `${name}: "${value}" is not a URL; write it in full, starting https://`;
  }
  if (u.protocol === 'https:') return undefined;
  const loopback = u.protocol === 'http:' && isLoopback(u.hostname.replace(/^\[|\]$/g, ''));
  if (loopback && loopbackHttp) return undefined;
  if (loopback)
    return `${name}: "${value}" must start with https:// (http to this machine only with OVERT_ALLOW_LOCAL_HTTP=on, for a local trial)`;
  return `${name}: "${value}" must start with https://`;
}

/** Every setting real use needs that is missing or wrong, each named by its environment variable. */
export function productionProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const need = (name: string, why: string) => problems.push(`${name}: ${why}`);
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const list = (name: string) =>
    (env[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  // Where it listens: never by default in production.
  if (!set('OVERT_LISTEN_HOST'))
    need(
      'OVERT_LISTEN_HOST',
      'not set: the address to listen on (0.0.0.0 in a container or on App Service; 127.0.0.1 behind a proxy on the same machine)',
    );

  // An unsigned bot answers anyone who can reach it: only on this machine (a local trial without Teams).
  const listen = (env.OVERT_LISTEN_HOST ?? '').trim().replace(/^\[|\]$/g, '');
  if (env.OVERT_BOT_UNSIGNED === 'on' && listen && !isLoopback(listen))
    need(
      'OVERT_BOT_UNSIGNED',
      `is on, but OVERT_LISTEN_HOST is ${listen}: an unsigned bot listens only on this machine (OVERT_LISTEN_HOST=127.0.0.1 or ::1); for Teams, set MicrosoftAppId and its secret and remove OVERT_BOT_UNSIGNED`,
    );

  // No demo in production.
  if (env.OVERT_DEMO_AUTH && env.OVERT_DEMO_AUTH !== 'off')
    need('OVERT_DEMO_AUTH', 'demo personas are for the local demo (npm start) only: remove it');
  if (env.OVERT_DEMO && env.OVERT_DEMO !== 'off')
    need('OVERT_DEMO', 'the fictional demo service is for the local demo (npm start) only: remove it');

  // The bot: a Bot Framework app id with a secret, a certificate or a managed identity.
  const unsigned = env.OVERT_BOT_UNSIGNED === 'on';
  const appType = env.MicrosoftAppType ?? 'MultiTenant';
  if (!set('MicrosoftAppId')) {
    if (!unsigned)
      need(
        'MicrosoftAppId',
        "not set: the bot's app id (BOT_ID); only a local bot tried without Teams may run unsigned, with OVERT_BOT_UNSIGNED=on",
      );
    else if (appType !== 'MultiTenant')
      need('MicrosoftAppType', `${appType} needs MicrosoftAppId; for an unsigned local bot, remove it`);
  } else {
    if (unsigned) need('OVERT_BOT_UNSIGNED', 'is on, but MicrosoftAppId is set: remove one');
    if (!GUID.test(env.MicrosoftAppId!.trim()))
      need('MicrosoftAppId', `"${env.MicrosoftAppId}" is not an app id (a GUID)`);
    if (!['MultiTenant', 'SingleTenant', 'UserAssignedMSI'].includes(appType))
      need('MicrosoftAppType', `"${appType}": one of MultiTenant, SingleTenant, UserAssignedMSI`);
    const cert = env.MicrosoftAppCertificatePath;
    if (appType !== 'UserAssignedMSI' && !set('MicrosoftAppPassword') && !cert)
      need(
        'MicrosoftAppPassword',
        "not set: the bot's client secret (or MicrosoftAppCertificatePath and MicrosoftAppCertificateThumbprint for a certificate, or MicrosoftAppType=UserAssignedMSI)",
      );
    if (cert && !existsSync(cert))
      need('MicrosoftAppCertificatePath', `no certificate file at ${cert} (a PEM with the private key)`);
    if (cert && !set('MicrosoftAppCertificateThumbprint'))
      need(
        'MicrosoftAppCertificateThumbprint',
        "not set: the certificate's thumbprint, as Entra ID shows it",
      );
    if (appType !== 'MultiTenant' && !set('MicrosoftAppTenantId'))
      need('MicrosoftAppTenantId', `not set: a ${appType} bot needs its tenant id`);
  }

  // Teams SSO for the tab and its API.
  if (!list('OVERT_AUTH_AUDIENCE').length)
    need(
      'OVERT_AUTH_AUDIENCE',
      'not set: the SSO app registration, api://<host>/<client id> and/or its client id',
    );
  if (!list('OVERT_AUTH_TENANTS').length)
    need('OVERT_AUTH_TENANTS', "not set: the tenant id(s) whose users may sign in (your council's tenant)");
  for (const t of list('OVERT_AUTH_TENANTS'))
    if (!GUID.test(t)) need('OVERT_AUTH_TENANTS', `"${t}" is not a tenant id (a GUID)`);
  if (!set('OVERT_AUTH_STAFF_MAP'))
    need(
      'OVERT_AUTH_STAFF_MAP',
      'not set: "entra" when staff were added with overt staff (their Entra object ids), or a JSON object of Entra user or group id → staff id',
    );
  // Sign-in is only as safe as where its keys and names come from: https, or this machine when asked for.
  const localHttp = env.OVERT_ALLOW_LOCAL_HTTP === 'on';
  const audience = audienceProblem(list('OVERT_AUTH_AUDIENCE'));
  if (audience) problems.push(audience);
  if (set('OVERT_AUTH_JWKS_URL')) {
    const p = urlProblem('OVERT_AUTH_JWKS_URL', env.OVERT_AUTH_JWKS_URL!, localHttp);
    if (p) problems.push(p);
  }
  for (const issuer of list('OVERT_AUTH_ISSUERS')) {
    const p = urlProblem('OVERT_AUTH_ISSUERS', issuer.replace('{tenantid}', 'tenant'), localHttp);
    if (p) problems.push(p.replace(issuer.replace('{tenantid}', 'tenant'), issuer));
  }
  if (env.OVERT_ALLOW_LOCAL_HTTP && !['on', 'off'].includes(env.OVERT_ALLOW_LOCAL_HTTP))
    need('OVERT_ALLOW_LOCAL_HTTP', `"${env.OVERT_ALLOW_LOCAL_HTTP}": on or off`);

  // The store.
  const store = env.OVERT_STORE;
  if (!store)
    need(
      'OVERT_STORE',
      'not set: graph (SharePoint lists in your tenant) or sqlite (a file on this machine)',
    );
  else if (store === 'sqlite' && !set('OVERT_DATA'))
    need('OVERT_DATA', 'not set: the folder for the SQLite file (kept on persistent, backed-up storage)');
  else if (store === 'graph') {
    if (!set('OVERT_GRAPH_SITE'))
      need(
        'OVERT_GRAPH_SITE',
        'not set: the SharePoint site, e.g. https://contoso.sharepoint.com/sites/overt',
      );
    else {
      const p = urlProblem('OVERT_GRAPH_SITE', env.OVERT_GRAPH_SITE!);
      if (p) problems.push(p);
    }
  }
  // The first administrator is looked up in Entra ID through Graph (their name, and their object id when given
  // a sign-in name). A SharePoint store's own check names its Graph settings; a SQLite store has none, so
  // without this the start failed after opening the store, in words about SharePoint.
  const firstAdmin = (env.OVERT_FIRST_ADMIN ?? '').trim();
  if (firstAdmin && store !== 'graph') {
    const dir = directoryConfig(env);
    if (!dir.ok) {
      const [head, ...gaps] = dir.error.message.split('\n').map((l) => l.trim());
      const why = `the Entra ID (Graph) settings are needed to look the first administrator (OVERT_FIRST_ADMIN, ${firstAdmin}) up in Entra ID, with the User.Read.All application permission; remove OVERT_FIRST_ADMIN once they are set up`;
      if (!gaps.length) problems.push(`${head}: ${why}`);
      for (const gap of gaps) problems.push(`${gap}: ${why}`);
    }
  }

  // The audit trail's signing key: chosen by the operator, never beside the data it anchors by default, and
  // never inside the data folder (whoever can change the data must not be able to re-sign it). `npm start`
  // (the demo) keeps its own beside the demo's data.
  const data = set('OVERT_DATA') ? resolve(env.OVERT_DATA!) : undefined;
  const inside = (file: string) => {
    if (!data) return false;
    const rel = relative(data, resolve(file));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (!set('OVERT_AUDIT_KEY'))
    need(
      'OVERT_AUDIT_KEY',
      "not set: the file of the audit trail's signing key (made once with overt audit keygen), outside the data folder and where the store's administrators cannot write",
    );
  else if (inside(env.OVERT_AUDIT_KEY!))
    need(
      'OVERT_AUDIT_KEY',
      `${env.OVERT_AUDIT_KEY} is inside the data folder (OVERT_DATA): keep the signing key where whoever can change the data cannot`,
    );
  else if (!existsSync(env.OVERT_AUDIT_KEY!)) {
    const checkpoints = anchorPaths(env.OVERT_DATA ?? '.', env).checkpointsFile;
    // A start never makes the key: two instances starting together would make two.
    need(
      'OVERT_AUDIT_KEY',
      existsSync(checkpoints) && statSync(checkpoints).size > 0
        ? `no key at ${env.OVERT_AUDIT_KEY}, but checkpoints signed with one are at ${checkpoints}: restore the key (a new one could not vouch for the trail)`
        : `no key at ${env.OVERT_AUDIT_KEY}: make it once, before the first start, with overt audit keygen (with OVERT_AUDIT_KEY and OVERT_AUDIT_CHECKPOINTS set as here), and give every instance that same file; a start never makes one`,
    );
  }
  if (!set('OVERT_AUDIT_CHECKPOINTS'))
    need(
      'OVERT_AUDIT_CHECKPOINTS',
      "not set: the file of the audit trail's signed checkpoints, the same one every overt command is given (never a default in the folder it is run from), outside the data folder",
    );
  else if (inside(env.OVERT_AUDIT_CHECKPOINTS!))
    need(
      'OVERT_AUDIT_CHECKPOINTS',
      `${env.OVERT_AUDIT_CHECKPOINTS} is inside the data folder (OVERT_DATA): keep the checkpoints outside it`,
    );
  return problems;
}

/** The production start: checks every setting, then starts the service with the demo off. `sink`: where
 * the JSON log lines go (default stdout). */
export async function serve(
  env: NodeJS.ProcessEnv = process.env,
  sink?: (line: string) => void,
): Promise<Running> {
  const problems = productionProblems(env);
  if (problems.length)
    throw new Error(
      `Overt cannot start for real use; set these (see "Running it for your council" in the README):\n  ${problems.join('\n  ')}`,
    );
  // The service is loaded only once the settings are right, so a refusal is quick (a container's restart
  // loop, a test of every setting).
  const [{ start }, { firstAdministrator }] = await Promise.all([
    import('./main'),
    import('../cli/first-admin'),
  ]);
  return start({ ...env, OVERT_DEMO: 'off', OVERT_DEMO_AUTH: 'off' }, sink, {
    auditKey: 'existing',
    prepare: async (deps, logger) => logger.info(await firstAdministrator(deps, env)),
  });
}

if (require.main === module) {
  serve().then(
    async (running) => (await import('./main')).exitOnSignals(running),
    (err: Error) => {
      process.stderr.write(`overt: ${err.message}\n`);
      process.exit(1);
    },
  );
}
