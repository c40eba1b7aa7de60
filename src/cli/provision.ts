import { CommanderError, type Command } from 'commander';
import { Batcher } from '../store/graph/batch';
import { graphConfig } from '../store/graph/config';
import { clientFor, retryOf } from '../store/graph/connect';
import { listKeys, listSpecs } from '../store/graph/lists';
import { describeSteps, provision, type Step } from '../store/graph/provision';

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

const CREDENTIALS = [
  'OVERT_TENANT_ID',
  'OVERT_CLIENT_ID',
  'OVERT_CLIENT_SECRET',
  'OVERT_CLIENT_CERTIFICATE_PATH',
] as const;

/** The plan for a site that has none of Overt's lists: what `--dry-run` shows with no credentials to read one. */
const emptySitePlan = (): Step[] =>
  listKeys.map((k) => ({
    op: 'create-list',
    list: listSpecs[k].name,
    columns: listSpecs[k].columns.map((c) => c.name),
  }));

async function run(options: Options): Promise<void> {
  const over = {
    siteUrl: options.site,
    ...(options.graphUrl ? { graphUrl: options.graphUrl } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
  };
  const config = graphConfig(process.env, over);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (!config.ok && options.dryRun) {
    // With no credentials, a dry run still shows the whole plan (for a site without Overt's lists), once the
    // other settings are right: only the sign-in is missing.
    const signedIn: NodeJS.ProcessEnv = {
      ...process.env,
      OVERT_TENANT_ID: 't',
      OVERT_CLIENT_ID: 'c',
      OVERT_CLIENT_SECRET: 's',
    };
    delete signedIn.OVERT_CLIENT_CERTIFICATE_PATH;
    const rest = graphConfig(signedIn, over);
    if (!rest.ok) fail(rest.error.message);
    const lines = describeSteps(emptySitePlan());
    out(
      `${options.site}: no Graph credentials (${CREDENTIALS.slice(0, 3).join(', ')}), so the site was not read; on a site without Overt's lists provision would make ${lines.length} change(s):`,
    );
    for (const line of lines) out(`  ${line}`);
    return;
  }
  if (!config.ok) fail(config.error.message);
  const { client } = clientFor(config.value);
  const done = await provision(
    new Batcher(client, retryOf(config.value)),
    config.value,
    options.dryRun === true,
  );
  if (!done.ok) fail(done.error.message);
  const lines = describeSteps(done.value.steps);
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
    .option(
      '--dry-run',
      'print the plan and change nothing (with no Graph credentials: the plan for an empty site)',
    )
    .option('--graph-url <url>', 'a Graph endpoint other than https://graph.microsoft.com (the local server)')
    .option('--ca-file <path>', 'a CA certificate (PEM) to trust, for the local server')
    .action(run);
}
