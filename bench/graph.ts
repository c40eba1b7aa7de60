import { performance } from 'node:perf_hooks';
import { Batcher } from '../src/store/graph/batch';
import { GraphConfig } from '../src/store/graph/config';
import { openGraphStore } from '../src/store/graph/connect';
import { graphClient } from '../src/store/graph/graph-client';
import { provision } from '../src/store/graph/provision';
import {
  createDeps,
  decideRequest,
  raiseRequest,
  recordCheck,
  recordConsent,
  upsertStaff,
} from '../src/workflow';
import { AuditProjection } from '../src/workflow/audit-projection';
import { serviceDashboard } from '../src/workflow/dashboard';
import { childTimeline } from '../src/workflow/history';
import { myRequests } from '../src/workflow/my-requests';
import { awaitingDecision } from '../src/workflow/role-views';
import { centralRecord } from '../src/workflow/queries/ripa';
import { startGraphServer } from '../tools/graph-local/server';
import { benchChild, benchOrganisation, must } from './seed';

/**
 * Decisions through the workflow on the SharePoint (Graph) store, against the local Graph server:
 * how many Graph requests and resource units one approval costs, and how long it takes when every
 * request to Graph takes `delayMs`.
 */
export interface GraphDecisionFigures {
  /** Graph requests per use case, averaged: consent, raise, approve (the decision), record; and per read:
   * a child's history, the dashboard (first after start, then again), the RIPA register, what awaits a
   * decision, my requests. */
  perUseCase: Record<string, number>;
  requestsPerDecision: number;
  maxRequestsPerDecision: number;
  ruPerDecision: number;
  p95Ms: number;
  /** Each read's time at `delayMs` a request, once. */
  readMs: Record<string, number>;
  /** Audit events on the site when the reads ran. */
  events: number;
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
    });
    const provisioned = await provision(new Batcher(client, { baseMs: 10 }), config, false);
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
    // The reads, each as the tab makes it, on the site the decisions left (a second instance's first
    // dashboard reads the whole audit trail: its projection starts empty).
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: 'admin',
        staff: { id: 'sm', name: 'sm (demo)', role: 'service-manager', teamIds: ['t'] },
      }),
    );
    // The central record of RIPA authorisations is read by an authorising officer (or IG).
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: 'admin',
        staff: { id: 'ao', name: 'ao (demo)', role: 'authorised-officer', teamIds: ['t'] },
      }),
    );
    const reads: Record<string, () => Promise<unknown>> = {};
    const projection = new AuditProjection(store, deps.profiles);
    reads.dashboardFirst = async () => must(await serviceDashboard(deps, projection, { actorId: 'sm' }));
    reads.dashboard = async () => must(await serviceDashboard(deps, projection, { actorId: 'sm' }));
    reads.history = async () =>
      must(await childTimeline(deps, projection, { key: key(), actorId: 'tm', childId: 'child-0' }));
    reads.ripaRegister = async () => must(await centralRecord(deps, { actorId: 'ao' }));
    reads.awaiting = async () => must(await awaitingDecision(deps, { actorId: 'tm' }));
    reads.myRequests = async () => must(await myRequests(deps, { actorId: 'cm' }));
    const readMs: Record<string, number> = {};
    for (const [name, run] of Object.entries(reads)) {
      server.setDelay(options.delayMs);
      server.resetStats();
      const t0 = performance.now();
      await run();
      readMs[name] = Math.round(performance.now() - t0);
      perUseCase[name] = [server.stats.requests];
      server.setDelay(0);
    }
    const events = (await store.audit.list({})).length;
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
      readMs,
      events,
    };
  } finally {
    await server.stop();
  }
}

/**
 * The first dashboard after an instance starts on a SharePoint site whose audit trail holds `events`
 * events (checks recorded, approvals, raises, with refusals among them), every Graph request taking
 * `delayMs`: a second store instance, its projection empty, as a new instance behind the load balancer.
 * The trail is written in units of 20 events with no records (what the dashboard reads is the trail).
 */
