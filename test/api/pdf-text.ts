import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The text of each page of a PDF, as pdf.js extracts it (see extract-pdf-text.mjs). */
export function pdfText(pdf: Buffer): string[] {
  return pdfTexts([pdf])[0]!;
}

/** The text of each page of each PDF, read by one pdf.js process. */
export function pdfTexts(pdfs: Buffer[]): string[][] {
  if (!pdfs.length) return [];
  const dir = mkdtempSync(join(tmpdir(), 'overt-pdf-'));
  try {
    const files = pdfs.map((pdf, i) => {
      const file = join(dir, `doc-${i}.pdf`);
      writeFileSync(file, pdf);
      return file;
    });
    const out = execFileSync(process.execPath, [join(__dirname, 'extract-pdf-text.mjs'), ...files], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    const parsed = JSON.parse(out) as string[][] | string[];
    return pdfs.length === 1 ? [parsed as string[]] : (parsed as string[][]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
