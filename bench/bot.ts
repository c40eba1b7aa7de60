import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { start } from '../src/server/main';
import { raiseRequest, recordConsent } from '../src/workflow';
import { startBareBot } from './bare-bot';
import { benchChild, benchOrganisation, must } from './seed';

/**
 * `invokeRatio`: the median time of an Approve invoke through Overt's real endpoint (SQLite with
 * synchronous=FULL), over that of a bare botbuilder bot answering the same invoke with a static card
 * after committing one row with synchronous=FULL — measured interleaved in the same run.
 */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export type InvokeFigures = {
  ratio: number;
  overtMs: number;
  bareMs: number;
  /** Over the bare bot that commits the decision and a hash-chained audit row and answers with a card
   * made from the decision (`invokeRatioAudited`). */
  ratioAudited: number;
  bareAuditedMs: number;
};

export async function invokeRatio(rounds = 60): Promise<InvokeFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'overt-bench-bot-'));
  // A connector that accepts whatever the bot sends after answering (card updates, the requester told).
  const connector = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: randomUUID() }));
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${(connector.address() as { port: number }).port}/`;
  const running = await start(
    {
      OVERT_DATA: join(dir, 'overt'),
      OVERT_DEMO: 'off',
      BOT_PORT: '0',
      TAB_PORT: '0',
      OVERT_BOT_TENANTS: 'bench',
    },
    () => undefined,
  );
  const bare = await startBareBot(join(dir, 'bare.sqlite'));
  const audited = await startBareBot(join(dir, 'bare-audited.sqlite'), { audited: true });
  try {
    const deps = running.deps;
    let k = 0;
    const key = () => `bench-bot-${++k}`;
    await benchOrganisation(deps, key);
    const requestIds: string[] = [];
    for (let i = 0; i < rounds; i++) {
      const at = new Date().toISOString();
      const childId = await benchChild(running.store, key(), i, at);
      must(
        await recordConsent(deps, {
          key: key(),
          actorId: 'cm',
          childId,
          givenBy: 'child',
          date: at.slice(0, 10),
          scope: { platforms: [], purposes: [] },
        }),
      );
      requestIds.push(
        must(
          await raiseRequest(deps, {
            key: key(),
            actorId: 'cm',
            childId,
            reason: 'risk-of-cce',
            platforms: [{ platform: 'youtube', account: 'bench' }],
            viewer: 'own-personal-account',
          }),
        ).request.id,
      );
    }
    const overtUrl = `http://127.0.0.1:${(running.servers[0]!.address() as { port: number }).port}/api/messages`;
    // The approval card carries the request's version (a press on an older card is answered with the current
    // one, and nothing is done): the invoke sends it as the card would.
    const versions = new Map<string, string>();
    for (const id of requestIds) versions.set(id, (await running.store.get('request', id))!.version);
    const invoke = (requestId: string) => ({
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl,
      from: { id: 'tm', aadObjectId: 'tm', name: 'tm' },
      recipient: { id: 'overt-bot', name: 'Overt' },
      conversation: { id: 'personal-tm', conversationType: 'personal', tenantId: 'bench' },
      channelData: { tenant: { id: 'bench' } },
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'request.approve',
          data: { requestId, version: versions.get(requestId), reasons: 'Bench reasons (fictional).' },
        },
        trigger: 'manual',
      },
    });
    const time = async (url: string, body: unknown) => {
      const t0 = performance.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as { value?: unknown };
      const ms = performance.now() - t0;
      if (res.status !== 200 || !json.value) throw new Error(`invoke answered ${res.status}`);
      return ms;
    };
    // Warm both up, then interleave.
    await time(`${bare.url}/api/messages`, invoke('warm-up'));
    await time(`${audited.url}/api/messages`, invoke('warm-up'));
    const overt: number[] = [];
    const baseline: number[] = [];
    const baselineAudited: number[] = [];
    // The three interleaved, in an order that turns round each time.
    for (const [i, id] of requestIds.entries()) {
      const runs = [
        async () => overt.push(await time(overtUrl, invoke(id))),
        async () => baseline.push(await time(`${bare.url}/api/messages`, invoke(id))),
        async () => baselineAudited.push(await time(`${audited.url}/api/messages`, invoke(id))),
      ];
      for (let k = 0; k < runs.length; k++) await runs[(i + k) % runs.length]!();
    }
    const decided = await running.store.count('request', { where: { status: 'approved' } });
    if ((decided[0]?.count ?? 0) !== rounds)
      throw new Error(`expected ${rounds} approvals, found ${decided[0]?.count ?? 0}`);
    const overtMs = median(overt.slice(5));
    const bareMs = median(baseline.slice(5));
    const bareAuditedMs = median(baselineAudited.slice(5));
    return {
      ratio: Math.round((overtMs / bareMs) * 100) / 100,
      overtMs: Math.round(overtMs * 100) / 100,
      bareMs: Math.round(bareMs * 100) / 100,
      ratioAudited: Math.round((overtMs / bareAuditedMs) * 100) / 100,
      bareAuditedMs: Math.round(bareAuditedMs * 100) / 100,
    };
  } finally {
    await bare.stop();
    await audited.stop();
    await running.stop();
    connector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
