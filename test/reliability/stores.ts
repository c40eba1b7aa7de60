/**
 * The bot world (test/bot/world.ts: the service started in-process with a small fictional organisation) on
 * either store: SQLite in a temp folder, or a freshly provisioned site of the local Graph server.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphServer } from '../../tools/graph-local/server';
import { botWorld, type BotWorld } from '../bot/world';
import { freshStore, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';

export type StoreName = 'sqlite' | 'graph';
export const STORES: StoreName[] = ['sqlite', 'graph'];

const dirs = tempDirs('reliability');
let graph: GraphServer | undefined;

/** The environment that puts a service on a fresh store of this kind (a new site for Graph). */
export async function storeEnv(store: StoreName): Promise<Record<string, string>> {
  if (store === 'sqlite') return { OVERT_DATA: dirs.make() };
  graph ??= await startServer();
  const { store: provisioned, config } = await freshStore(graph);
  await provisioned.close();
  const ca = join(dirs.make(), 'ca.pem');
  writeFileSync(ca, graph.ca);
  return {
    OVERT_STORE: 'graph',
    OVERT_GRAPH_SITE: config.siteUrl,
    OVERT_GRAPH_URL: graph.url,
    OVERT_GRAPH_CA_FILE: ca,
    OVERT_DATA: dirs.make(),
  };
}

export async function worldOn(store: StoreName): Promise<BotWorld> {
  return botWorld(await storeEnv(store));
}

export async function cleanupStores(): Promise<void> {
  await graph?.stop();
  graph = undefined;
  dirs.cleanup();
}
