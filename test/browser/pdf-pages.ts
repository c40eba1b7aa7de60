import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ARTIFACTS_DIR, type BrowserSession } from './chromium';

/**
 * A paper (a PDF) as a person would see it: each page drawn by pdf.js (pdfjs-dist, the viewer Firefox uses) in
 * Chromium, kept as test-artifacts/<name>-page-<n>.png beside the tab's screenshots, with where each run of
 * text sits on the page. Nothing is fetched from the network: the page, pdf.js and the PDF are answered by the
 * test (a made-up host).
 */

export interface PaperPage {
  /** The page's size in points (A4: 595 × 842). */
  width: number;
  height: number;
  /** Each run of text drawn: its words, and its left and right edges and baseline, in points from the
   * page's bottom-left corner. */
  runs: { text: string; left: number; right: number; y: number }[];
  /** Where the drawn page is kept. */
  png: string;
}

const PDFJS = join(dirname(require.resolve('pdfjs-dist/package.json')), 'build');
const HOST = 'http://papers.invalid';
const SCALE = 1.5;

/** The page's script: pdf.js loaded once as a module; `window.draw(n)` draws the nth paper page by page on a
 * canvas. A string, so that the test's compiler cannot turn its `import()` into a `require`. */
const LOAD = `(async () => {
  const pdfjs = await import('${HOST}/pdfjs/pdf.min.mjs');
  pdfjs.GlobalWorkerOptions.workerPort = new Worker('${HOST}/pdfjs/pdf.worker.min.mjs', { type: 'module' });
  window.draw = async (n) => {
    const data = new Uint8Array(await (await fetch('${HOST}/paper/' + n + '.pdf')).arrayBuffer());
    const doc = await pdfjs.getDocument({ data, verbosity: 0 }).promise;
    const pages = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const viewport = page.getViewport({ scale: ${SCALE} });
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      await page.render({ canvasContext: ctx, viewport }).promise;
      const content = await page.getTextContent();
      const size = page.getViewport({ scale: 1 });
      pages.push({
        width: size.width,
        height: size.height,
        png: canvas.toDataURL('image/png'),
        runs: content.items
          .filter((it) => 'str' in it && it.str.trim())
          .map((it) => ({ text: it.str, left: it.transform[4], right: it.transform[4] + it.width, y: it.transform[5] })),
      });
    }
    await doc.destroy();
    return pages;
  };
})()`;

/** Draws every page of each paper in one browser page (pdf.js loaded once), keeps each as
 * `<name>-page-<n>.png` under test-artifacts/, and says what is where on each. */
export async function paperPages(
  browser: BrowserSession,
  papers: { name: string; pdf: Buffer }[],
): Promise<PaperPage[][]> {
  const page = await browser.newPage();
  try {
    await page.route(`${HOST}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      const paper = /^\/paper\/(\d+)\.pdf$/.exec(path);
      if (paper)
        return route.fulfill({ contentType: 'application/pdf', body: papers[Number(paper[1])]!.pdf });
      if (path.startsWith('/pdfjs/') && path.endsWith('.mjs'))
        return route.fulfill({ path: join(PDFJS, basename(path)), contentType: 'text/javascript' });
      return route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>papers</title>' });
    });
    await page.goto(`${HOST}/`);
    await page.evaluate(LOAD);
    const all: PaperPage[][] = [];
    for (const [n, { name }] of papers.entries()) {
      const drawn = (await page.evaluate(`window.draw(${n})`)) as PaperPage[];
      all.push(
        drawn.map((p, i) => {
          const file = join(ARTIFACTS_DIR, `${name}-page-${i + 1}.png`);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, Buffer.from(p.png.replace(/^data:image\/png;base64,/, ''), 'base64'));
          return { ...p, png: file };
        }),
      );
    }
    return all;
  } finally {
    await page.close();
  }
}

/** Runs of text that reach past the page's right margin (`margin` points from its edge), or begin left of
 * its left margin: what a long name that did not wrap would do. */
export function pastTheMargins(pages: PaperPage[], margin = 50): string[] {
  return pages.flatMap((p, i) =>
    p.runs
      .filter((r) => r.right > p.width - margin + 0.5 || r.left < margin - 0.5)
      .map(
        (r) =>
          `page ${i + 1}: “${r.text.slice(0, 80)}” from ${r.left.toFixed(0)} to ${r.right.toFixed(0)} pt`,
      ),
  );
}
