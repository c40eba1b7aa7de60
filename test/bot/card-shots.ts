/**
 * Renders cards as Teams' clients do — the `adaptivecards` renderer (its browser bundle), markdown through
 * markdown-it — in headless Chromium, at a phone's width (400 px) and a desktop's (1280 px), and keeps a
 * screenshot of each under test-artifacts/<folder>/<name>-<width>.png. What it finds wrong comes back as
 * problems in words: a parse or validation event from the renderer, anything wider than the card (a phone
 * would scroll sideways), an action with no button, a button whose title is cut off, and on the approver's
 * card buttons below a phone's first screen.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS_DIR, launchChromium } from '../browser/chromium';
import type { Json } from './playground';

export const WIDTHS = [400, 1280] as const;
/** The height of a phone's first screen, in CSS px (a common phone: 390 × 844). */
export const PHONE_SCREEN = 844;

export type CardShot = {
  name: string;
  width: number;
  path: string;
  problems: string[];
  /** Dates the rendered card shows in a machine's form (2026-12-01, 2026-12-01T14:05, 01/12/2026), not as
   * people read them ("1 December 2026"): what its text shows, never an input's value. */
  machineDates: string[];
};

/** A date in a machine's form: ISO 8601 (a day or an instant) or numeric day/month/year. */
export const MACHINE_DATE = /\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b|\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g;

const RENDERER = `
const md = window.markdownit({ html: false, linkify: true, breaks: false });
window.AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = md.render(text);
  result.didProcess = true;
};
window.renderCard = (json, titles) => {
  const AC = window.AdaptiveCards;
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const events = [];
  for (let i = 0; i < context.eventCount; i++) events.push(context.getEventAt(i).message);
  for (const e of card.validateProperties().validationEvents) events.push(e.message);
  const element = card.render();
  const host = document.getElementById('host');
  host.replaceChildren(element);
  const box = host.getBoundingClientRect();
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const wide = [];
  for (const el of host.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > box.right + 1)
      wide.push((el.innerText || el.getAttribute('aria-label') || el.tagName).slice(0, 60) + ' ends at ' + Math.round(r.right) + ' px');
  }
  // Text cut off inside its own box (a FactSet value or a TextBlock clips what cannot wrap: a word with no
  // place to break, e.g. a handle whose dots were made unbreakable).
  const clipped = [];
  for (const el of host.querySelectorAll('.ac-textBlock, .ac-richTextBlock, .ac-fact-value, .ac-fact-title')) {
    if (!shown(el)) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      clipped.push((el.innerText || '').slice(0, 60) + ' needs ' + el.scrollWidth + ' px of ' + el.clientWidth);
  }
  if (document.documentElement.scrollWidth > window.innerWidth)
    wide.push('the page scrolls sideways (' + document.documentElement.scrollWidth + ' px)');
  const buttons = Array.from(host.querySelectorAll('button')).map((b) => ({
    text: (b.getAttribute('aria-label') || b.innerText || b.textContent || '').trim(),
    shown: shown(b),
    cut: Array.from(b.querySelectorAll('*')).concat([b]).some((x) => x.scrollWidth > x.clientWidth + 1),
    bottom: b.getBoundingClientRect().bottom,
  }));
  return { events, wide, clipped, buttons, height: box.height, text: host.innerText };
};`;

/**
 * Text a person typed is shown in RichTextBlocks (cards/build.ts). This renderer gives a wrapping TextBlock
 * `word-wrap: break-word` but a RichTextBlock nothing, so a word longer than the line (a long handle or URL)
 * runs off the card. The 400 px view stands for a phone, and Teams' phone apps render cards natively, where a
 * word longer than the line is broken (UILabel / TextView); the same is given to a RichTextBlock here. Nothing
 * else is: a FactSet value or TextBlock that cannot wrap is still reported cut off.
 */
const RICH_TEXT_WRAPS = '.ac-richTextBlock { overflow-wrap: break-word; }';

