import { GraphConfig } from '../../src/store/graph/config';
import { openGraphStore } from '../../src/store/graph/connect';
import { graphClient } from '../../src/store/graph/graph-client';
import type { GraphStore } from '../../src/store/graph/graph-store';
import { Batcher } from '../../src/store/graph/batch';
import { provision } from '../../src/store/graph/provision';
import { startGraphServer, type GraphServer, type GraphServerOptions } from '../../tools/graph-local/server';

/** The local Graph server with many granted sites, so each test can provision a fresh one. */
export const SITES = 150;
export const siteUrl = (n: number) => `https://contoso.sharepoint.com/sites/overt-${n}`;

export async function startServer(options: GraphServerOptions = {}): Promise<GraphServer> {
  return startGraphServer({
    grantedSites: Array.from({ length: SITES }, (_, i) => siteUrl(i)),
    otherSites: ['https://contoso.sharepoint.com/sites/hr'],
    ...options,
  });
}

export function configFor(server: GraphServer, site: string, over: Partial<GraphConfig> = {}): GraphConfig {
  return GraphConfig.parse({
    siteUrl: site,
    graphUrl: server.url,
    ca: server.ca,
    auth: { type: 'local', token: 'test-token' },
    retryDelaySeconds: 0.01,
    ...over,
  });
}

export function batcherFor(server: GraphServer): Batcher {
  const { client } = graphClient({
    graphUrl: server.url,
    ca: server.ca,
    authProvider: { getAccessToken: async () => 'test-token' },
  });
  return new Batcher(client, { baseMs: 10 });
}

let next = 0;

/** Provisions the next unused site and opens the store on it. */
export async function freshStore(
  server: GraphServer,
  over: Partial<GraphConfig> = {},
): Promise<{ store: GraphStore; config: GraphConfig }> {
  const n = next++;
  if (n >= SITES) throw new Error('out of sites: raise SITES');
  const config = configFor(server, siteUrl(n), over);
  const provisioned = await provision(batcherFor(server), config, false);
  if (!provisioned.ok) throw new Error(provisioned.error.message);
  const opened = await openGraphStore(config);
  if (!opened.ok) throw new Error(opened.error.message);
  return { store: opened.value, config };
}

export async function reopen(config: GraphConfig): Promise<GraphStore> {
  const opened = await openGraphStore(config);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
}
