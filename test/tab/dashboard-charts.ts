import { teamsDarkTheme, teamsLightTheme, type Theme } from '@fluentui/react-components';
import type { Page } from 'playwright-core';
import type { Dashboard, Period, TeamFigures } from '../../src/workflow/dashboard';

/**
 * The dashboard's charts checked against the API's own figures: for each chart, one group of bars a team, a
 * bar for each figure that is not zero (named "<team>. <figure>, <value>." for screen readers, its height in
 * proportion to the value, its colour the theme's), and a value label over every figure, zeros included.
 */

/** The charts the dashboard draws and the figures in each, in order, with the names in their legends. */
export const CHARTS: { id: string; series: [keyof TeamFigures, string][] }[] = [
  { id: 'checks', series: [['checks', 'Checks']] },
  {
    id: 'decisions',
    series: [
      ['approvals', 'Approved'],
      ['declines', 'Declined'],
      ['refusals', 'Refused by policy'],
    ],
  },
  {
    id: 'near-misses',
    series: [
      ['repeatsStopped', 'Repeats stopped (too soon after the last)'],
      ['escalatedToRipa', 'Escalated to RIPA'],
    ],
  },
];

export type Scheme = 'light' | 'dark' | 'contrast';

const fromTheme = (t: Theme) => [
  t.colorBrandForeground1,
  t.colorPaletteDarkOrangeForeground1,
  t.colorPaletteBerryForeground1,
];

/** The series' colours: the Teams theme's tokens; under forced colours, the system's. */
export const SERIES_COLOURS: Record<Scheme, string[]> = {
  light: fromTheme(teamsLightTheme),
  dark: fromTheme(teamsDarkTheme),
  contrast: ['CanvasText', 'Highlight', 'LinkText'],
};

/** The dashboard as the API gives it to the persona, fetched from the page (same origin, same header). */
export function dashboardFigures(page: Page, persona: string): Promise<Dashboard> {
  return page.evaluate(async (p) => {
    const r = await fetch('/api/v1/dashboard', { headers: { 'x-overt-demo-persona': p } });
    if (!r.ok) throw new Error(`GET /api/v1/dashboard: ${r.status}`);
    return (await r.json()) as Dashboard;
  }, persona);
}

interface DrawnGroup {
  name: string;
  bars: { label: string; fill: string; height: number }[];
  labels: string[];
}

/** What a chart's SVG holds: its groups (named for a team), their bars and their value labels. */
async function drawn(page: Page, id: string): Promise<DrawnGroup[]> {
  const svg = page.locator(`figure[data-chart="${id}"] svg[role="region"]`);
  await svg.waitFor();
  return svg.evaluate((el) =>
    [...el.querySelectorAll('g[role="listbox"]')].map((g) => ({
      name: g.getAttribute('aria-label') ?? '',
      bars: [...g.querySelectorAll('rect[role="option"]')].map((r) => ({
        label: r.getAttribute('aria-label') ?? '',
        fill: r.getAttribute('fill') ?? '',
        height: Number(r.getAttribute('height')),
      })),
      labels: [...g.querySelectorAll('text')].map((t) => t.textContent ?? ''),
    })),
  );
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every chart as the period's figures say it should be drawn, in the scheme's colours. */
export async function expectChartsToShow(page: Page, d: Dashboard, period: Period, scheme: Scheme) {
  const p = d.periods.find((x) => x.id === period)!;
  for (const chart of CHARTS) {
    const groups = await drawn(page, chart.id);
    const value = (team: string, k: keyof TeamFigures) => p.byTeam[team]?.[k] ?? 0;
    expect(
      groups.map(({ name, bars, labels }) => ({ name, bars: bars.map(({ height: _h, ...b }) => b), labels })),
    ).toEqual(
      d.teams.map((t) => ({
        name: expect.stringMatching(new RegExp(`^${escape(t.name)}, `)),
        bars: chart.series.flatMap(([k, legend], i) =>
          value(t.id, k)
            ? [{ label: `${t.name}. ${legend}, ${value(t.id, k)}.`, fill: SERIES_COLOURS[scheme][i] }]
            : [],
        ),
        labels: chart.series.map(([k]) => String(value(t.id, k))),
      })),
    );
    // Heights in proportion to the values (to within a pixel), so the tallest bar is the largest figure.
    const bars = groups.flatMap((g) =>
      g.bars.map((b) => ({ h: b.height, v: Number(/, (\d+)\.$/.exec(b.label)![1]) })),
    );
    const tallest = bars.reduce((a, b) => (b.v > a.v ? b : a), { h: 0, v: 0 });
    for (const b of bars) expect(Math.abs(b.h - (b.v / tallest.v) * tallest.h)).toBeLessThan(1.5);
    if (chart.series.length > 1)
      for (const [, legend] of chart.series)
        await page
          .locator(`figure[data-chart="${chart.id}"]`)
          .getByRole('option', { name: legend, exact: true })
          .waitFor();
  }
}

/** The same, retried until the charts have caught up with a change of period or theme (at most 5 s). */
export async function untilChartsShow(page: Page, d: Dashboard, period: Period, scheme: Scheme) {
  const end = Date.now() + 5000;
  for (;;) {
    try {
      return await expectChartsToShow(page, d, period, scheme);
    } catch (error) {
      if (Date.now() > end) throw error;
      await page.waitForTimeout(100);
    }
  }
}
