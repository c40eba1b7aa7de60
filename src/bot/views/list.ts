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
import { act } from './act';

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

/** The order of what waits for a decision or an authorisation, in the bot and the tab alike (awaitingDecision
 * and the RIPA queue read it so): what has waited longest first — a decision overdue is the one the service
 * manager is told of. */
export const WAITING_ORDER = 'longest waiting first';

/** One page of a list: its entries, which page of how many it is, and the place of its first entry (from 1). */
export interface Page<T> {
  these: T[];
  page: number;
  pages: number;
  first: number;
}

/** Page `page` of `items`, `size` a page (a page past the end is the last; before the first, the first). */
export function pageOf<T>(items: T[], page = 1, size = LIST_SHOWN): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const shown = Math.min(Math.max(1, page), pages);
  const first = (shown - 1) * size;
  return { these: items.slice(first, first + size), page: shown, pages, first: first + 1 };
}

/** "Page 2 of 3: requests 11 to 20." — which of how many entries a page shows (nothing when one page holds all). */
export function pageLine(p: Page<unknown>, noun: string): CardElement[] {
  if (p.pages <= 1) return [];
  return [
    textBlock(`Page ${p.page} of ${p.pages}: ${noun} ${p.first} to ${p.first + p.these.length - 1}.`, {
      wrap: true,
      isSubtle: true,
    }),
  ];
}

/**
 * The way from one page to the others, the same on every paged list card ("waiting for me", the RIPA queue):
 * what to type for a page ("waiting for me 2"), Previous and Next page buttons (the verb, with `page`), and the
 * tab at `view`, where the whole list is. Nothing when one page holds all.
 */
export function pageNav(
  p: Page<unknown>,
  nav: { typed: string; verb: 'requests.waiting' | 'ripa.queue'; tab: TabLink; view: TabView },
): CardElement[] {
  if (p.pages <= 1) return [];
  const url = nav.tab(nav.view);
  return [
    textBlock(
      `Or type “${nav.typed}” and a page’s number, e.g. “${nav.typed} ${p.page < p.pages ? p.page + 1 : 1}”.`,
      { wrap: true, size: 'small', isSubtle: true, separator: true },
    ),
    actionSet([
      ...(p.page > 1 ? [act(nav.verb, 'Previous page', { page: String(p.page - 1) })] : []),
      ...(p.page < p.pages ? [act(nav.verb, 'Next page', { page: String(p.page + 1) })] : []),
    ]),
    ...(url ? [actionSet([openUrl('Open the Overt tab', url)])] : []),
  ];
}
