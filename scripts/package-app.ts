/**
 * Builds the Teams app package for one environment: `npm run package -- --env local` →
 * build/appPackage.local.zip (manifest.json with its ${{NAME}} placeholders filled from env/.env.<env>
 * and env/.env.<env>.user, color.png, outline.png). Refuses to build when a placeholder has no value,
 * the manifest fails the Teams v1.22 JSON schema (as Microsoft ships it in @microsoft/app-manifest), or an
 * icon has the wrong size or, for the outline icon, is not white on transparent. Zipped with jszip.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import JSZip from 'jszip';
import teamsSchema from '@microsoft/app-manifest/build/json-schemas/teams/v1.22/MicrosoftTeams.schema.json';
import { decodePng } from './png';

export const ROOT = resolve(__dirname, '..');
export const APP_PACKAGE_DIR = join(ROOT, 'appPackage');
export const ENV_DIR = join(ROOT, 'env');

const ENV_NAME = /^[a-z][a-z0-9-]*$/;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Parses a dotenv-style file as the Agents Toolkit writes them: KEY=VALUE, # comments, optional quotes. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not KEY=VALUE: ${raw}`);
    let value = match[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2]!;
    values[match[1]!] = value;
  }
  return values;
}

/** The values for one environment: env/.env.<env>, then env/.env.<env>.user (secrets) over it. */
export function readEnv(env: string, dir = ENV_DIR): Record<string, string> {
  if (!ENV_NAME.test(env))
    throw new Error(`"${env}" is not an environment name (lower-case letters, digits, -)`);
  const file = join(dir, `.env.${env}`);
  if (!existsSync(file)) throw new Error(`no environment "${env}": ${file} does not exist`);
  const values = parseEnvFile(readFileSync(file, 'utf8'));
  const user = `${file}.user`;
  return existsSync(user) ? { ...values, ...parseEnvFile(readFileSync(user, 'utf8')) } : values;
}

/** Fills ${{NAME}} placeholders; a name with no value is reported, never left in or blanked silently. */
export function fillPlaceholders(
  text: string,
  values: Record<string, string>,
): { text: string; missing: string[] } {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    // The manifest is JSON: a value goes inside a JSON string, so it is escaped as one.
    return JSON.stringify(value).slice(1, -1);
  });
  return { text: filled, missing: [...missing].sort() };
}

const Guid = z.string().regex(/^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/, 'must be a GUID');
/** What the manifest needs from an environment; the zod schema names the bad value and why. */
export const ManifestEnv = z.looseObject({
  TEAMS_APP_ID: Guid,
  BOT_ID: Guid,
  BOT_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be a host name, without scheme, port or path'),
  APP_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a version like 1.2.3'),
  APP_NAME_SUFFIX: z.string().max(24),
});

/** An id that only holds a place: the nil GUID, or one whose last group is eight or more zeros and a
 * number (the fixed ids the env files carry until the Agents Toolkit provisions real ones). */
const PLACEHOLDER_ID =
  /^(?:0{8}-0{4}-0{4}-0{4}-0{12}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-0{8}[0-9a-f]{4})$/i;
/** A documentation domain (RFC 2606/6761): example.com/.org/.net and below, or .example, .invalid, .test. */
const EXAMPLE_DOMAIN =
  /(?:^|\.)(?:example\.(?:com|org|net)|[^.]+\.(?:example|invalid|test)|example|invalid|test)$/i;

function hostOf(value: string): string | undefined {
  if (/^[A-Za-z0-9.-]+$/.test(value) && value.includes('.')) return value;
  try {
    return new URL(value).hostname;
  } catch {
    return undefined;
  }
}

/** Each value the manifest uses that is a placeholder id or an example domain, named with its value. */
export function placeholderProblems(values: Record<string, string>, used: string[]): string[] {
  const problems: string[] = [];
  for (const name of used) {
    const value = values[name];
    if (value === undefined) continue;
    if (PLACEHOLDER_ID.test(value)) problems.push(`${name}=${value} is a placeholder id`);
    const host = hostOf(value);
    if (host && EXAMPLE_DOMAIN.test(host)) problems.push(`${name}=${value} is on the example domain ${host}`);
  }
  return problems;
}

