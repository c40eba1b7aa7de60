import { execFile, execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
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

/**
 * The text of each page of each PDF, read by as many pdf.js processes as there are cores (at most
 * `most`), each taking an equal share; the answers in the order given.
 */
export async function pdfTextsInParallel(pdfs: Buffer[], most = 4): Promise<string[][]> {
  const n = Math.max(1, Math.min(most, availableParallelism(), pdfs.length));
  if (n === 1) return pdfTexts(pdfs);
  const dir = mkdtempSync(join(tmpdir(), 'overt-pdf-'));
  try {
    const files = pdfs.map((pdf, i) => {
      const file = join(dir, `doc-${i}.pdf`);
      writeFileSync(file, pdf);
      return file;
    });
    const shares = Array.from({ length: n }, (_, k) => files.filter((_, i) => i % n === k));
    const run = promisify(execFile);
    const answers = await Promise.all(
      shares.map(async (share) => {
        const { stdout } = await run(process.execPath, [join(__dirname, 'extract-pdf-text.mjs'), ...share], {
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
        });
        const parsed = JSON.parse(stdout) as string[][] | string[];
        return share.length === 1 ? [parsed as string[]] : (parsed as string[][]);
      }),
    );
    return pdfs.map((_, i) => answers[i % n]![Math.floor(i / n)]!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
