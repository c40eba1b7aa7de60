/**
 * Issue 12, fault 2, the three-month rule across instances: two server processes on one store (one SQLite
 * folder, or one Graph site), a child with several pending requests, and every request approved at the
 * same moment through the bot endpoints of both. Used by `race.test.ts` (a small size) and `npm run soak`
 * (full size), which print the figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { importCaseList, raiseRequest, recordConsent, type Outcome } from '../../src/workflow';
import { actionData, activity, post, textOf } from '../bot/client';
import { botWorld, type BotWorld } from '../bot/world';
import { storeEnv, type StoreName } from './stores';
import { bundled } from '../bundled';

export interface RaceFigures {
  store: StoreName;
  processes: number;
  rounds: number;
  perRound: number;
  /** Approve invokes sent. */
  approvals: number;
  /** Answered with something other than 200, or not answered even when delivered again. */
  failedInvokes: number;
  /** Delivered again, same activity, after the connection closed before an answer. */
  redelivered: number;
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

/** Sends every request at the same moment: a rejection (a socket closed, a process gone) is counted, not thrown. */
async function together<T>(sends: (() => Promise<T>)[]): Promise<{ answers: T[]; failed: string[] }> {
  const settled = await Promise.allSettled(sends.map((s) => s()));
  return {
    answers: settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    failed: settled.flatMap((r) =>
      r.status === 'rejected' ? [`${String(r.reason)} ${String((r.reason as Error).cause ?? '')}`] : [],
    ),
  };
}

/** An invoke as Teams sends it: one activity, with its own id. */
const invoke = (from: string, verb: string, data: Record<string, unknown>) =>
  activity(from, `personal-${from}`, {
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  });

/** What the Approve button on the person's own view of a request sends (the version the card showed). */
async function shown(url: string, from: string, requestId: string): Promise<Record<string, unknown>> {
  const view = await post(url, invoke(from, 'request.refresh', { requestId }));
  return actionData(view.json?.value, 'request.approve') ?? {};
}

/**
 * Delivers an activity; if the connection closes under it before an answer (a keep-alive connection the
 * server closed just as the client reused it: `ECONNRESET`, `other side closed`), delivers the same
 * activity, same id, once more — as Teams does. Overt answers a redelivered activity as the first
 * (replay-race.test.ts), so this never counts twice; each redelivery is counted with its cause.
 */
async function deliver(url: string, a: object, retried: string[]): Promise<Awaited<ReturnType<typeof post>>> {
  try {
    return await post(url, a);
  } catch (err) {
    retried.push(`${String(err)} ${String((err as Error).cause ?? '')}`);
    return post(url, a);
  }
}

export interface Processes {
  /** The bot endpoints: this process's server first, then the second process's. */
  urls: string[];
  w: BotWorld;
  /** The second process. */
  child: ChildProcess;
  /** Why the second process ended before it was told to, if it did. */
  died: () => string | undefined;
  /** Starts the second process again (killed first if it still runs), on the same store and settings. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * The test's own server and a second `start()` in another process (race-server.ts) on one store. The
 * second process's exit is watched: one that ends unasked is named, so a round that then fails says so
 * (a socket to a process that is gone only says 'other side closed').
 */
export async function twoProcesses(
  store: StoreName,
  /** Settings added for this process's server, and for the second process's. */
  extra: { first?: Record<string, string>; second?: Record<string, string> } = {},
): Promise<Processes> {
  const env = await storeEnv(store);
  const w = await botWorld({ ...env, ...extra.first });
  let died: string | undefined;
  let stopping = false;
  let current: ChildProcess | undefined;
  const spawn = async () => {
    // The current sources, bundled (test/bundled.ts).
    const child: ChildProcess = fork(await bundled('test/reliability/race-server.ts'), [], {
      execArgv: [],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    current = child;
    const exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        if (!stopping && current === child)
          died = `the second server process exited unasked (${signal ?? `code ${code}`})`;
        resolve();
      }),
    );
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port?: number; error?: string }) =>
        m.port ? resolve(m.port) : reject(new Error(m.error ?? 'no port')),
      );
      void exited.then(() => reject(new Error(died ?? 'the second server process exited')));
      child.send({
        ...env,
        OVERT_DEMO: 'off',
        OVERT_BOT_TENANTS: 'demo-tenant',
        OVERT_NOTICES_EVERY: '3600',
        ...extra.second,
      });
    });
    return { child, exited, url: `http://127.0.0.1:${port}` };
  };
  let second = await spawn();
  const p: Processes = {
    urls: [w.url, second.url],
    w,
    child: second.child,
    died: () => died,
    restart: async () => {
      if (second.child.exitCode === null && second.child.signalCode === null) second.child.kill('SIGKILL');
      await second.exited;
      died = undefined;
      second = await spawn();
      p.child = second.child;
      p.urls[1] = second.url;
    },
    stop: async () => {
      stopping = true;
      const { child, exited } = second;
      if (child.exitCode === null && child.signalCode === null) {
        child.send('stop');
        // Awaited: the second process closes its store before this one is closed and its folder removed.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      await w.close();
    },
  };
  return p;
}

