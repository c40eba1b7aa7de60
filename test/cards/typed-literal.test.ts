/**
 * Issue 20: text a person typed shows, and copies, exactly as typed. Overt used to escape it for the markdown of
 * a TextBlock or fact and put a zero-width space after each dot inside a word (to keep linkifiers off), so an
 * account copied from the approver's card or the "Record the check" card carried an invisible character into
 * Instagram's search. Now typed text that a host could act on is a RichTextBlock of TextRuns, which the schema
 * says are not markdown (cards/build.ts). The cards are rendered with the real `adaptivecards` renderer in
 * headless Chromium, markdown processed as Teams does (markdown-it, bare URLs linked), at 400 px and 1280 px
 * (screenshots kept in test-artifacts/cards/typed/), and the DOM's text of each typed value is what was typed:
 * no U+200B or U+2060, no backslash, no link, emphasis, list, heading, image or code element, `<at>` and
 * `{{DATE(…)}}` left as typed.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { card, textBlock } from '../../src/bot/cards/build';
import { validateCard } from '../../src/bot/cards/validate';
import { approverCard } from '../../src/bot/views/approval-card';
import { recordCheckCard } from '../../src/bot/views/record-check-card';
import { renderCardShots } from '../bot/card-shots';
import { ARTIFACTS_DIR, launchChromium, type BrowserSession } from '../browser/chromium';
import { hostileView } from './samples';

/** What people typed: handles, a dotted date, a URL, markdown, a list, a mention, a card date function. */
const TYPED = {
  handle: '@jane.doe_22',
  handle2: '@r.x.2010',
  rationale:
    'Seen on 30.11.2026 at https://intranet.example.gov.uk/cases/DEMO-0001?tab=notes: **urgent** _now_ [Open the case file](https://phishing.invalid/login)',
  objection: '- first <at>Arlo Ashdown</at> {{DATE(2026-11-30T10:00:00Z, SHORT)}} www.phishing-demo.com',
  answer: '1. See {{TIME(2026-11-30T10:00:00Z)}} and ~~this~~ `code` # not a heading',
  reasons: 'Declined: ask jane.doe@example.org ![img](https://phishing.invalid/i.png)',
};

const view = {
  ...hostileView,
  id: 'req-typed',
  rationale: TYPED.rationale,
  objection: TYPED.objection,
  platforms: [
    { platform: 'instagram', account: TYPED.handle },
    { platform: 'tiktok', account: TYPED.handle2 },
  ],
  answers: [{ at: '2026-01-15T11:00:00.000Z', by: 'Dara Dunmore (demo)', text: TYPED.answer }],
  decided: { ...hostileView.decided!, reasons: TYPED.reasons },
};

const approver = approverCard(view, ['aad-team-manager']);
const record = recordCheckCard({
  requestId: 'req-typed',
  version: 'v1',
  formId: 'form-typed',
  caseRef: 'DEMO-0001',
  childName: 'A.B. (demo)',
  platforms: view.platforms,
  obligations: ['Do not view stories.'],
  today: '2026-11-30',
  authorisers: [{ id: 'demo-tm-north-1', name: 'Arlo Ashdown (demo)' }],
});

const RENDERER = `
const md = window.markdownit({ html: false, linkify: true, breaks: false });
window.AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = md.render(text);
  result.didProcess = true;
};
window.renderShown = (json) => {
  const card = new window.AdaptiveCards.AdaptiveCard();
  card.parse(json);
  const host = document.getElementById('host');
  host.replaceChildren(card.render());
  // Open what is behind "Show details", so every typed value is on screen.
  for (const el of host.querySelectorAll('[aria-expanded="false"], .ac-container')) if (el.style.display === 'none') el.style.display = '';
  for (const el of host.querySelectorAll('*')) if (el.style && el.style.display === 'none') el.style.display = '';
  return {
    texts: Array.from(host.querySelectorAll('.ac-richTextBlock, .ac-textBlock, .ac-fact-title, .ac-fact-value')).map((e) => e.innerText),
    all: host.innerText,
    links: Array.from(host.querySelectorAll('a')).map((a) => a.getAttribute('href')),
    markup: Array.from(host.querySelectorAll('strong, em, b, i, li, ul, ol, code, pre, h1, h2, h3, h4, img, del, s, at')).map((e) => e.outerHTML),
  };
};`;

