import { useId } from 'react';
import { GroupedVerticalBarChart, type GroupedVerticalBarChartData } from '@fluentui/react-charts';
import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { seriesColours } from './chart-colours';
import { useThemeName } from './theme';

/**
 * A bar chart of figures by team (Fluent UI's grouped vertical bar chart): one group per team, one bar per
 * series, each bar labelled with its value, coloured from the Teams theme. Each bar can be focused and is
 * named for screen readers ("North Locality Team. Approved, 4."); `tableNote` says where the same figures are
 * as a table, for those who would rather read them there.
 */

export interface TeamSeries {
  legend: string;
  value: (teamId: string) => number;
}

/** The chart's own height (legend included): it takes the height of its container, which must be fixed. */
const CHART_HEIGHT = 300;

// The charts' legends capitalise each word; the figures' names are written as they should read. A legend
// keeps to one line by default, cut off at 320 px ("Repeats stopped (too soon after the"): it wraps instead.
const useStyles = makeStyles({
  legend: {
    textTransform: 'none',
    whiteSpace: 'normal',
    maxWidth: '100%',
    height: 'auto',
    textAlign: 'start',
  },
  legendContainer: { maxWidth: '100%', whiteSpace: 'normal' },
  legendText: { whiteSpace: 'normal', overflowWrap: 'normal' },
});

const wholeNumbers = (v: number) => (Number.isInteger(v) ? String(v) : '');

export function TeamBarChart({
  id,
  title,
  teams,
  series,
  tableNote,
}: {
  id: string;
  title: string;
  teams: { id: string; name: string }[];
  series: TeamSeries[];
  tableNote: string;
}) {
  const theme = useThemeName();
  const classes = useStyles();
  const captionId = useId();
  const noteId = useId();
  const colours = seriesColours(theme, series.length);
  const data: GroupedVerticalBarChartData[] = teams.map((t) => ({
    name: t.name,
    series: series.map((s, i) => ({
      key: `${t.id}-${i}`,
      legend: s.legend,
      data: s.value(t.id),
      color: colours[i],
      xAxisCalloutData: t.name,
    })),
  }));
  return (
    <figure
      data-chart={id}
      aria-labelledby={captionId}
      aria-describedby={noteId}
      style={{
        margin: 0,
        padding: '8px 12px',
        minWidth: 0,
        background: tokens.colorNeutralBackground1,
        border: `1px solid ${tokens.colorNeutralStroke2}`,
        borderRadius: tokens.borderRadiusMedium,
      }}
    >
      <figcaption id={captionId}>
        <Text weight="semibold">{title}</Text>
      </figcaption>
      <div style={{ height: CHART_HEIGHT }}>
        <GroupedVerticalBarChart
          data={data}
          chartTitle={title}
          height={CHART_HEIGHT}
          hideLegend={series.length === 1}
          legendProps={{
            styles: {
              legend: classes.legend,
              text: classes.legendText,
              resizableArea: classes.legendContainer,
              root: classes.legendContainer,
            },
          }}
          enabledLegendsWrapLines
          wrapXAxisLables
          hideTickOverlap={false}
          barWidth="auto"
          maxBarWidth={32}
          yAxisTickFormat={wholeNumbers}
          roundCorners
          margins={{ left: 40, right: 48, top: 20, bottom: 35 }}
        />
      </div>
      <Text as="p" size={200} id={noteId} style={{ margin: 0, color: tokens.colorNeutralForeground3 }}>
        {tableNote}
      </Text>
    </figure>
  );
}
