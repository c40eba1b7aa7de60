/**
 * Renders each sample card with the `adaptivecards` package (its browser bundle) inside headless Chromium,
 * keeps a screenshot per card in test-artifacts/cards/, and checks that the card is schema-valid, that
 * the renderer reported no parse or validation event and threw nothing, and that the rendered DOM shows
 * the card's text, labels and action titles.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { richText } from '../bot/client';
import { validateCard } from '../../src/bot/cards/validate';
import { approverCard } from '../../src/bot/views/approval-card';
import { HOSTILE, hostileView } from './samples';
import { launchChromium, screenshot, type BrowserSession } from '../browser/chromium';
import { SAMPLE_CARDS } from './samples';

type Rendered = {
  events: { phase: number; event: number; message: string }[];
  text: string;
  inputs: number;
  buttons: string[];
  links: (string | null)[];
  markup: number;
};

/** Runs in the page: parse, validate and render one card with the renderer's own error reporting. Markdown is
 * processed as Teams does (markdown-it, with bare URLs linked), so text that would become a link or emphasis
 * in Teams does here too. */
const RENDERER = `
const md = window.markdownit({ html: false, linkify: true, breaks: false });
window.AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = md.render(text);
  result.didProcess = true;
};
window.renderCard = (json) => {
  const AC = window.AdaptiveCards;
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const events = [];
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    events.push({ phase: e.phase, event: e.event, message: e.message });
  }
  for (const e of card.validateProperties().validationEvents) {
    events.push({ phase: e.phase, event: e.event, message: e.message });
  }
  const element = card.render();
  if (!element) throw new Error('the renderer returned nothing');
  const host = document.getElementById('host');
  host.replaceChildren(element);
  return {
    events,
    text: host.innerText,
    inputs: host.querySelectorAll('input, textarea, select').length,
    buttons: Array.from(host.querySelectorAll('button')).map((b) => b.innerText.trim()),
    links: Array.from(host.querySelectorAll('a')).map((a) => a.getAttribute('href')),
    markup: host.querySelectorAll('strong, em, li, code, h1, h2, h3, img, del').length,
  };
};`;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>card</title>
<style>${readFileSync(require.resolve('adaptivecards/dist/adaptivecards.css'), 'utf8')}
body { margin: 0; padding: 16px; background: #f5f5f5; font-family: "Segoe UI", "DejaVu Sans", sans-serif; }
#host { width: 560px; background: #fff; border: 1px solid #e0e0e0; border-radius: 4px; }</style>
</head><body><div id="host"></div></body></html>`;

/** Every string a reader should see: TextBlock text, fact titles and values, input labels, toggle titles, action titles. */
function visibleStrings(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => visibleStrings(item, found));
  else if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    if (node['type'] === 'TextBlock' && typeof node['text'] === 'string') found.push(node['text']);
    if (node['type'] === 'RichTextBlock') return (found.push(richText(node)), found);
    if (typeof node['label'] === 'string') found.push(node['label']);
    if (node['type'] === 'Input.Toggle' && typeof node['title'] === 'string') found.push(node['title']);
    if (node['type'] === 'Action.Execute' && typeof node['title'] === 'string' && !('userIds' in node))
      found.push(node['title']);
    if ('facts' in node && Array.isArray(node['facts'])) {
      for (const f of node['facts'] as { title: string; value: string }[]) found.push(f.title, f.value);
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'refresh') visibleStrings(child, found);
  }
  return found;
}

function render(page: Page, json: unknown): Promise<Rendered> {
  return page.evaluate(
    (j) => (window as unknown as { renderCard(card: unknown): Rendered }).renderCard(j),
    json,
  );
}

const normalise = (text: string): string => text.replace(/\s+/g, ' ').trim();

describe('cards render in Chromium with adaptivecards', () => {
  let session: BrowserSession;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    session = await launchChromium();
    page = await session.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.setContent(PAGE);
    await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
    await page.addScriptTag({ path: require.resolve('markdown-it/dist/markdown-it.min.js') });
    await page.addScriptTag({ content: RENDERER });
  });

  afterAll(async () => {
    await session?.close();
  });

  it.each(SAMPLE_CARDS.map((s) => [s.name, s.card] as const))('%s', async (name, card) => {
    expect(validateCard(card)).toEqual({ ok: true });
    const rendered = await render(page, card);
    await screenshot(page.locator('#host'), `cards/${name}.png`);

    expect(rendered.events).toEqual([]);
    expect(pageErrors).toEqual([]);
    const shown = normalise(rendered.text);
    for (const text of visibleStrings(card)) expect(shown).toContain(normalise(text));
    expect(rendered.buttons.length).toBeGreaterThanOrEqual((card.actions ?? []).length);
  });

  it('markdown a person typed renders as literal text: no link, no emphasis, no list (screenshot kept)', async () => {
    // The approver's card, every field a person typed holding markdown and a phishing link.
    const card = approverCard(hostileView, ['aad-team-manager', 'aad-case-manager']);
    expect(validateCard(card)).toEqual({ ok: true });
    const rendered = await render(page, card);
    expect(rendered.events).toEqual([]);
    // The details sit behind "Show details": opened, so every field typed is on screen.
    await page.locator('#host button', { hasText: 'Show details' }).click();
    await screenshot(page.locator('#host'), 'cards/markdown-literal.png');
    const opened = await page.evaluate(() => {
      const host = document.getElementById('host')!;
      return {
        text: host.innerText,
        links: Array.from(host.querySelectorAll('a')).map((a) => a.getAttribute('href')),
        markup: host.querySelectorAll('strong, em, li, code, h1, h2, h3, img, del').length,
      };
    });
    expect(opened.links).toEqual([]);
    expect(opened.markup).toBe(0);
    const shown = normalise(opened.text);
    for (const typed of Object.values(HOSTILE)) expect(shown).toContain(normalise(typed));

    // The same text put in a TextBlock and a fact (not in TextRuns) is live markdown in this renderer: the
    // check above can fail.
    const raw = await render(page, {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [
        { type: 'TextBlock', text: HOSTILE.rationale, wrap: true },
        { type: 'FactSet', facts: [{ title: 'Platforms', value: HOSTILE.account }] },
      ],
    });
    await screenshot(page.locator('#host'), 'cards/markdown-live-without-escaping.png');
    expect(raw.links).toContain('https://phishing.invalid/login');
    expect(raw.markup).toBeGreaterThan(0);
  });

  it('reports a renderer error for a broken card, so the checks above can fail', async () => {
    const rendered = await render(page, {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlok', text: 'typo' }],
    });
    expect(rendered.events.map((e) => e.message).join(' ')).toMatch(/TextBlok/);
  });
});
