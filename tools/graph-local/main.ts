// `npm run graph:local`: run the local Graph lists server on its own. `npm run graph:local -- --help` lists
// its options (each also an environment variable).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { blockedPortProblem } from '../../src/blocked-ports';
import { DEFAULT_SITE, startGraphServer } from './server';

function num(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${what} must be a non-negative number`);
    return n;
  };
}

/** The options, each also read from its environment variable; `--help` lists them (commander). */
export function graphLocalCli(env: NodeJS.ProcessEnv = process.env): Command {
  const repeat = (value: string, previous: string[] = []) => [...previous, value];
  return new Command('npm run graph:local --')
    .description(
      'A local HTTPS server that behaves like the Graph lists API (and Entra ID users and groups), for Overt without a tenant.\nIt prints its URL and CA file: give them to Overt as OVERT_GRAPH_URL and OVERT_GRAPH_CA_FILE (or --graph-url, --ca-file).',
    )
    .option(
      '--port <n>',
      'the port to listen on (GRAPH_LOCAL_PORT)',
      num('port'),
      Number(env.GRAPH_LOCAL_PORT ?? 53100),
    )
    .option(
      '--site <host:/path>',
      'a site the app is granted, repeatable (GRAPH_LOCAL_SITES, comma-separated)',
      repeat,
    )
    .option(
      '--ca-file <path>',
      'where to write the CA certificate (GRAPH_LOCAL_CA_FILE); its key is kept beside it (.key), and a restart serves the same certificate, so running services keep trusting it',
      env.GRAPH_LOCAL_CA_FILE ?? join(tmpdir(), 'graph-local-ca.pem'),
    )
    .option(
      '--snapshot <path>',
      'JSON state loaded at start and written on exit (GRAPH_LOCAL_SNAPSHOT)',
      env.GRAPH_LOCAL_SNAPSHOT,
    )
    .option(
      '--directory <path>',
      'JSON { users: [{id, displayName, mail, userPrincipalName}], groups: [{id, displayName, members}] } served at /users and /groups (GRAPH_LOCAL_DIRECTORY)',
      env.GRAPH_LOCAL_DIRECTORY,
    )
    .option(
      '--permissions <a,b>',
      "the app's application permissions, checked as Graph checks a token's roles (GRAPH_LOCAL_PERMISSIONS; default Sites.Selected,User.Read.All,GroupMember.Read.All)",
      env.GRAPH_LOCAL_PERMISSIONS,
    )
    .option(
      '--delay <ms>',
      'a delay before each answer (GRAPH_LOCAL_DELAY_MS)',
      num('delay'),
      Number(env.GRAPH_LOCAL_DELAY_MS ?? 0),
    )
    .option(
      '--fault-rate <r>',
      'the share of requests answered 429 or 503, 0 to 1 (GRAPH_LOCAL_FAULT_RATE)',
      num('fault rate'),
      Number(env.GRAPH_LOCAL_FAULT_RATE ?? 0),
    )
    .option(
      '--retry-after <s>',
      'the Retry-After of a throttled answer (GRAPH_LOCAL_RETRY_AFTER)',
      num('retry-after'),
      Number(env.GRAPH_LOCAL_RETRY_AFTER ?? 1),
    )
    .showHelpAfterError();
}

/** Where the server's TLS key is kept: beside its CA file, readable by its owner only. */
const keyFileOf = (caFile: string) => `${caFile}.key`;

/**
 * The certificate of the last start, when its key is kept beside the CA file and it is good for another day:
 * a restarted server (a stall or an outage, tried by hand) is then still trusted by the services that loaded
 * the CA file before, as Graph's own certificate would be. Else undefined, and a new one is made.
 */
function keptCertificate(caFile: string): { key: string; cert: string } | undefined {
  try {
    const cert = readFileSync(caFile, 'utf8');
    const key = readFileSync(keyFileOf(caFile), 'utf8');
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    if (new Date(x509.validTo).getTime() < Date.now() + 24 * 3600 * 1000) return undefined;
    return { key, cert };
  } catch {
    return undefined;
  }
}

interface Options {
  port: number;
  site?: string[];
  caFile: string;
  snapshot?: string;
  directory?: string;
  permissions?: string;
  delay: number;
  faultRate: number;
  retryAfter: number;
}

async function main(): Promise<void> {
  const env = process.env;
  const opts = graphLocalCli(env).parse(process.argv).opts<Options>();
  const granted = opts.site?.length
    ? opts.site
    : (env.GRAPH_LOCAL_SITES?.split(',').filter(Boolean) ?? [DEFAULT_SITE]);
  // From --port or GRAPH_LOCAL_PORT alike: a blocked port would start, and then no client could reach it.
  const blocked = blockedPortProblem(opts.port);
  if (blocked) throw new Error(blocked);
  const faultRate = opts.faultRate;
  if (faultRate > 1) throw new Error('fault rate must be between 0 and 1');
  const { directory, permissions } = opts;
  const caFile = opts.caFile;
  const certificate = keptCertificate(caFile);
  const server = await startGraphServer({
    port: opts.port,
    ...(certificate ? { certificate } : {}),
    delayMs: opts.delay,
    faultRate,
    retryAfterSeconds: opts.retryAfter,
    grantedSites: granted,
    snapshotPath: opts.snapshot,
    ...(permissions ? { appPermissions: permissions.split(',').map((p) => p.trim()) } : {}),
    ...(directory ? { directory: JSON.parse(readFileSync(directory, 'utf8')) as object } : {}),
  });
  writeFileSync(caFile, server.ca);
  writeFileSync(keyFileOf(caFile), server.key, { mode: 0o600 });
  console.log(`graph-local listening on ${server.url} (pass it as --graph-url or OVERT_GRAPH_URL)`);
  console.log(
    `CA certificate written to ${caFile}${certificate ? ' (the same as at its last start: running services still trust it)' : ''}`,
  );
  console.log(`granted sites: ${granted.join(', ')}`);
  if (directory) console.log(`directory: users and groups from ${directory}`);
  const stop = (): void => {
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module)
  main().catch((e: unknown) => {
    console.error(`graph-local: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
