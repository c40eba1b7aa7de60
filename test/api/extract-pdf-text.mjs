// Prints the text of PDFs (paths in argv[2..]) as JSON, one string per page, with pdf.js (pdfjs-dist): for one
// path, an array of pages; for more, an array of those. Run as a child process because pdf.js is an ES module
// and the tests run as CommonJS.
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

async function pagesOf(path) {
  const data = new Uint8Array(readFileSync(path));
  const doc = await getDocument({ data, useSystemFonts: false, disableFontFace: true, verbosity: 0 }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      text += item.str + (item.hasEOL ? '\n' : '');
    }
    pages.push(text);
  }
  await doc.destroy();
  return pages;
}

const paths = process.argv.slice(2);
const all = [];
for (const p of paths) all.push(await pagesOf(p));
process.stdout.write(JSON.stringify(paths.length === 1 ? all[0] : all));
