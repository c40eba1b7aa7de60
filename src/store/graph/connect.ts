import { z } from 'zod';
import type { StoreOutcome } from '../store';
import { Batcher, errorOf, type GraphReply } from './batch';
import { authProvider, sitePath, type GraphConfig } from './config';
import { GraphContext, type GraphSite } from './context';
import { graphClient } from './graph-client';
import { graphRetry } from './retry';
import { GraphStore } from './graph-store';
import { listKeys, listSpecs, type ListKey } from './lists';

/** Connecting: the client, the site (one `$batch`: the site and its lists), then reconciliation. */

const Site = z.object({ id: z.string().min(1) });
export const ListsPage = z.object({
  value: z.array(z.object({ id: z.string().min(1), displayName: z.string(), name: z.string().optional() })),
});

export function clientFor(config: GraphConfig) {
  return graphClient({
    graphUrl: config.graphUrl,
    authProvider: authProvider(config.auth, config),
    timeoutMs: config.timeoutMs,
    breakerMs: config.breakerMs,
    ...(config.ca ? { ca: config.ca } : {}),
  });
}

/** The retry policy (retry.ts) with the configured first wait. */
export const retryOf = (config: GraphConfig) => graphRetry({ baseMs: config.retryDelaySeconds * 1000 });

export function siteFailure(config: GraphConfig, r: GraphReply): StoreOutcome<never> {
  const { code, message } = errorOf(r);
  const hint =
    r.status === 403
      ? ': grant the app access to this site (Sites.Selected: POST /sites/{site-id}/permissions with role write)'
      : r.status === 404
        ? ': check the site URL'
        : '';
  return {
    ok: false,
    error: {
      code: 'STORE_CONFIG_INVALID',
      message: `SharePoint site ${config.siteUrl}: Graph answered ${r.status} ${code} ${message}${hint}`,
    },
  };
}

/** The site id and its lists by display name, in one request. */
export async function readSite(
  batcher: Batcher,
  config: GraphConfig,
): Promise<StoreOutcome<{ siteId: string; lists: Map<string, string> }>> {
  const path = sitePath(config.siteUrl);
  const [site, lists] = await batcher.parallel([
    { method: 'GET', url: path },
    { method: 'GET', url: `${path}:/lists?$select=id,displayName,name` },
  ]);
  if (!site || site.status !== 200) return siteFailure(config, site!);
  if (!lists || lists.status !== 200) return siteFailure(config, lists!);
  const page = ListsPage.parse(lists.body);
  return {
    ok: true,
    value: { siteId: Site.parse(site.body).id, lists: new Map(page.value.map((l) => [l.displayName, l.id])) },
  };
}

/** Opens the SharePoint store: the site's lists must have been provisioned (`overt provision`). */
export async function openGraphStore(
  config: GraphConfig,
  how: { readonly?: boolean } = {},
): Promise<StoreOutcome<GraphStore>> {
  const { client, counter, close } = clientFor(config);
  const site = await readSite(new Batcher(client, retryOf(config)), config).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  if (!site.ok) {
    await close();
    return site;
  }
  const lists: Partial<Record<ListKey, string>> = {};
  const missing: string[] = [];
  for (const key of listKeys) {
    const id = site.value.lists.get(listSpecs[key].name);
    if (id) lists[key] = id;
    else missing.push(listSpecs[key].name);
  }
  if (missing.length > 0) {
    await close();
    return {
      ok: false,
      error: {
        code: 'STORE_CONFIG_INVALID',
        message: `SharePoint site ${config.siteUrl} lacks the lists ${missing.join(', ')}: run overt provision --site ${config.siteUrl}`,
      },
    };
  }
  const graphSite: GraphSite = { siteId: site.value.siteId, lists: lists as Record<ListKey, string> };
  const store = new GraphStore(
    new GraphContext(client, counter, graphSite, config.staleMs, close, retryOf(config)),
  );
  // One request: the audit tail (so the first unit needs no read of its own) and the pending units — left as
  // they are when opened read only (`overt audit verify` writes nothing).
  await Promise.all([store.ctx.readTail(), how.readonly ? undefined : store.reconcile()]);
  return { ok: true, value: store };
}