type Shown = { texts: string[]; all: string; links: string[]; markup: string[] };

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>card</title>
<style>${readFileSync(require.resolve('adaptivecards/dist/adaptivecards.css'), 'utf8')}
body { margin: 0; font-family: "Segoe UI", "DejaVu Sans", sans-serif; } #host { width: 560px; }</style>
</head><body><div id="host"></div></body></html>`;

describe('text a person typed renders and copies exactly as typed', () => {
  let session: BrowserSession;
  let page: Page;
  const shown = (json: unknown): Promise<Shown> =>
    page.evaluate((j) => (window as unknown as { renderShown(c: unknown): Shown }).renderShown(j), json);

  beforeAll(async () => {
    session = await launchChromium();
    page = await session.newPage();
    await page.setContent(PAGE);
    await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
    await page.addScriptTag({ path: require.resolve('markdown-it/dist/markdown-it.min.js') });
    await page.addScriptTag({ content: RENDERER });
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });

  it.each([
    ['the approver’s card', approver, Object.values(TYPED)],
    ['the record-the-check card', record, [TYPED.handle, TYPED.handle2]],
  ])('%s: each typed value is one element’s text, as typed, with nothing live', async (_n, built, typed) => {
    expect(validateCard(built)).toEqual({ ok: true });
    // In the card itself: no invisible character, no escape.
    expect(JSON.stringify(built)).not.toMatch(/\\u200b|\\u2060|\u200b|\u2060|\\\\/);
    const r = await shown(built);
    for (const value of typed) {
      // What a person selects and copies: the element holding the value, its text containing it exactly.
      expect(r.texts.filter((t) => t.includes(value))).not.toEqual([]);
    }
    expect(r.all).not.toMatch(/[\u200b\u2060\\]/);
    expect(r.links).toEqual([]);
    expect(r.markup).toEqual([]);
  });

  it('the same values where markdown and the date functions act are changed: the checks above can fail', async () => {
    const live = await shown({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: TYPED.rationale, wrap: true },
        { type: 'FactSet', facts: [{ title: 'Objection', value: TYPED.objection }] },
        // One TextRun holding `{{`: the renderer formats the date (build.ts cuts runs between two `{`).
        { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: TYPED.objection }] },
      ],
    });
    expect(live.links).toContain('https://phishing.invalid/login');
    expect(live.markup.length).toBeGreaterThan(0);
    expect(live.texts.at(-1)).not.toContain('{{DATE(');
    // Built by Overt's builders, the same text is literal.
    const made = await shown(card([textBlock(TYPED.rationale), textBlock(TYPED.objection)]));
    expect(made.texts).toEqual([TYPED.rationale, TYPED.objection]);
    expect(made.links).toEqual([]);
  });

  it('at 400 px and 1280 px nothing is cut off or wider than the card (screenshots kept)', async () => {
    const shots = await renderCardShots(
      new Map([
        ['approver-typed', approver as never],
        ['record-check-typed', record as never],
      ]),
      'cards/typed',
    );
    expect(shots.map((s) => [s.name, s.width])).toEqual([
      ['approver-typed', 400],
      ['approver-typed', 1280],
      ['record-check-typed', 400],
      ['record-check-typed', 1280],
    ]);
    for (const s of shots) {
      expect(s.path).toBe(join(ARTIFACTS_DIR, 'cards/typed', `${s.name}-${s.width}.png`));
      expect(readFileSync(s.path).length).toBeGreaterThan(1000);
      expect({ name: s.name, problems: s.problems }).toEqual({ name: s.name, problems: [] });
    }
  }, 90_000);
});
