/**
 * A list on a card (what waits for a decision, a person's requests, the RIPA queue) is capped: Teams refuses an
 * activity over about 28 KB, and a card of every entry grew past it (67 waiting requests were 33 KB, answered
 * "Something went wrong"). A list shows at most LIST_SHOWN entries and LIST_BYTES of them, so a list card stays
 * well under the limit whatever the entries hold, says how many more there are, and points to the tab, where
 * the whole list is.
 */
import { actionSet, openUrl, textBlock } from '../cards/build';
import type { CardElement } from '../cards/types';
import type { TabLink, TabView } from '../settings';

/** The most entries a list card shows. */
export const LIST_SHOWN = 10;
/** The most bytes (JSON) a list card's entries take together. */
export const LIST_BYTES = 12 * 1024;

const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x), 'utf8');

/**
 * The first entries that fit (at least one), then, when some are left out of `total`, a line saying how many
 * more there are and a button that opens the tab at `view` (or, with no link, where the tab is in words).
 */
export function capped(
  entries: CardElement[],
  total: number,
  more: { view: TabView; what: (n: number) => string; tab: TabLink; arg?: string; shown?: number },
): CardElement[] {
  const shown: CardElement[] = [];
  let used = 0;
  for (const e of entries.slice(0, more.shown ?? LIST_SHOWN)) {
    used += bytes(e);
    if (shown.length && used > LIST_BYTES) break;
    shown.push(e);
  }
  const left = Math.max(0, total - shown.length);
  if (!left) return shown;
  const url = more.tab(more.view, more.arg);
  return [
    ...shown,
    textBlock(
      `${more.what(left)} not shown here: ${url ? 'open the Overt tab to see them all.' : 'they are all in the Overt tab in Teams.'}`,
      { weight: 'bolder', separator: true },
    ),
    ...(url ? [actionSet([openUrl('Open the Overt tab', url)])] : []),
  ];
}