const page = (
  width: number,
) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>card</title>
<style>${readFileSync(require.resolve('adaptivecards/dist/adaptivecards.css'), 'utf8')}
html, body { margin: 0; padding: 0; background: #fff; font-family: "Segoe UI", "DejaVu Sans", sans-serif; }
#host { box-sizing: border-box; width: ${width}px; background: #fff; border: 1px solid #e0e0e0; }
${RICH_TEXT_WRAPS}</style>
</head><body><div id="host"></div></body></html>`;

/** The titles of the actions a person can press (not the refresh, which Teams runs by itself). */
export function actionTitles(card: Json): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['type'] === 'string' && o['type'].startsWith('Action.') && typeof o['title'] === 'string')
        out.push(o['title']);
      for (const [k, x] of Object.entries(o)) if (k !== 'refresh') walk(x);
    }
  };
  walk(card);
  return out;
}

type Rendered = {
  events: string[];
  wide: string[];
  clipped: string[];
  buttons: { text: string; shown: boolean; cut: boolean; bottom: number }[];
  height: number;
  text: string;
};

export async function renderCardShots(cards: Map<string, Json>, folder: string): Promise<CardShot[]> {
  // en-GB, as the people using Overt: date inputs read 30/11/2026.
  const session = await launchChromium({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const shots: CardShot[] = [];
  mkdirSync(join(ARTIFACTS_DIR, folder), { recursive: true });
  try {
    for (const width of WIDTHS) {
      const p = await session.newPage();
      const errors: string[] = [];
      p.on('pageerror', (e) => errors.push(e.message));
      // Short, so the page (and its screenshot) is as tall as the card; the first-screen check measures from the top.
      await p.setViewportSize({ width, height: 100 });
      await p.setContent(page(width));
      await p.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
      await p.addScriptTag({ path: require.resolve('markdown-it/dist/markdown-it.min.js') });
      await p.addScriptTag({ content: RENDERER });
      for (const [name, card] of cards) {
        const titles = actionTitles(card);
        const r = await p.evaluate(
          ([j, t]) =>
            (window as unknown as { renderCard(c: unknown, t: string[]): Rendered }).renderCard(j, t),
          [card, titles] as const,
        );
        // The card fills the page's width, so the whole page is the card: quicker than an element's screenshot.
        const path = join(ARTIFACTS_DIR, folder, `${name}-${width}.png`);
        await p.screenshot({ path, fullPage: true });
        const problems: string[] = [...errors.splice(0)];
        // Teams answers a typeahead (Data.Query) itself; this renderer, which does not know it, asks for a
        // static choice. That is its only complaint allowed.
        const typeahead = JSON.stringify(card).includes('"Data.Query"');
        problems.push(
          ...r.events
            .filter((e) => !(typeahead && /at least one choice/.test(e)))
            .map((e) => `renderer: ${e}`),
        );
        problems.push(...r.wide.map((x) => `wider than the card: ${x}`));
        problems.push(...r.clipped.map((x) => `cut off: ${x}`));
        for (const title of titles)
          if (!r.buttons.some((b) => b.text === title)) problems.push(`no button "${title}"`);
        for (const b of r.buttons) if (b.shown && b.cut) problems.push(`the button "${b.text}" is cut off`);
        if (name.startsWith('approval-approver') && width === 400) {
          const deciding = r.buttons.filter((b) => /^(Approve|Decline)/.test(b.text) && b.shown);
          if (deciding.length === 0) problems.push('no Approve or Decline button shown');
          for (const b of deciding)
            if (b.bottom > PHONE_SCREEN)
              problems.push(`"${b.text}" is below a phone's first screen (${Math.round(b.bottom)} px)`);
        }
        shots.push({ name, width, path, problems, machineDates: r.text.match(MACHINE_DATE) ?? [] });
      }
      await p.close();
    }
  } finally {
    await session.close();
  }
  // Per card, the narrow then the wide, in the order the journeys showed them.
  const order = [...cards.keys()];
  return shots.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name) || a.width - b.width);
}

/**
 * Draws `cards` (the names `expected`, in that order) at each width into `folder`, and expects each drawing
 * free of problems: no renderer complaint, nothing wider than the card, every button shown.
 */
export async function expectCleanShots(
  cards: Map<string, unknown>,
  expected: string[],
  folder: string,
): Promise<void> {
  expect([...cards.keys()]).toEqual(expected);
  const shots = await renderCardShots(cards as Map<string, Json>, folder);
  expect(shots).toHaveLength(expected.length * WIDTHS.length);
  for (const s of shots)
    expect({ card: s.name, width: s.width, problems: s.problems }).toEqual({
      card: s.name,
      width: s.width,
      problems: [],
    });
}
