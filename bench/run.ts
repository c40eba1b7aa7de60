import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { type DashboardBench, tabJsGzipKb } from './dashboard';
import { invokeRatio } from './bot';
import { graphDashboardFirst, graphDecisionRun } from './graph';
import { policyEvalsPerSec } from './policy';

/**
 * `npm run bench` prints a table of figures; `npm run bench -- --json` also prints, as its last line, one
 * JSON object of all figures. Benchmarks are programs that report, not tests that pass or fail.
 */
/** The audit trail of the Graph dashboard figure: more than the list view threshold (5,000), so it is read
 * in windows. Loading it through the local Graph server takes about 50 events a second on the machine of
 * docs/PERFORMANCE.md, so it is far short of a county's three years (about 400,000 events). */
const TRAIL_EVENTS = 6_000;

type Figure = { key: string; label: string; value: number; unit: string; goal?: string };

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const figures: Figure[] = [];
  figures.push({
    key: 'policyEvalsPerSec',
    label: 'policy evaluations per second, one core',
    value: policyEvalsPerSec(),
    unit: '/s',
    goal: '≥ 200,000',
  });

  // An Approve invoke through the real bot endpoint, against a bare bot that commits one row: 300 pairs,
  // interleaved, so that the medians hold still on a busy machine.
  const invoke = await invokeRatio(300);
  figures.push(
    {
      key: 'invokeRatio',
      label: 'approve invoke: Overt ÷ bare bot (medians)',
      value: invoke.ratio,
      unit: '×',
      goal: '≤ 1.3',
    },
    {
      key: 'invokeOvertMs',
      label: '  approve invoke through Overt, median',
      value: invoke.overtMs,
      unit: 'ms',
    },
    { key: 'invokeBareMs', label: '  bare bot committing one row, median', value: invoke.bareMs, unit: 'ms' },
    {
      key: 'invokeRatioAudited',
      label: 'approve invoke: Overt ÷ bare bot with decision, chained audit row, card (medians)',
      value: invoke.ratioAudited,
      unit: '×',
      goal: '≤ 1.2',
    },
    {
      key: 'invokeBareAuditedMs',
      label: '  bare bot with decision, audit row and card, median',
      value: invoke.bareAuditedMs,
      unit: 'ms',
    },
  );

  // Decisions through the workflow on the SharePoint store, the local Graph server adding 80 ms a request.
  const graph = await graphDecisionRun({ decisions: 20, delayMs: 80 });
  figures.push(
    {
      key: 'graphRequestsPerDecision',
      label: 'Graph requests per decision (approve)',
      value: graph.requestsPerDecision,
      unit: '',
      goal: '≤ 2',
    },
    {
      key: 'graphRuPerDecision',
      label: 'SharePoint resource units per decision',
      value: graph.ruPerDecision,
      unit: 'RU',
    },
    {
      key: 'graphApproveP95Ms',
      label: 'approve via Graph, 80 ms a request, p95',
      value: graph.p95Ms,
      unit: 'ms',
      goal: '≤ 400',
    },
    ...Object.entries(graph.perUseCase).map(([useCase, n]) => ({
      key: `graphRequests_${useCase}`,
      label: `  Graph requests: ${useCase}`,
      value: n,
      unit: '',
      goal: '≤ 2',
    })),
    ...Object.entries(graph.readMs).map(([name, ms]) => ({
      key: `graphReadMs_${name}`,
      label: `  read via Graph, 80 ms a request: ${name}`,
      value: ms,
      unit: 'ms',
    })),
  );

  // The first dashboard of a new instance on a SharePoint site with a long audit trail, 80 ms a request.
  const first = await graphDashboardFirst({ events: TRAIL_EVENTS, delayMs: 80 });
  figures.push(
    {
      key: 'graphDashboardFirstMs',
      label: `dashboard via Graph, first after an instance starts (checkpoint), ${first.events.toLocaleString('en-GB')} events, 80 ms a request`,
      value: first.ms,
      unit: 'ms',
      goal: '≤ 3,000',
    },
    {
      key: 'graphDashboardFirstRequests',
      label: '  Graph requests of that first dashboard',
      value: first.requests,
      unit: '',
    },
    {
      key: 'graphDashboardFirstWholeTrailMs',
      label: '  the same without the checkpoint (the whole trail read)',
      value: first.wholeTrailMs,
      unit: 'ms',
    },
    {
      key: 'graphDashboardFirstWholeTrailRequests',
      label: '  Graph requests without the checkpoint',
      value: first.wholeTrailRequests,
      unit: '',
    },
  );

  // The dashboard API over 100,000 checks and 5,000 children in SQLite, in a process of its own so that its
  // resident memory is the service's alone; the tab's bundle.
  const out = execFileSync(process.execPath, [join(__dirname, 'dashboard.js')], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const dashboard = JSON.parse(out.trim().split('\n').at(-1)!) as DashboardBench;
  figures.push(
    {
      key: 'dashboardP95Ms',
      label: 'dashboard API, 100,000 checks, p95',
      value: dashboard.p95Ms,
      unit: 'ms',
      goal: '≤ 50',
    },
    {
      key: 'dashboardFirstMs',
      label: 'dashboard API, first call after start',
      value: dashboard.firstMs,
      unit: 'ms',
    },
    {
      key: 'rssMb',
      label: 'resident memory, 100,000 checks loaded, dashboard served',
      value: dashboard.rssMb,
      unit: 'MB',
      goal: '≤ 200',
    },
    { key: 'tabJsGzipKb', label: 'tab bundle, gzipped', value: tabJsGzipKb(), unit: 'KB', goal: '≤ 400' },
  );

  const width = Math.max(...figures.map((f) => f.label.length));
  for (const f of figures)
    console.log(
      `${f.label.padEnd(width)}  ${f.value.toLocaleString('en-GB').padStart(12)} ${f.unit}${f.goal ? `   (goal ${f.goal})` : ''}`,
    );
  if (json) console.log(JSON.stringify(Object.fromEntries(figures.map((f) => [f.key, f.value]))));
}

void main(process.argv.slice(2));