const isLocal = (host: string) => host === 'localhost' || host === '127.0.0.1' || host === '[::1]';

/** Names the package's values are checked against each other by, besides those the manifest uses. */
const CHECKED_TOO = ['BOT_ENDPOINT', 'OVERT_AUTH_AUDIENCE'];

/**
 * What Teams would reject, or what would leave nobody able to sign in, from values that each look right: the
 * tab's pages must be https on the app's valid domain (BOT_DOMAIN, the manifest's only validDomains entry),
 * the SSO resource (webApplicationInfo.resource, api://<BOT_DOMAIN>/<AAD_APP_CLIENT_ID>) is on the tab's own
 * host, and the service's OVERT_AUTH_AUDIENCE names that resource or its client id. Each problem names the
 * setting to change. Refused with or without --allow-placeholders: these are never an offline try's choice.
 */
export function agreementProblems(values: Record<string, string>): string[] {
  const problems: string[] = [];
  const domain = (values['BOT_DOMAIN'] ?? '').toLowerCase();
  const https = (name: string, why: string, localHttp = false) => {
    const value = values[name];
    if (value === undefined || value === '') return undefined;
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      problems.push(`${name}=${value} is not an address: write it in full, starting https://`);
      return undefined;
    }
    if (u.protocol !== 'https:' && !(localHttp && u.protocol === 'http:' && isLocal(u.hostname))) {
      problems.push(`${name}=${value} must start with https:// (${why})`);
      return undefined;
    }
    return u;
  };
  const tab = https('TAB_ENDPOINT', 'Teams opens a tab only over https');
  for (const name of ['APP_WEBSITE_URL', 'APP_PRIVACY_URL', 'APP_TERMS_URL'])
    https(name, "Teams shows the app's pages only over https");
  const bot = https(
    'BOT_ENDPOINT',
    'the Azure Bot sends activities only over https; http only to this machine, for a local debug',
    true,
  );
  if (tab && domain && tab.hostname.toLowerCase() !== domain)
    problems.push(
      `TAB_ENDPOINT=${values['TAB_ENDPOINT']} is on ${tab.hostname}, but BOT_DOMAIN is ${domain}: Teams loads the tab only from the app's valid domain (BOT_DOMAIN) and signs people in to api://${domain}/… (the SSO resource), which must be the tab's own host; serve the tab on BOT_DOMAIN, or set BOT_DOMAIN to ${tab.hostname}`,
    );
  if (bot && domain && !isLocal(bot.hostname) && bot.hostname.toLowerCase() !== domain)
    problems.push(
      `BOT_ENDPOINT=${values['BOT_ENDPOINT']} is on ${bot.hostname}, but BOT_DOMAIN is ${domain}: the bot and the tab are one service on one host; set them to the same host`,
    );
  const client = (values['AAD_APP_CLIENT_ID'] ?? '').toLowerCase();
  const audience = (values['OVERT_AUTH_AUDIENCE'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const resource = `api://${domain}/${client}`;
  for (const a of audience)
    if (a.toLowerCase() !== resource && a.toLowerCase() !== client)
      problems.push(
        `OVERT_AUTH_AUDIENCE=${a} is not this package's SSO app: the service would refuse every sign-in from it. Give ${resource} (api://<BOT_DOMAIN>/<AAD_APP_CLIENT_ID>) and/or ${client} (AAD_APP_CLIENT_ID), or correct BOT_DOMAIN and AAD_APP_CLIENT_ID`,
      );
  return problems;
}

type Tab = { contentUrl?: string; websiteUrl?: string };

/** The filled manifest against itself, whatever the template says: every tab's page on a valid domain, and
 * the SSO resource api://<the tabs' host>/<the SSO app's id>. A backstop to agreementProblems, in Teams' terms. */
export function manifestAgreement(manifest: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const valid = ((manifest['validDomains'] as string[] | undefined) ?? []).map((d) => d.toLowerCase());
  const onValid = (host: string) =>
    valid.some((d) => d === host || (d.startsWith('*.') && host.endsWith(d.slice(1))));
  const hosts = new Set<string>();
  for (const tab of (manifest['staticTabs'] as Tab[] | undefined) ?? [])
    for (const url of [tab.contentUrl, tab.websiteUrl])
      if (url) {
        const host = new URL(url).hostname.toLowerCase();
        hosts.add(host);
        if (!onValid(host))
          problems.push(`a tab's page ${url} is not on a valid domain (${valid.join(', ')})`);
      }
  const sso = manifest['webApplicationInfo'] as { id?: string; resource?: string } | undefined;
  if (sso?.resource) {
    const m = /^api:\/\/([^/]+)\/(.+)$/.exec(sso.resource);
    if (!m || m[2]!.toLowerCase() !== String(sso.id).toLowerCase())
      problems.push(`the SSO resource ${sso.resource} is not api://<host>/${String(sso.id)}`);
    else if (![...hosts].every((h) => h === m[1]!.toLowerCase()))
      problems.push(`the SSO resource ${sso.resource} is not on the tabs' host (${[...hosts].join(', ')})`);
  }
  return problems;
}

let compiledManifest: ReturnType<Ajv['compile']> | undefined;

/** Checks a filled manifest against the Teams v1.22 schema; returns readable problems (none when valid). */
export function validateManifest(manifest: unknown): string[] {
  if (!compiledManifest) {
    // The Teams schema declares draft-04, whose meta-schema Ajv 8 does not ship; the keywords it uses mean
    // the same in Ajv's default draft (it has no boolean exclusiveMinimum/Maximum and no `id`), so it is
    // compiled without checking it against its meta-schema.
    const ajv = new Ajv({ allErrors: true, strictTypes: false, validateSchema: false });
    addFormats(ajv);
    compiledManifest = ajv.compile(teamsSchema);
  }
  if (compiledManifest(manifest)) return [];
  return (compiledManifest.errors ?? []).map((e) => {
    const extra =
      e.keyword === 'additionalProperties' ? ` ("${String(e.params['additionalProperty'])}")` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}

/** Icon rules from the Teams schema's descriptions: colour 192×192; outline 32×32, white on transparent. */
export function checkIcons(
  dir = APP_PACKAGE_DIR,
  names = { color: 'color.png', outline: 'outline.png' },
): string[] {
  const problems: string[] = [];
  const read = (name: string) => {
    try {
      return decodePng(readFileSync(join(dir, name)));
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const color = read(names.color);
  if (color && (color.width !== 192 || color.height !== 192)) {
    problems.push(`${names.color}: must be 192×192, is ${color.width}×${color.height}`);
  }
  const outline = read(names.outline);
  if (outline) {
    if (outline.width !== 32 || outline.height !== 32) {
      problems.push(`${names.outline}: must be 32×32, is ${outline.width}×${outline.height}`);
    }
    let transparent = 0;
    for (let i = 0; i < outline.rgba.length; i += 4) {
      const [r, g, b, a] = [outline.rgba[i], outline.rgba[i + 1], outline.rgba[i + 2], outline.rgba[i + 3]];
      if (a === 0) transparent++;
      else if (r !== 255 || g !== 255 || b !== 255) {
        problems.push(
          `${names.outline}: must be white on transparent; pixel ${i / 4} is rgb(${r}, ${g}, ${b})`,
        );
        break;
      }
    }
    if (transparent === 0) problems.push(`${names.outline}: must have a transparent background`);
  }
  return problems;
}

export interface BuildOptions {
  /** Build even when an id is a placeholder or a domain is an example one (offline tries only). */
  allowPlaceholders?: boolean;
  /** Where the env files are (default env/). */
  envDir?: string;
  /** Values set here for a name the manifest uses override the files, as the Agents Toolkit resolves
   * ${{NAME}} (a pipeline gives them so). Default: the process environment. */
  given?: NodeJS.ProcessEnv;
}

/** The manifest for one environment, filled and checked; throws with every problem found. */
export function buildManifest(env: string, options: BuildOptions = {}): Record<string, unknown> {
  const template = readFileSync(join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8');
  const used = [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
  const given = options.given ?? process.env;
  const values = {
    ...readEnv(env, options.envDir),
    ...Object.fromEntries(
      [...used, ...CHECKED_TOO].flatMap((name) => (given[name] ? [[name, given[name]]] : [])),
    ),
  };
  const parsed = ManifestEnv.safeParse(values);
  if (!parsed.success) throw new Error(`env/.env.${env}: ${z.prettifyError(parsed.error)}`);
  const disagree = agreementProblems(values);
  if (disagree.length)
    throw new Error(
      `env/.env.${env}: Teams would refuse this package, or nobody could sign in with it:\n  ${disagree.join('\n  ')}`,
    );
  if (!options.allowPlaceholders) {
    const problems = placeholderProblems(values, [...new Set([...used, ...CHECKED_TOO])]);
    if (problems.length)
      throw new Error(
        `env/.env.${env} still holds placeholders; provision (m365agents.yml), or write the real values there or in the environment, or pass --allow-placeholders for an offline try:\n  ${problems.join('\n  ')}`,
      );
  }
  const { text, missing } = fillPlaceholders(template, values);
  if (missing.length > 0) throw new Error(`env/.env.${env} has no value for: ${missing.join(', ')}`);
  const manifest = JSON.parse(text) as Record<string, unknown>;
  const problems = [...validateManifest(manifest), ...manifestAgreement(manifest), ...checkIcons()];
  if (problems.length > 0)
    throw new Error(`the ${env} app package is not valid:\n  ${problems.join('\n  ')}`);
  return manifest;
}

/** Writes build/appPackage.<env>/ and zips it to build/appPackage.<env>.zip; returns the zip's path. */
export async function packageApp(
  env: string,
  outDir = join(ROOT, 'build'),
  options: BuildOptions = {},
): Promise<string> {
  const manifest = buildManifest(env, options);
  const staging = join(outDir, `appPackage.${env}`);
  const zip = join(outDir, `appPackage.${env}.zip`);
  rmSync(staging, { recursive: true, force: true });
  rmSync(zip, { force: true });
  mkdirSync(staging, { recursive: true });
  const archive = new JSZip();
  const files: [string, Buffer][] = [
    ['manifest.json', Buffer.from(JSON.stringify(manifest, null, 2) + '\n')],
    ...['color.png', 'outline.png'].map((icon): [string, Buffer] => [
      icon,
      readFileSync(join(APP_PACKAGE_DIR, icon)),
    ]),
  ];
  // The three files at the root of the zip, as Teams requires.
  for (const [name, data] of files) {
    writeFileSync(join(staging, name), data);
    archive.file(name, data, { date: new Date('2026-01-01T00:00:00Z') });
  }
  writeFileSync(zip, await archive.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return zip;
}

function main(argv: string[]): void {
  const at = argv.indexOf('--env');
  const env = at >= 0 ? argv[at + 1] : undefined;
  if (!env) {
    console.error(
      'usage: npm run package -- --env <name> [--allow-placeholders]   (an env/.env.<name> file, e.g. local or dev)',
    );
    process.exit(2);
  }
  packageApp(env, undefined, { allowPlaceholders: argv.includes('--allow-placeholders') }).then(
    (zip) => console.log(`wrote ${zip}`),
    (error: Error) => {
      console.error(`package: ${error.message}`);
      process.exit(1);
    },
  );
}

if (require.main === module) main(process.argv.slice(2));
