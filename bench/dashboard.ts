import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createApi } from '../src/api/api';
import { AuthConfig } from '../src/api/auth-config';
import type { AuditDraft } from '../src/store/audit';
import { openStore } from '../src/store/open';
import type { Check, Child, Decision, Request, Staff, Team } from '../src/store/records';
import type { Write } from '../src/store/store';
import { createDeps } from '../src/workflow';

/**
 * The dashboard API over a large service in SQLite: 5,000 children in 10 teams and 100,000 checks over the
 * past year, each with its request, approval and audit events (raise, approve), plus refusals, escalations,
 * objections and due reminders. The data is written straight through `store.commit` in large units (the
 * workflow would take far longer and is not what is measured). Then `GET /api/v1/dashboard` over HTTP, as
 * the tab calls it; the first call (which files the audit trail into the projection) is reported apart.
 */

const TEAMS = 10;
const CHILDREN = 5_000;
const CHECKS = 100_000;
const UNIT = 1_000;

export interface DashboardBench {
  p95Ms: number;
  medianMs: number;
  firstMs: number;
  loadSeconds: number;
  /** The process's resident memory once the dashboard has been served (run it in a process of its own). */
  rssMb: number;
}

export async function dashboardBench(calls = 100): Promise<DashboardBench> {
  const dir = mkdtempSync(join(tmpdir(), 'overt-bench-dashboard-'));
  const opened = await openStore({ dataDir: dir, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  const now = new Date();
  const at = now.toISOString();
  const t0 = performance.now();
  try {
    let k = 0;
    const commit = async (writes: Write[], audit: AuditDraft[], when = at) => {
      const r = await store.commit({ key: `bench-dashboard-${++k}`, at: when, writes, audit });
      if (r.status !== 'committed') throw new Error(`bench load: ${r.status}`);
    };
    const sm: Staff = { id: 'demo-sm', name: 'Bench SM', role: 'service-manager', teamIds: [] };
    const teams: Team[] = Array.from({ length: TEAMS }, (_, i) => ({
      id: `t${i}`,
      name: `Team ${i}`,
      profileId: 'nottinghamshire-yjs',
      managerIds: [`tm${i}`],
    }));
    sm.teamIds = teams.map((t) => t.id);
    await commit(
      [
        { kind: 'staff', record: sm },
        ...teams.map((t) => ({ kind: 'team' as const, record: t })),
        ...teams.map((t, i) => ({
          kind: 'staff' as const,
          record: { id: `tm${i}`, name: `TM ${i}`, role: 'team-manager' as const, teamIds: [t.id] },
        })),
      ],
      [],
    );
    const children: Child[] = Array.from({ length: CHILDREN }, (_, i) => ({
      id: `c${i}`,
      caseRef: `BENCH-${i}`,
      displayName: `C.${i} (bench)`,
      teamId: `t${i % TEAMS}`,
      workerId: `tm${i % TEAMS}`,
      platforms: [{ platform: 'instagram', account: `@bench_${i}` }],
      createdAt: at,
      consentStatus: 'given',
      reminderDueAt: new Date(now.getTime() + ((i % 97) - 10) * 86_400_000).toISOString(),
    }));
    for (let i = 0; i < CHILDREN; i += UNIT)
      await commit(
        children.slice(i, i + UNIT).map((record) => ({ kind: 'child', record })),
        [],
      );
    const verdict = { outcome: 'allow', cites: ['000 §11'], explanation: 'bench' };
    const slices = CHECKS / UNIT;
    const sliceMs = (365 * 86_400_000) / slices;
    const yearAgo = now.getTime() - 365 * 86_400_000;
    for (let s = 0; s < slices; s++) {
      // Each slice of the year: the requests raised, decided some hours later, the checks recorded a day on.
      const raised = new Date(yearAgo + s * sliceMs);
      const decided = new Date(raised.getTime() + (6 + (s % 30)) * 3_600_000);
      const viewed = new Date(decided.getTime() + 86_400_000);
      const requests: Write[] = [];
      const decisions: Write[] = [];
      const checks: Write[] = [];
      const raiseEvents: AuditDraft[] = [];
      const decideEvents: AuditDraft[] = [];
      const recordEvents: AuditDraft[] = [];
      for (let j = s * UNIT; j < (s + 1) * UNIT; j++) {
        const child = children[j % CHILDREN]!;
        const base = { childId: child.id, teamId: child.teamId };
        const tm = `tm${j % TEAMS}`;
        const request: Request = {
          id: `r${j}`,
          ...base,
          requesterId: child.workerId,
          reason: 'risk-of-cce',
          platforms: child.platforms,
          viewer: 'own-personal-account',
          status: 'completed',
          authority: 'team-manager',
          profileId: 'nottinghamshire-yjs',
          profileVersion: '2.0',
          verdict,
          createdAt: raised.toISOString(),
          updatedAt: viewed.toISOString(),
          decidedAt: decided.toISOString(),
          decidedBy: tm,
        };
        const decision: Decision = {
          id: `d${j}`,
          requestId: request.id,
          ...base,
          deciderId: tm,
          authority: 'team-manager',
          outcome: j % 10 === 0 ? 'decline' : 'approve',
          reasons: 'Bench reasons (fictional).',
          at: decided.toISOString(),
        };
        const check: Check = {
          id: `k${j}`,
          requestId: request.id,
          ...base,
          viewerId: child.workerId,
          viewedAt: viewed.toISOString(),
          accounts: child.platforms,
          relevantInfo: '',
          thirdPartyData: 'none',
          sensitive: false,
          attestNoFriendFollow: true,
          attestOpenSourceOnly: true,
          recordedAt: viewed.toISOString(),
          recordedBy: child.workerId,
        };
        requests.push({ kind: 'request', record: request });
        decisions.push({ kind: 'decision', record: decision });
        checks.push({ kind: 'check', record: check });
        const actor = { id: child.workerId, role: 'case-manager' as const };
        raiseEvents.push({
          actor,
          action: 'request.raise',
          target: { kind: 'request', id: request.id },
          outcome: j % 50 === 0 ? 'needs-escalation' : 'allow',
          details: { ...base, determining: j % 50 === 0 ? ['repeat-inside-three-months'] : [] },
        });
        if (j % 40 === 0)
          raiseEvents.push({
            actor,
            action: 'request.raise',
            target: { kind: 'child', id: child.id },
            outcome: 'refuse',
            details: { determining: ['objection-open'] },
          });
        decideEvents.push({
          actor: { id: tm, role: 'team-manager' },
          action: `request.${decision.outcome}`,
          target: { kind: 'request', id: request.id },
          outcome: decision.outcome === 'approve' ? 'allow' : 'declined',
          details: base,
        });
        recordEvents.push({
          actor,
          action: 'check.record',
          target: { kind: 'check', id: check.id },
          outcome: 'allow',
          details: {
            requestId: request.id,
            thirdPartyData: 'none',
            sensitive: false,
            safeguardingFollowUp: false,
          },
        });
      }
      await commit(requests, raiseEvents, raised.toISOString());
      await commit(decisions, decideEvents, decided.toISOString());
      await commit(checks, recordEvents, viewed.toISOString());
    }
    const loadSeconds = (performance.now() - t0) / 1000;

    const deps = createDeps(store);
    const { handlers } = createApi(deps, AuthConfig.parse({ OVERT_DEMO_AUTH: 'on' }));
    const server = createServer((req, res) => {
      void (async () => {
        for (const h of handlers) if (await h(req, res)) return;
        res.writeHead(404).end();
      })();
    });
    await new Promise<void>((r) => server.listen(0, () => r()));
    const url = `http://localhost:${(server.address() as { port: number }).port}/api/v1/dashboard`;
    const call = async () => {
      const s = performance.now();
      const res = await fetch(url, { headers: { 'x-overt-demo-persona': 'demo-sm' } });
      const body = (await res.json()) as { periods?: { total: { checks: number } }[] };
      if (res.status !== 200 || (body.periods?.[2]?.total.checks ?? 0) === 0)
        throw new Error(`dashboard: ${res.status}`);
      return performance.now() - s;
    };
    try {
      const firstMs = await call();
      const times: number[] = [];
      for (let i = 0; i < calls; i++) times.push(await call());
      times.sort((a, b) => a - b);
      const round = (x: number) => Math.round(x * 10) / 10;
      return {
        p95Ms: round(times[Math.ceil(times.length * 0.95) - 1]!),
        medianMs: round(times[Math.floor(times.length / 2)]!),
        firstMs: round(firstMs),
        loadSeconds: round(loadSeconds),
        rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
      };
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The tab's bundle gzipped, in KB (built by `npm run build`, which runs `build:tab`). */
export function tabJsGzipKb(): number {
  const file = resolve(__dirname, '..', '..', 'dist', 'tab', 'tab.js');
  const alt = resolve(__dirname, '..', 'dist', 'tab', 'tab.js');
  const path = existsSync(file) ? file : alt;
  if (!existsSync(path)) throw new Error('dist/tab/tab.js is missing: run `npm run build`');
  return Math.round((gzipSync(readFileSync(path), { level: 9 }).length / 1024) * 10) / 10;
}

if (require.main === module)
  void dashboardBench().then((r) => console.log(JSON.stringify({ ...r, tabJsGzipKb: tabJsGzipKb() })));
