import { performance } from 'node:perf_hooks';
import { Batcher } from '../src/store/graph/batch';
import { GraphConfig } from '../src/store/graph/config';
import { openGraphStore } from '../src/store/graph/connect';
import { graphClient } from '../src/store/graph/graph-client';
import { provision } from '../src/store/graph/provision';
import { createDeps, importCaseList, type Outcome } from '../src/workflow';
import { toCsv } from '../src/util/csv';
import { startGraphServer } from '../tools/graph-local/server';
import { benchOrganisation } from './seed';

/**
 * A case-list import of `children` rows on the SharePoint (Graph) store, against the local Graph server:
 * whether it commits, how long it takes and how many Graph requests it costs.
 */
export interface CaseListFigures {
  children: number;
  ok: boolean;
  message: string;
  created: number;
  ms: number;
  requests: number;
  childrenOnSite: number;
}

export function caseListCsv(children: number, from = 1): string {
  return toCsv(
    ['case reference', 'name', 'team', 'worker', 'date of birth', 'platforms'],
    Array.from({ length: children }, (_, i) => [
      `CASE-${String(from + i).padStart(5, '0')}`,
      `Child ${from + i} (fictional)`,
      't',
      'cm',
      '01/02/2012',
      'instagram:@fictional_child; tiktok:@fictional_child_2',
    ]),
  );
}

export async function caseListRun(options: { children: number }): Promise<CaseListFigures> {
  const site = 'https://contoso.sharepoint.com/sites/overt-caselist';
  const server = await startGraphServer({ grantedSites: [site], delayMs: 0 });
  try {
    const config = GraphConfig.parse({
      siteUrl: site,
      graphUrl: server.url,
      ca: server.ca,
      auth: { type: 'local', token: 'bench' },
      retryDelaySeconds: 0.01,
    });
    const { client } = graphClient({
      graphUrl: server.url,
      ca: server.ca,
      authProvider: { getAccessToken: async () => 'bench' },
    });
    const provisioned = await provision(new Batcher(client, { baseMs: 10 }), config, false);
    if (!provisioned.ok) throw new Error(provisioned.error.message);
    const opened = await openGraphStore(config);
    if (!opened.ok) throw new Error(opened.error.message);
    const store = opened.value;
    let n = 0;
    const deps = createDeps(store, {
      clock: () => new Date('2026-03-01T09:00:00Z'),
      ids: () => `bench-${++n}`,
    });
    await benchOrganisation(deps, () => `bench-key-${++n}`);
    server.resetStats();
    const t0 = performance.now();
    const r: Outcome<{ created: number }> = await importCaseList(deps, {
      key: 'caselist-import-1',
      actorId: 'admin',
      csv: caseListCsv(options.children),
    });
    const ms = performance.now() - t0;
    const requests = server.stats.requests;
    const childrenOnSite = (await store.count('child'))[0]?.count ?? 0;
    await store.close();
    return {
      children: options.children,
      ok: r.ok,
      message: r.ok ? '' : r.error.message,
      created: r.ok ? r.value.created : 0,
      ms,
      requests,
      childrenOnSite,
    };
  } finally {
    await server.stop();
  }
}

if (require.main === module)
  void caseListRun({ children: Number(process.argv[2] ?? 300) }).then((f) => console.log(JSON.stringify(f)));
