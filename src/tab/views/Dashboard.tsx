import { useState } from 'react';
import { Link, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import type { Dashboard, Period, TeamFigures } from '../../workflow/dashboard';
import type { Client } from '../api';
import { DataTable, day, Heading, Loaded, useLoad } from '../common';
import { useMe } from '../nav';
import { TeamBarChart } from '../team-chart';

/** The service dashboard: a period's figures by team, what is open now, and children needing attention. */

const FIGURES: [keyof TeamFigures, string][] = [
  ['checks', 'Checks'],
  ['approvals', 'Approved'],
  ['declines', 'Declined'],
  ['refusals', 'Refused by policy'],
  ['medianHoursToDecision', 'Median hours to decision'],
  ['repeatsStopped', 'Repeats stopped (too soon after the last)'],
  ['escalatedToRipa', 'Escalated to RIPA'],
  ['expiredUnrecorded', 'Approved, never recorded'],
];

const show = (v: number | null) => (v === null ? '—' : String(v));

const PERIOD_NAME: Record<Period, string> = {
  month: 'this month',
  quarter: 'this quarter',
  year: 'this year',
};

/** The charts: which figures each one draws, one series a figure. */
const CHARTS: { id: string; title: string; figures: (keyof TeamFigures)[] }[] = [
  { id: 'checks', title: 'Checks by team', figures: ['checks'] },
  { id: 'decisions', title: 'Decisions by team', figures: ['approvals', 'declines', 'refusals'] },
  { id: 'near-misses', title: 'Near-misses by team', figures: ['repeatsStopped', 'escalatedToRipa'] },
];
const LABEL = new Map(FIGURES);

export function DashboardView({ api }: { api: Client }) {
  const me = useMe();
  const [load] = useLoad(() => api.get<Dashboard>('/api/v1/dashboard'), [api]);
  const [period, setPeriod] = useState<Period>('month');
  return (
    <section aria-labelledby="dashboard-h">
      <Heading>
        <span id="dashboard-h">
          {me.role === 'team-manager' ? 'Your team’s figures' : 'Service dashboard'}
        </span>
      </Heading>
      <Loaded load={load}>
        {(d) => {
          const p = d.periods.find((x) => x.id === period)!;
          const name = new Map(d.teams.map((t) => [t.id, t.name]));
          return (
            <>
              <TabList
                selectedValue={period}
                onTabSelect={(_e, v) => setPeriod(v.value as Period)}
                aria-label="Period"
                size="small"
                style={{ flexWrap: 'wrap' }}
              >
                <Tab value="month">This month</Tab>
                <Tab value="quarter">This quarter</Tab>
                <Tab value="year">This year</Tab>
              </TabList>
              <Text size={200} block style={{ color: tokens.colorNeutralForeground3, margin: '4px 0 8px' }}>
                From {day(p.from)} to {day(p.to)}
              </Text>
              <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12 }} role="list" aria-label="Totals">
                {FIGURES.map(([k, label]) => (
                  <div
                    role="listitem"
                    key={k}
                    style={{
                      background: tokens.colorNeutralBackground1,
                      border: `1px solid ${tokens.colorNeutralStroke2}`,
                      borderRadius: 6,
                      padding: '8px 12px',
                      minWidth: 140,
                      flex: '1 1 140px',
                    }}
                  >
                    <Text block size={200}>
                      {label}
                    </Text>
                    <Text block size={600} weight="semibold" data-figure={k}>
                      {show(p.total[k])}
                    </Text>
                  </div>
                ))}
              </div>
              <Heading level={3}>Charts</Heading>
              <div
                data-charts
                style={{
                  display: 'grid',
                  gap: 12,
                  gridTemplateColumns: 'repeat(auto-fit, minmax(min(340px, 100%), 1fr))',
                }}
              >
                {CHARTS.map((c) => (
                  <TeamBarChart
                    key={`${c.id}-${period}`}
                    id={c.id}
                    title={`${c.title}, ${PERIOD_NAME[period]}`}
                    teams={d.teams}
                    series={c.figures.map((k) => ({
                      legend: LABEL.get(k)!,
                      value: (team) => p.byTeam[team]?.[k] ?? 0,
                    }))}
                    tableNote="The same figures, and the others, are in the table “Figures by team” below."
                  />
                ))}
              </div>
              <Heading level={3}>Figures by team</Heading>
              <DataTable
                label={`Figures by team, ${period}`}
                rows={d.teams}
                rowKey={(t) => t.id}
                columns={[
                  { label: 'Team', render: (t) => t.name },
                  ...FIGURES.map(([k, text]) => ({
                    label: text,
                    render: (t: (typeof d.teams)[number]) => show(p.byTeam[t.id]?.[k] ?? null),
                  })),
                ]}
              />
              <Heading level={3}>Open now</Heading>
              <DataTable
                label="Open now, by team"
                rows={d.teams}
                rowKey={(t) => t.id}
                columns={[
                  { label: 'Team', render: (t) => t.name },
                  {
                    label: 'Overdue consent reminders',
                    render: (t) => String(d.open[t.id]!.overdueReminders),
                  },
                  { label: 'Open objections', render: (t) => String(d.open[t.id]!.openObjections) },
                  { label: 'Approved, awaiting record', render: (t) => String(d.open[t.id]!.awaitingRecord) },
                  { label: 'Awaiting decision', render: (t) => String(d.open[t.id]!.pending) },
                ]}
              />
              <Heading level={3}>Children needing attention</Heading>
              {d.attention.length ? (
                <ul aria-label="Children needing attention">
                  {d.attention.map((a) => (
                    <li key={`${a.why}-${a.childId}`}>
                      <Link href={`#child/${encodeURIComponent(a.childId)}`}>{a.caseRef}</Link> (
                      {name.get(a.teamId) ?? a.teamId}):{' '}
                      {a.why === 'objection-open' ? 'objection open' : 'consent reminder overdue'} since{' '}
                      {day(a.since)}
                    </li>
                  ))}
                </ul>
              ) : (
                <Text>None.</Text>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
