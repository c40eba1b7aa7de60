import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { Anchor, anchorPaths, foreignKeyProblem, unanchoredProblem } from './anchor';
import { AuditGuard } from './integrity';
import { isSealedAnswer, SEAL_COMMAND, SEALED } from './rows';
import { graphConfig } from './graph/config';
import { openGraphStore } from './graph/connect';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store, StoreOutcome } from './store';

/** Where the store lives and which adapter serves it (DESIGN.md §6: `OVERT_DATA` or `--data`, default
 * `./.data`; `OVERT_STORE=sqlite|graph`, default sqlite). */
export const StoreOptions = z.object({
  dataDir: z.string().min(1),
  kind: z.enum(['sqlite', 'graph']),
  /** For `graph`: overrides of OVERT_GRAPH_SITE, OVERT_GRAPH_URL, OVERT_GRAPH_CA_FILE (src/store/graph/config.ts). */
  graph: z
    .object({
      siteUrl: z.string().optional(),
      graphUrl: z.string().optional(),
      caFile: z.string().optional(),
      staleMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type StoreOptions = z.infer<typeof StoreOptions>;

export const DEFAULT_DATA_DIR = './.data';

/** The SQLite file inside a data folder. */
export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'overt.sqlite');
}

/** Store options from a `--data` option and the environment; a bad `OVERT_STORE` is an error value. */
export function storeOptions(
  data: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): StoreOutcome<StoreOptions> {
  const parsed = StoreOptions.safeParse({
    dataDir: data ?? env.OVERT_DATA ?? DEFAULT_DATA_DIR,
    kind: env.OVERT_STORE ?? 'sqlite',
  });
  if (!parsed.success) {
    return {
      ok: false,
      error: { code: 'STORE_CONFIG_INVALID', message: `store settings: ${z.prettifyError(parsed.error)}` },
    };
  }
  return { ok: true, value: parsed.data };
}

/** Opens the store, creating the data folder if need be. With `readonly` (`overt audit verify`) nothing is
 * created or written: the SQLite file is opened read only (it must exist), and a SharePoint store's units
 * under way are left as they are (not finished or undone). */
export async function openStore(
  options: StoreOptions,
  env: NodeJS.ProcessEnv = process.env,
  how: { readonly?: boolean } = {},
): Promise<StoreOutcome<Store>> {
  const parsed = StoreOptions.safeParse(options);
  if (!parsed.success) {
    return { ok: false, error: { code: 'STORE_CONFIG_INVALID', message: z.prettifyError(parsed.error) } };
  }
  const { dataDir, kind } = parsed.data;
  if (kind === 'graph') {
    const over = parsed.data.graph ?? {};
    if (!over.siteUrl && !env.OVERT_GRAPH_SITE) {
      return {
        ok: false,
        error: {
          code: 'STORE_KIND_UNAVAILABLE',
          message:
            'the SharePoint (graph) store needs its site: set OVERT_GRAPH_SITE (and OVERT_TENANT_ID, OVERT_CLIENT_ID, OVERT_CLIENT_SECRET or OVERT_CLIENT_CERTIFICATE_PATH; or OVERT_GRAPH_URL and OVERT_GRAPH_CA_FILE for the local server), or use OVERT_STORE=sqlite',
        },
      };
    }
    const config = graphConfig(env, over);
    if (!config.ok) return config;
    return openGraphStore(config.value, how);
  }
  if (how.readonly) {
    try {
      return { ok: true, value: SqliteStore.open(sqliteFile(dataDir), { readonly: true }) };
    } catch (err) {
      return { ok: false, error: { code: 'STORE_KIND_UNAVAILABLE', message: (err as Error).message } };
    }
  }
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  // Created readable and writable by its owner only; SQLite gives its -wal and -shm files the same mode.
  const file = sqliteFile(dataDir);
  if (!existsSync(file)) {
    try {
      closeSync(openSync(file, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return { ok: true, value: SqliteStore.open(file) };
}

/**
 * Opens the store behind an `AuditGuard` anchored outside it (anchor.ts): the service and the commands
 * that write use this. With `create`, a signing key is made if there is none (only the local demo's start,
 * `npm start`; the commands and the production start never make one: `overt audit keygen` does).
 */
export async function openGuarded(
  options: StoreOptions,
  env: NodeJS.ProcessEnv = process.env,
  how: { create: boolean; checkpointEveryMs?: number; adopt?: boolean; seal?: boolean } = { create: false },
): Promise<StoreOutcome<{ store: Store; guard: AuditGuard; anchorCreated: boolean }>> {
  const paths = anchorPaths(options.dataDir, env);
  const anchored = Anchor.open(paths, { create: how.create });
  if (!anchored.ok) return { ok: false, error: { code: 'STORE_CONFIG_INVALID', message: anchored.message } };
  const opened = await openStore(options, env);
  if (!opened.ok) return opened;
  // Events no checkpoint here vouches for are never signed over silently (`overt audit adopt` is the way).
  if (!how.adopt) {
    const read = anchored.anchor.read(); // the checkpoints file, read once for both checks
    const problem =
      foreignKeyProblem(anchored.anchor, read) ??
      (await unanchoredProblem(anchored.anchor, opened.value.audit, read)) ??
      (how.seal ? undefined : await unsealedProblem(opened.value));
    if (problem) {
      await opened.value.close();
      return { ok: false, error: { code: 'STORE_CONFIG_INVALID', message: problem } };
    }
  }
  const guard = new AuditGuard(opened.value, anchored.anchor, {
    anchorCreated: anchored.created,
    checkRecords: (options.kind ?? 'sqlite') === 'sqlite',
    ...(/^\d+$/.test(env.OVERT_RECORD_SWEEP_MS ?? '')
      ? { recordSweepMs: Number(env.OVERT_RECORD_SWEEP_MS) }
      : {}),
    ...(/^\d+$/.test(env.OVERT_LIVE_SWEEP_MS ?? '') ? { liveSweepMs: Number(env.OVERT_LIVE_SWEEP_MS) } : {}),
    ...(how.checkpointEveryMs === undefined ? {} : { checkpointEveryMs: how.checkpointEveryMs }),
  });
  return { ok: true, value: { store: guard.store, guard, anchorCreated: anchored.created } };
}

/**
 * A store written before Overt sealed what it writes with no event and the answers it keeps (rows.ts): its rows
 * of those kinds, and its first kept answer, carry no seal at all. Every read of them would be refused as a
 * broken trail, so the store is refused at open, naming the deliberate, audited step that seals them
 * (`overt audit seal`). The message, or undefined. The rows of the sealed kinds are read whole (they are few);
 * of the answers only the first kept (one from before seals is the oldest): `overt audit verify` checks them all.
 */
export async function unsealedProblem(store: Store): Promise<string | undefined> {
  const rows: string[] = [];
  for (const kind of SEALED)
    for (const { record } of await store.query(kind))
      if ((record as { seal?: string }).seal === undefined) rows.push(`${kind} ${record.id}`);
  const [first] = store.unitAnswers ? [...(await store.unitAnswers({ limit: 1 }))] : [];
  const answers = first !== undefined && !isSealedAnswer(first[1]);
  if (rows.length === 0 && !answers) return undefined;
  const what = [
    ...(rows.length > 0
      ? [
          `${rows.length} ${rows.length === 1 ? 'row' : 'rows'} written with no audit event (${rows.slice(0, 3).join(', ')}${rows.length > 3 ? ', …' : ''})`,
        ]
      : []),
    ...(answers ? ['the answers kept under its commands’ keys'] : []),
  ].join(' and ');
  return `this store was written by a version of Overt before seals: ${what} carry no seal of the audit key, so Overt would refuse them. After \`overt audit verify\` names nothing else, run \`${SEAL_COMMAND}\` to seal them (recorded in the audit trail); nothing was written`;
}
