// `npm run graph:local`: run the local Graph lists server on its own.
//   --port N (GRAPH_LOCAL_PORT, default 53100)   --delay MS (GRAPH_LOCAL_DELAY_MS)
//   --fault-rate R (GRAPH_LOCAL_FAULT_RATE)      --retry-after S (GRAPH_LOCAL_RETRY_AFTER)
//   --site host:/path, repeatable (GRAPH_LOCAL_SITES, comma-separated; default contoso.sharepoint.com:/sites/overt)
//   --ca-file PATH (GRAPH_LOCAL_CA_FILE, default <tmpdir>/graph-local-ca.pem)
//   --snapshot PATH (GRAPH_LOCAL_SNAPSHOT): JSON state loaded at start, written on exit
//   --directory PATH (GRAPH_LOCAL_DIRECTORY): JSON { users: [{id, displayName, mail, userPrincipalName}],
//     groups: [{id, displayName, members: [object ids]}] } served at /users and /groups
//   --permissions A,B (GRAPH_LOCAL_PERMISSIONS): the app's application permissions (default Sites.Selected,
//     User.Read.All, GroupMember.Read.All), checked by /users and /groups as Graph checks a token's roles
// Another process trusts the server with NODE_EXTRA_CA_CERTS=<ca file> or an undici Agent({ connect: { ca } }).
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SITE, startGraphServer } from './server';

function flag(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === `--${name}` && args[i + 1] !== undefined) out.push(args[i + 1]!);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  });
  return out;
}

function num(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${what} must be a non-negative number, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const env = process.env;
  const one = (name: string, envName: string): string | undefined => flag(args, name).pop() ?? env[envName];
  const sites = flag(args, 'site');
  const granted =
    sites.length > 0 ? sites : (env.GRAPH_LOCAL_SITES?.split(',').filter(Boolean) ?? [DEFAULT_SITE]);
  const faultRate = num(one('fault-rate', 'GRAPH_LOCAL_FAULT_RATE'), 0, 'fault rate');
  if (faultRate > 1) throw new Error('fault rate must be between 0 and 1');
  const directory = one('directory', 'GRAPH_LOCAL_DIRECTORY');
  const permissions = one('permissions', 'GRAPH_LOCAL_PERMISSIONS');
  const server = await startGraphServer({
    port: num(one('port', 'GRAPH_LOCAL_PORT'), 53100, 'port'),
    delayMs: num(one('delay', 'GRAPH_LOCAL_DELAY_MS'), 0, 'delay'),
    faultRate,
    retryAfterSeconds: num(one('retry-after', 'GRAPH_LOCAL_RETRY_AFTER'), 1, 'retry-after'),
    grantedSites: granted,
    snapshotPath: one('snapshot', 'GRAPH_LOCAL_SNAPSHOT'),
    ...(permissions ? { appPermissions: permissions.split(',').map((p) => p.trim()) } : {}),
    ...(directory ? { directory: JSON.parse(readFileSync(directory, 'utf8')) as object } : {}),
  });
  const caFile = one('ca-file', 'GRAPH_LOCAL_CA_FILE') ?? join(tmpdir(), 'graph-local-ca.pem');
  writeFileSync(caFile, server.ca);
  console.log(`graph-local listening on ${server.url} (pass it as --graph-url or OVERT_GRAPH_URL)`);
  console.log(`CA certificate written to ${caFile}`);
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

main().catch((e: unknown) => {
  console.error(`graph-local: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
