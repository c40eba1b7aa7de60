import { CommanderError, type Command } from 'commander';
import { graphConfig } from '../store/graph/config';
import { openGraphStore } from '../store/graph/connect';
import { migrateSqliteToGraph } from '../store/migrate';
import { openStore, storeOptions } from '../store/open';
import { SqliteStore } from '../store/sqlite/sqlite-store';

/** `overt migrate --from sqlite --to graph`: a local service moved into a provisioned SharePoint site; run it
 * again after an interruption and it carries on where it stopped. */

function fail(message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(2, 'overt.migrate', message);
}

type MigrateOptions = {
  from: string;
  to: string;
  data?: string;
  site?: string;
  graphUrl?: string;
  caFile?: string;
};

async function migrate(options: MigrateOptions): Promise<void> {
  if (options.from !== 'sqlite' || options.to !== 'graph')
    fail('overt migrate moves a local SQLite service into SharePoint: --from sqlite --to graph');
  const local = storeOptions(options.data, { ...process.env, OVERT_STORE: 'sqlite' });
  if (!local.ok) fail(local.error.message);
  const source = await openStore(local.value);
  if (!source.ok) fail(source.error.message);
  if (!(source.value instanceof SqliteStore)) fail('the source is not a SQLite store');
  const config = graphConfig(process.env, {
    ...(options.site ? { siteUrl: options.site } : {}),
    ...(options.graphUrl ? { graphUrl: options.graphUrl } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
  });
  if (!config.ok) fail(config.error.message);
  const target = await openGraphStore(config.value);
  if (!target.ok) fail(target.error.message);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    const r = await migrateSqliteToGraph(source.value, target.value, (s) => out(`  ${s}`));
    const records = Object.values(r.records).reduce((a, b) => a + (b ?? 0), 0);
    out(
      `migrated ${local.value.dataDir} → ${config.value.siteUrl}: ${records} records, ${r.events} audit events (chain verified), ${r.units} units; ${r.copied ? `${r.copied} items copied by this run` : 'nothing left to copy'}`,
    );
  } catch (err) {
    fail((err as Error).message);
  } finally {
    await source.value.close();
    await target.value.close();
  }
}

export function register(cli: Command): void {
  cli
    .command('migrate')
    .description(
      'move a local service into SharePoint, records and audit chain intact; if cut off, run it again to finish',
    )
    .requiredOption('--from <store>', 'sqlite')
    .requiredOption('--to <store>', 'graph')
    .option('--data <dir>', 'the local data folder (default: $OVERT_DATA, else ./.data)')
    .option('--site <url>', 'the SharePoint site (default: $OVERT_GRAPH_SITE)')
    .option('--graph-url <url>', 'a Graph endpoint other than https://graph.microsoft.com (the local server)')
    .option('--ca-file <path>', 'a CA certificate (PEM) to trust, for the local server')
    .action(migrate);
}