export async function graphDashboardFirst(options: { events: number; delayMs: number }): Promise<{
  /** From the checkpoint the running instance left. */
  ms: number;
  requests: number;
  /** Reading the whole trail instead (no checkpoint). */
  wholeTrailMs: number;
  wholeTrailRequests: number;
  events: number;
  loadSeconds: number;
}> {
  const site = 'https://contoso.sharepoint.com/sites/overt-bench-dashboard';
  const server = await startGraphServer({ grantedSites: [site], delayMs: 0 });
  try {
    const config = GraphConfig.parse({
      siteUrl: site,
      graphUrl: server.url,
      ca: server.ca,
      auth: { type: 'local', token: 'bench' },
      retryDelaySeconds: 0.01,
    });
    const transport = graphClient({
      graphUrl: server.url,
      ca: server.ca,
      authProvider: { getAccessToken: async () => 'bench' },
    });
    const provisioned = await provision(new Batcher(transport.client, { baseMs: 10 }), config, false);
    await transport.close();
    if (!provisioned.ok) throw new Error(provisioned.error.message);
    const opened = await openGraphStore(config);
    if (!opened.ok) throw new Error(opened.error.message);
    const writer = opened.value;
    let n = 0;
    const deps = createDeps(writer, { ids: () => `bench-${++n}` });
    const key = () => `bench-key-${++n}`;
    await benchOrganisation(deps, key);
    must(
      await upsertStaff(deps, {
        key: key(),
        actorId: 'admin',
        staff: { id: 'sm', name: 'sm (demo)', role: 'service-manager', teamIds: ['t'] },
      }),
    );
    const t0 = performance.now();
    const start = Date.now() - 365 * 86_400_000;
    const UNIT = 20;
    for (let e = 0; e < options.events; e += UNIT) {
      const at = new Date(start + (e / options.events) * 365 * 86_400_000).toISOString();
      const audit = Array.from({ length: Math.min(UNIT, options.events - e) }, (_, j) => {
        const i = e + j;
        const base = { childId: `c${i % 500}`, teamId: 't' };
        const actor = { id: 'cm', role: 'case-manager' as const };
        switch (i % 3) {
          case 0:
            return {
              actor,
              action: 'request.raise',
              target: { kind: 'request', id: `r${i}` },
              outcome: i % 40 === 0 ? 'refuse' : 'allow',
              details: { ...base, determining: [] },
            };
          case 1:
            return {
              actor: { id: 'tm', role: 'team-manager' as const },
              action: 'request.approve',
              target: { kind: 'request', id: `r${i - 1}` },
              outcome: 'allow',
              details: base,
            };
          default:
            return {
              actor,
              action: 'check.record',
              target: { kind: 'check', id: `k${i}` },
              outcome: 'allow',
              details: { ...base, requestId: `r${i - 2}` },
            };
        }
      });
      const r = await writer.commit({ key: `bench-trail-${e}`, at, writes: [], audit });
      if (r.status !== 'committed') throw new Error(`bench load: ${r.status}`);
    }
    const loadSeconds = Math.round((performance.now() - t0) / 100) / 10;
    const events = (await writer.audit.list({})).length;
    // The instance that has been running files the trail and leaves its checkpoint in the store.
    const running = new AuditProjection(writer, deps.profiles);
    await running.syncTallies();
    await running.settled();
    await writer.close();

    const again = await openGraphStore(config);
    if (!again.ok) throw new Error(again.error.message);
    const store = again.value;
    const reader = createDeps(store);
    const first = async (fromCheckpoint: boolean) => {
      const projection = new AuditProjection(store, reader.profiles, { fromCheckpoint, checkpointEvery: 0 });
      server.setDelay(options.delayMs);
      server.resetStats();
      const t1 = performance.now();
      const d = must(await serviceDashboard(reader, projection, { actorId: 'sm' }));
      const ms = Math.round(performance.now() - t1);
      const requests = server.stats.requests;
      server.setDelay(0);
      if (!d.periods.some((p) => p.total.checks > 0)) throw new Error('the dashboard counted no checks');
      return { ms, requests };
    };
    const { ms, requests } = await first(true);
    const whole = await first(false);
    await store.close();
    return { ms, requests, wholeTrailMs: whole.ms, wholeTrailRequests: whole.requests, events, loadSeconds };
  } finally {
    await server.stop();
  }
}

if (require.main === module)
  void graphDashboardFirst({ events: Number(process.argv[2] ?? 2000), delayMs: 80 }).then((r) =>
    console.log(JSON.stringify(r)),
  );
