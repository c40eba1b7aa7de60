import { CommanderError, type Command } from 'commander';
import { Batcher } from '../store/graph/batch';
import { graphConfig } from '../store/graph/config';
import { clientFor, retryOf } from '../store/graph/connect';
import { describeSteps, provision } from '../store/graph/provision';

/**
 * `overt provision --site <url> [--dry-run]`: creates or corrects the SharePoint lists, columns and
 * indexes Overt needs; running it again changes nothing. In a tenant it signs in app-only from
 * OVERT_TENANT_ID, OVERT_CLIENT_ID and OVERT_CLIENT_SECRET (or OVERT_CLIENT_CERTIFICATE_PATH); the app
 * needs the Sites.Selected application permission and a write grant on the site (GRAPH-LISTS.md §7).
 * Against the local server: --graph-url https://localhost:53100 --ca-file <its CA PEM>.
 */

type Options = { site: string; dryRun?: boolean; graphUrl?: string; caFile?: string };

function fail(message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(2, 'overt.provision', message);
}

async function run(options: Options): Promise<void> {
  const config = graphConfig(process.env, {
    siteUrl: options.site,
    ...(options.graphUrl ? { graphUrl: options.graphUrl } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
  });
  if (!config.ok) fail(config.error.message);
  const { client } = clientFor(config.value);
  const done = await provision(
    new Batcher(client, retryOf(config.value)),
    config.value,
    options.dryRun === true,
  );
  if (!done.ok) fail(done.error.message);
  const lines = describeSteps(done.value.steps);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (lines.length === 0) {
    out(`${options.site}: nothing to change; every list, column and index Overt needs is in place.`);
    return;
  }
  out(`${options.site}: ${options.dryRun ? 'would make' : 'made'} ${lines.length} change(s):`);
  for (const line of lines) out(`  ${line}`);
}

export function register(cli: Command): void {
  cli
    .command('provision')
    .description('create or update the SharePoint lists, columns and indexes Overt needs (idempotent)')
    .requiredOption('--site <url>', 'the SharePoint site, e.g. https://contoso.sharepoint.com/sites/overt')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--graph-url <url>', 'a Graph endpoint other than https://graph.microsoft.com (the local server)')
    .option('--ca-file <path>', 'a CA certificate (PEM) to trust, for the local server')
    .action(run);
}
