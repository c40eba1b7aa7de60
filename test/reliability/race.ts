/**
 * Issue 12, fault 2, the three-month rule across instances: two server processes on one store (one SQLite
 * folder, or one Graph site), a child with several pending requests, and every request approved at the
 * same moment through the bot endpoints of both. Used by `race.test.ts` (a small size) and `npm run soak`
 * (full size), which print the figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { importCaseList, raiseRequest, recordConsent, type Outcome } from '../../src/workflow';
import { execute } from '../bot/client';
import { botWorld } from '../bot/world';
import { storeEnv, type StoreName } from './stores';

export interface RaceFigures {
  store: StoreName;
  processes: number;
  rounds: number;
  perRound: number;
  /** Approve invokes sent. */
  approvals: number;
  /** Answered with something other than 200. */
  failedInvokes: number;
  /** Rounds ending with more than one approved request for the child (must be 0). */
  duplicated: number;
  /** Rounds ending with none approved (must be 0: one approval must win). */
  lost: number;
  /** Requests left undecided (pending) after their approval was answered (must be 0). */
  undecided: number;
  /** The other requests: sent on to the authorised officer because of the approval that won (000 §12). */
  escalated: number;
  /** Approve decisions written in all (must equal the rounds). */
  approveDecisions: number;
  auditIntact: boolean;
  ms: number;
}

const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
};

function secondServer(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(__dirname, 'race-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port?: number; error?: string }) =>
      m.port ? resolve({ child, port: m.port }) : reject(new Error(m.error ?? 'no port')),
    );
    child.once('exit', (code) => reject(new Error(`second server exited (${code})`)));
    child.send(env);
  });
}

export async function raceRounds(o: {
  store: StoreName;
  rounds: number;
  perRound: number;
  log?: (line: string) => void;
}): Promise<RaceFigures> {
  const env = await storeEnv(o.store);
  const w = await botWorld(env);
  const second = await secondServer({
    ...env,
    OVERT_DEMO: 'off',
    OVERT_BOT_TENANTS: 'demo-tenant',
    OVERT_NOTICES_EVERY: '3600',
  });
  const urls = [w.url, `http://127.0.0.1:${second.port}`];
  const deps = w.running.deps;
  const store = w.running.store;
  const f: RaceFigures = {
    store: o.store,
    processes: urls.length,
    rounds: o.rounds,
    perRound: o.perRound,
    approvals: 0,
    failedInvokes: 0,
    duplicated: 0,
    lost: 0,
    undecided: 0,
    escalated: 0,
    approveDecisions: 0,
    auditIntact: false,
    ms: 0,
  };
  const started = Date.now();
  let k = 0;
  const key = () => `race-${o.store}-${++k}-${Math.random()}`;
  try {
    for (let round = 0; round < o.rounds; round++) {
      const ref = `RACE-${round}-${Math.floor(Math.random() * 1e6)}`;
      must(
        await importCaseList(deps, {
          key: key(),
          actorId: 'demo-admin',
          csv: `case_reference,initials,team,worker,platforms\n${ref},R.C. (demo),north,demo-cm-north-1,instagram:@race_${round}`,
        }),
      );
      const childId = await w.childId(ref);
      must(
        await recordConsent(deps, {
          key: key(),
          actorId: 'demo-cm-north-1',
          childId,
          givenBy: 'child and parent',
          date: new Date().toISOString().slice(0, 10),
          scope: { platforms: [], purposes: ['000 §3 criteria'] },
        }),
      );
      const ids: string[] = [];
      for (let i = 0; i < o.perRound; i++) {
        const raised = must(
          await raiseRequest(deps, {
            key: key(),
            actorId: i % 2 ? 'demo-cm-north-2' : 'demo-cm-north-1',
            childId,
            reason: 'risk-of-cse',
            platforms: [{ platform: 'instagram', account: `@race_${round}` }],
            viewer: 'own-personal-account',
            rationale: 'Fictional: new information suggests a risk to the child.',
          }),
        );
        if (raised.request.status !== 'pending') throw new Error(`raised ${raised.request.status}`);
        ids.push(raised.request.id);
      }
      // Every approval at the same moment, alternately through each process.
      const answers = await Promise.all(
        ids.map((requestId, i) =>
          execute(urls[i % urls.length]!, 'demo-tm-north', 'request.approve', {
            requestId,
            reasons: 'Necessary and proportionate (fictional).',
          }),
        ),
      );
      f.approvals += answers.length;
      f.failedInvokes += answers.filter((a) => a.status !== 200).length;
      const requests = (await store.query('request', { where: { childId } })).map((r) => r.record);
      const approved = requests.filter((r) => r.status === 'approved').length;
      const decisions = (await store.query('decision', { where: { childId } })).filter(
        (d) => d.record.outcome === 'approve',
      ).length;
      if (approved > 1) f.duplicated += 1;
      if (approved === 0) f.lost += 1;
      f.undecided += requests.filter((r) => r.status === 'pending').length;
      f.escalated += requests.filter((r) => r.status === 'escalated').length;
      f.approveDecisions += decisions;
      o.log?.(
        `${o.store} round ${round + 1}/${o.rounds}: ${approved} approved, ${requests.filter((r) => r.status === 'escalated').length} escalated, ${decisions} approve decisions`,
      );
    }
    f.auditIntact = (await store.audit.verify()).ok;
  } finally {
    f.ms = Date.now() - started;
    second.child.removeAllListeners('exit');
    const exited = new Promise((r) => second.child.once('exit', r));
    second.child.send('stop');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (second.child.exitCode === null) second.child.kill();
    await w.close();
  }
  return f;
}
