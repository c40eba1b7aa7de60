import { performance } from 'node:perf_hooks';
import { Batcher } from '../src/store/graph/batch';
import { GraphConfig } from '../src/store/graph/config';
import { openGraphStore } from '../src/store/graph/connect';
import { graphClient } from '../src/store/graph/graph-client';
import { provision } from '../src/store/graph/provision';
import { createDeps, decideRequest, raiseRequest, recordCheck, recordConsent } from '../src/workflow';
import { startGraphServer } from '../tools/graph-local/server';
import { benchChild, benchOrganisation, must } from './seed';

/**
 * Decisions through the workflow on the SharePoint (Graph) store, against the local Graph server:
 * how many Graph requests and resource units one approval costs, and how long it takes when every
 * request to Graph takes `delayMs`.
 */
export interface GraphDecisionFigures {
  /** Graph requests per use case, averaged: consent, raise, approve (the decision), record. */
  perUseCase: Record<string, number>;
  requestsPerDecision: number;
  maxRequestsPerDecision: number;
  ruPerDecision: number;
  p95Ms: number;
}

export async function graphDecisionRun(options: {
  decisions: number;
  delayMs: number;
}): Promise<GraphDecisionFigures> {
  const site = 'https://contoso.sharepoint.com/sites/overt-bench';
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
      retryDelaySeconds: 0.01,
    });
    const provisioned = await provision(new Batcher(client), config, false);
    if (!provisioned.ok) throw new Error(provisioned.error.message);
    const opened = await openGraphStore(config);
    if (!opened.ok) throw new Error(opened.error.message);
    const store = opened.value;
    let now = new Date('2026-03-01T09:00:00Z');
    let n = 0;
    const deps = createDeps(store, { clock: () => now, ids: () => `bench-${++n}` });
    const key = () => `bench-key-${++n}`;
    await benchOrganisation(deps, key);

    const requests: number[] = [];
    const ru: number[] = [];
    const perUseCase: Record<string, number[]> = { consent: [], raise: [], approve: [], record: [] };
    const counted = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      server.resetStats();
      const out = await run();
      perUseCase[name]!.push(server.stats.requests);
      return out;
    };
    const ms: number[] = [];
    for (let d = 0; d < options.decisions; d++) {
      // A child of its own for each decision, so that every approval is a first check (000 §11).
      const childId = await benchChild(store, key(), d, now.toISOString());
      await counted('consent', async () =>
        must(
          await recordConsent(deps, {
            key: key(),
            actorId: 'cm',
            childId,
            givenBy: 'child',
            date: '2026-02-01',
            scope: { platforms: [], purposes: [] },
          }),
        ),
      );
      const raised = await counted('raise', async () =>
        must(
          await raiseRequest(deps, {
            key: key(),
            actorId: 'cm',
            childId,
            reason: 'risk-of-cce',
            platforms: [{ platform: 'youtube', account: 'bench' }],
            viewer: 'own-personal-account',
          }),
        ),
      );
      now = new Date(now.getTime() + 60_000);
      server.setDelay(options.delayMs);
      server.resetStats();
      const t0 = performance.now();
      const decided = must(
        await decideRequest(deps, {
          key: key(),
          actorId: 'tm',
          requestId: raised.request.id,
          childId,
          teamId: 't',
          outcome: 'approve',
          reasons: 'Proportionate (bench).',
        }),
      );
      ms.push(performance.now() - t0);
      requests.push(server.stats.requests);
      perUseCase.approve!.push(server.stats.requests);
      ru.push(server.stats.ru);
      server.setDelay(0);
      if (decided.request.status !== 'approved')
        throw new Error(`decision ${d} was ${decided.request.status}`);
      now = new Date(now.getTime() + 60_000);
      await counted('record', async () =>
        must(
          await recordCheck(deps, {
            key: key(),
            actorId: 'cm',
            requestId: raised.request.id,
            viewedAt: new Date(now.getTime() - 30_000).toISOString(),
            accounts: [{ platform: 'youtube', account: 'bench' }],
            relevantInfo: '',
            thirdPartyData: 'none',
            sensitive: false,
            attestNoFriendFollow: true,
            attestOpenSourceOnly: true,
          }),
        ),
      );
    }
    await store.close();
    const sorted = [...ms].sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return {
      perUseCase: Object.fromEntries(
        Object.entries(perUseCase).map(([k, v]) => [k, Math.round(mean(v) * 100) / 100]),
      ),
      requestsPerDecision: Math.round(mean(requests) * 100) / 100,
      maxRequestsPerDecision: Math.max(...requests),
      ruPerDecision: Math.round(mean(ru) * 100) / 100,
      p95Ms: Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!),
    };
  } finally {
    await server.stop();
  }
}