/** A child of the north team with consent given, made in this process. */
async function childFor(p: Processes, key: () => string, ref: string, account: string): Promise<string> {
  const deps = p.w.running.deps;
  must(
    await importCaseList(deps, {
      key: key(),
      actorId: 'demo-admin',
      csv: `case_reference,initials,team,worker,platforms\n${ref},R.C. (demo),north,demo-cm-north-1,instagram:${account}`,
    }),
  );
  const childId = await p.w.childId(ref);
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
  return childId;
}

export async function raceRounds(o: {
  store: StoreName;
  rounds: number;
  perRound: number;
  log?: (line: string) => void;
}): Promise<RaceFigures> {
  const p = await twoProcesses(o.store);
  const { urls } = p;
  const deps = p.w.running.deps;
  const store = p.w.running.store;
  const f: RaceFigures = {
    store: o.store,
    processes: urls.length,
    rounds: o.rounds,
    perRound: o.perRound,
    approvals: 0,
    failedInvokes: 0,
    redelivered: 0,
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
      const childId = await childFor(p, key, ref, `@race_${round}`);
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
      // Each approval from the team manager's own card of the request (it carries the version it showed),
      // then every one at the same moment, alternately through each process.
      const pressed = new Map<string, Record<string, unknown>>();
      for (const requestId of ids) pressed.set(requestId, await shown(urls[0]!, 'demo-tm-north', requestId));
      const retried: string[] = [];
      const { answers, failed } = await together(
        ids.map(
          (requestId, i) => () =>
            deliver(
              urls[i % urls.length]!,
              invoke('demo-tm-north', 'request.approve', {
                ...pressed.get(requestId),
                requestId,
                reasons: 'Necessary and proportionate (fictional).',
              }),
              retried,
            ),
        ),
      );
      f.redelivered += retried.length;
      f.approvals += ids.length;
      f.failedInvokes += failed.length + answers.filter((a) => a.status !== 200).length;
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
        `${o.store} round ${round + 1}/${o.rounds}: ${approved} approved, ${requests.filter((r) => r.status === 'escalated').length} escalated, ${decisions} approve decisions${retried.length ? `; ${retried.length} delivered again: ${retried[0]}` : ''}${failed.length ? `; ${failed.length} not answered: ${failed[0]}` : ''}`,
      );
      const died = p.died();
      if (died) throw new Error(`${o.store} round ${round + 1}: ${died}`);
    }
    f.auditIntact = (await store.audit.verify()).ok;
  } finally {
    f.ms = Date.now() - started;
    await p.stop();
  }
  return f;
}

export interface ReplayFigures {
  store: StoreName;
  processes: number;
  rounds: number;
  /** Copies of each delivery sent at the same moment, alternately to the two processes. */
  copies: number;
  /** Deliveries sent in all (the form and the approval, `copies` of each per round). */
  deliveries: number;
  /** Not answered even when delivered again, or answered with other than 200 (must be 0). */
  failedInvokes: number;
  /** Copies delivered again, same activity, after the connection closed before an answer. */
  redelivered: number;
  /** Copies answered with something other than the first answer (the request raised; "You approved"). */
  otherAnswers: number;
  /** Requests raised and approve decisions written beyond one per round (must be 0). */
  duplicated: number;
  /** Rounds with no request raised or no approval written (must be 0). */
  lost: number;
  requests: number;
  decisions: number;
  /** The answers that differed, each once: their first line. */
  otherSamples: string[];
  auditIntact: boolean;
  ms: number;
}

