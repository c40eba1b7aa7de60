import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepReference } from '../../src/bot/conversations';
import { start } from '../../src/server/main';
import {
  decideRequest,
  importCaseList,
  raiseRequest,
  recordCheck,
  recordConsent,
  type Outcome,
} from '../../src/workflow';
import { takeNotices } from '../../src/workflow/notice-feed';
import { freshStore } from '../store/graph-harness';
import { seedNorth } from '../workflow/world';
import type { GraphConfig } from '../../src/store/graph/config';
import type { GraphServer } from '../../tools/graph-local/server';

export const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
};

export type StoreKind = 'sqlite' | 'graph';

/** The case manager's check of the seeded request, under `key`. */
export const checkOf = (requestId: string, key: string) => ({
  key,
  actorId: 'cm',
  requestId,
  viewedAt: new Date().toISOString(),
  accounts: [{ platform: 'instagram', account: '@demo_1' }],
  relevantInfo: 'Fictional: nothing relevant.',
  thirdPartyData: 'none' as const,
  sensitive: false,
  attestNoFriendFollow: true,
  attestOpenSourceOnly: true,
});

/**
 * The settings of a service of its own for a test: no demo, its data, audit key and checkpoints under `base`,
 * any free ports, timers hourly; on the Graph store, a fresh site of the local Graph server (`server`) with
 * its certificate authority. `extra` adds or overrides settings.
 */
export async function serviceEnv(
  kind: StoreKind,
  server: GraphServer | undefined,
  base: string,
  extra: Record<string, string> = {},
): Promise<{ env: Record<string, string>; config: GraphConfig | undefined }> {
  const env: Record<string, string> = {
    OVERT_DATA: join(base, 'data'),
    OVERT_DEMO: 'off',
    OVERT_AUDIT_KEY: join(base, 'anchor', 'key.pem'),
    OVERT_AUDIT_CHECKPOINTS: join(base, 'anchor', 'checkpoints.jsonl'),
    BOT_PORT: '0',
    TAB_PORT: '0',
    OVERT_JOBS_EVERY: '3600',
    ...extra,
  };
  if (kind !== 'graph') return { env, config: undefined };
  if (!server) throw new Error('a service on the Graph store needs the local Graph server');
  const fresh = await freshStore(server);
  await fresh.store.close();
  const ca = join(base, 'ca.pem');
  writeFileSync(ca, server.ca);
  Object.assign(env, {
    OVERT_STORE: 'graph',
    OVERT_GRAPH_SITE: fresh.config.siteUrl,
    OVERT_GRAPH_URL: server.url,
    OVERT_GRAPH_CA_FILE: ca,
  });
  return { env, config: fresh.config };
}

/**
 * The service for the tamper tests (sealed-store, unaudited-rows): started on SQLite or on a fresh site of the
 * local Graph server, with its audit key and checkpoints in a folder of its own, and one request's whole
 * journey on it — a team, a team manager and a case manager, two children, consent, a request raised, approved
 * and its check recorded — and the rows written with no audit event: the case manager's conversation
 * reference and the notices cursor. `base` is a fresh folder; keys are `${prefix}-n`. `upTo: 'approved'` stops
 * before the check (the request awaits it, as the expiry timer would find it); `env` adds or overrides settings;
 * `server` is needed for the Graph store only.
 */
export async function seededService(
  kind: StoreKind,
  server: GraphServer | undefined,
  base: string,
  prefix: string,
  options: { upTo?: 'approved' | 'checked'; env?: Record<string, string> } = {},
) {
  const { env, config } = await serviceEnv(kind, server, base, {
    OVERT_RECORD_SWEEP_MS: '0',
    ...options.env,
  });
  const logs: string[] = [];
  const running = await start(env, (l) => logs.push(l));
  const deps = running.deps;
  let k = 0;
  const key = () => `${prefix}-${++k}`;
  await seedNorth(deps, key, 'nottinghamshire-yjs');
  must(
    await importCaseList(deps, {
      key: key(),
      actorId: 'admin',
      csv: 'case_reference,initials,team,worker,platforms\nDEMO-0001,A.B. (demo),north,cm,instagram:@demo_1\nDEMO-0002,C.D. (demo),north,cm,instagram:@demo_2',
    }),
  );
  const [child] = await running.store.query('child', { where: { caseRef: 'DEMO-0001' } });
  const childId = child!.record.id;
  must(
    await recordConsent(deps, {
      key: key(),
      actorId: 'cm',
      childId,
      givenBy: 'child and parent',
      date: new Date().toISOString().slice(0, 10),
      scope: { platforms: [], purposes: [] },
    }),
  );
  const raise = {
    key: key(),
    actorId: 'cm',
    childId,
    reason: 'risk-of-cse',
    platforms: [{ platform: 'instagram', account: '@demo_1' }],
    viewer: 'own-personal-account' as const,
    rationale: 'Fictional: new information suggests a risk.',
  };
  const raised = must(await raiseRequest(deps, raise));
  const decide = {
    key: key(),
    actorId: 'tm',
    requestId: raised.request.id,
    outcome: 'approve' as const,
    reasons: 'Necessary and proportionate (fictional).',
  };
  must(await decideRequest(deps, decide));
  if (options.upTo !== 'approved') must(await recordCheck(deps, checkOf(raised.request.id, key())));
  // Rows written with no audit event: the case manager's conversation reference (they met the bot in personal
  // chat) and the notices cursor (a notices pass has run).
  await keepReference(deps, 'cm', {
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/uk/',
    conversation: { id: 'a:personal-cm', conversationType: 'personal', tenantId: 'demo-tenant' },
    user: { id: '29:cm', aadObjectId: 'aad-cm' },
  });
  const batch = await takeNotices(deps, 'test-holder', new Date(0).toISOString());
  await batch!.done();
  return { env, config, logs, running, deps, key, childId, requestId: raised.request.id, raise, decide };
}
