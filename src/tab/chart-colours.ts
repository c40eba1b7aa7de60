import type { Theme } from '@fluentui/react-components';
import type { ThemeName } from './teams';
import { THEMES } from './theme';

/**
 * The colours of a chart's series, taken from the active Teams theme's tokens (resolved to their values, not
 * CSS variables: the chart library reads colours with d3-color in places). Default and dark: brand blue, dark
 * orange and berry, foreground tokens that keep more than 4.5:1 against the card behind them, and blue next
 * to orange for readers who confuse red and green. High contrast: the theme's three distinct colours (white, cyan, yellow). Under forced
 * colours (Windows high contrast, where the browser replaces the page's colours but not an SVG's fills) the
 * system's colours, so that the bars keep to the palette the reader chose.
 */

type ColourToken = keyof Pick<
  Theme,
  | 'colorBrandForeground1'
  | 'colorPaletteDarkOrangeForeground1'
  | 'colorPaletteBerryForeground1'
  | 'colorNeutralForeground1'
  | 'colorCompoundBrandForeground1'
  | 'colorBrandForegroundLink'
>;

const ORDINARY: ColourToken[] = [
  'colorBrandForeground1',
  'colorPaletteDarkOrangeForeground1',
  'colorPaletteBerryForeground1',
];

const SERIES_TOKENS: Record<ThemeName, ColourToken[]> = {
  default: ORDINARY,
  dark: ORDINARY,
  contrast: ['colorNeutralForeground1', 'colorCompoundBrandForeground1', 'colorBrandForegroundLink'],
};

const FORCED = ['CanvasText', 'Highlight', 'LinkText'];

const forcedColours = () => window.matchMedia('(forced-colors: active)').matches;

/** The colours for `n` series (at most three) in the theme named. */
export function seriesColours(theme: ThemeName, n: number, forced = forcedColours()): string[] {
  const colours = forced ? FORCED : SERIES_TOKENS[theme].map((t) => THEMES[theme][t]);
  if (n > colours.length) throw new Error(`charts have colours for ${colours.length} series, not ${n}`);
  return colours.slice(0, n);
}