/**
 * Issue 12, fault 3 across instances: Teams delivers the same activity again (a retry after a slow answer)
 * and the copies land on different instances at the same moment. The same form (`request.send`, one form
 * id) and the same approval (one activity id) are each sent `copies` times at once, alternately to the two
 * processes: one request and one decision are written, and every copy is answered as the first was.
 */
export async function replayRounds(o: {
  store: StoreName;
  rounds: number;
  copies: number;
  log?: (line: string) => void;
}): Promise<ReplayFigures> {
  const p = await twoProcesses(o.store);
  const { urls } = p;
  const store = p.w.running.store;
  const f: ReplayFigures = {
    store: o.store,
    processes: urls.length,
    rounds: o.rounds,
    copies: o.copies,
    deliveries: 0,
    failedInvokes: 0,
    redelivered: 0,
    otherAnswers: 0,
    duplicated: 0,
    lost: 0,
    requests: 0,
    decisions: 0,
    otherSamples: [],
    auditIntact: false,
    ms: 0,
  };
  const started = Date.now();
  let k = 0;
  const key = () => `replay-${o.store}-${++k}-${Math.random()}`;
  const retried: string[] = [];
  // One activity, as Teams would send it again: the same id and the same data in every copy.
  const copies = (from: string, verb: string, data: Record<string, unknown>) => {
    const a = invoke(from, verb, data);
    return together(
      Array.from({ length: o.copies }, (_, i) => () => deliver(urls[i % urls.length]!, a, retried)),
    );
  };
  try {
    for (let round = 0; round < o.rounds; round++) {
      const ref = `REPLAY-${round}-${Math.floor(Math.random() * 1e6)}`;
      const childId = await childFor(p, key, ref, `@replay_${round}`);
      const sent = await copies('demo-cm-north-1', 'request.send', {
        formId: `form-${ref}`,
        childId,
        reason: 'risk-of-cse',
        platforms: `instagram: @replay_${round}`,
        viewer: 'own-personal-account',
        rationale: 'Fictional: new information suggests a risk to the child.',
      });
      const raisedIds = sent.answers.map((a) => actionData(a.json?.value, 'request.withdraw')?.['requestId']);
      const requestId = raisedIds.find((id): id is string => typeof id === 'string');
      const requests = (await store.query('request', { where: { childId } })).map((r) => r.record);
      let decisions = 0;
      let approved = { answers: [] as Awaited<ReturnType<typeof post>>[], failed: [] as string[] };
      if (requestId) {
        approved = await copies('demo-tm-north', 'request.approve', {
          ...(await shown(urls[0]!, 'demo-tm-north', requestId)),
          requestId,
          reasons: 'Necessary and proportionate (fictional).',
        });
        decisions = (await store.query('decision', { where: { childId } })).length;
      }
      f.deliveries += 2 * o.copies;
      for (const r of [sent, approved])
        f.failedInvokes += r.failed.length + r.answers.filter((a) => a.status !== 200).length;
      const others = [
        ...sent.answers.filter((_, i) => raisedIds[i] !== requestId),
        ...approved.answers.filter((a) => !/You approved this request/.test(textOf(a.json?.value))),
      ];
      f.otherAnswers += others.length;
      for (const a of others) {
        const line = (textOf(a.json?.value) || JSON.stringify(a.json)).split('\n')[0]!.slice(0, 160);
        if (!f.otherSamples.includes(line)) f.otherSamples.push(line);
      }
      f.requests += requests.length;
      f.decisions += decisions;
      f.duplicated += Math.max(0, requests.length - 1) + Math.max(0, decisions - 1);
      if (requests.length === 0 || decisions === 0) f.lost += 1;
      o.log?.(
        `${o.store} replay round ${round + 1}/${o.rounds}: ${requests.length} request, ${decisions} decision from ${o.copies} copies of each${[...sent.failed, ...approved.failed].length ? `; not answered: ${[...sent.failed, ...approved.failed][0]}` : ''}`,
      );
      const died = p.died();
      if (died) throw new Error(`${o.store} replay round ${round + 1}: ${died}`);
    }
    f.auditIntact = (await store.audit.verify()).ok;
  } finally {
    f.ms = Date.now() - started;
    f.redelivered = retried.length;
    await p.stop();
  }
  return f;
}
