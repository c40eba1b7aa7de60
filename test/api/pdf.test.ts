import { renderPdf } from '../../src/api/pdf';
import { dateTimeGb } from '../../src/vocabulary';
import { pdfText } from './pdf-text';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The text poppler's pdftotext reads from a PDF, or undefined where pdftotext is not installed. */
function popplerText(pdf: Buffer): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'overt-poppler-'));
  try {
    writeFileSync(join(dir, 'doc.pdf'), pdf);
    return execFileSync('pdftotext', ['-enc', 'UTF-8', join(dir, 'doc.pdf'), '-'], { encoding: 'utf8' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The papers print families' names as they are written, and a reader of the PDF gets them back: the text
 * pdf.js extracts equals the input, character for character and with no normalisation, for Polish,
 * Romanian, Cyrillic and Arabic names, nothing replaced by "?"; so does poppler's pdftotext where it is
 * installed.
 *
 * Arabic: each letter is drawn as its contextual presentation form (initial, medial, final, isolated;
 * lam-alef as its ligature), and the PDF's ToUnicode map gives each glyph back as the letter typed, so the
 * extracted text is the input's own code points (U+06xx), in reading order. This is checked for every letter
 * of the Arabic alphabet (with the hamza forms, ta marbuta and alef maksura) in each position it can take,
 * and for names. Not covered: letters only Persian and Urdu use (the shaper leaves ٹ ڈ ڑ ں ہ ے ھ unjoined,
 * and Farsi yeh shares its glyphs with yeh and alef maksura, so it may come back as either).
 *
 * Bengali: every letter is there, but pdf.js gives a vowel sign drawn before its consonant in drawing order
 * (a glyph's map cannot say "this goes after the next one"); the run carries the text as written as
 * ActualText, which poppler uses, so pdftotext gives it exactly. Title block and page numbers.
 */

const POLISH = ['Łucja Wiśniewska', 'Żaneta Gębicka-Źródło'];
const ROMANIAN = ['Ștefan Căpățână', 'Țurcanu Ioana'];
const CYRILLIC = ['Алёна Смирнова', 'Юрий Щербаков'];
const ARABIC = ['فاطمة الزهراء', 'محمد عبد الله', 'عائشة بنت أبي بكر', 'يحيى مؤمن', 'لؤي إسلام آل ثاني'];
const NAMES = [...POLISH, ...ROMANIAN, ...CYRILLIC, ...ARABIC];
const BENGALI = 'রহিম উদ্দিন';
/** Each letter alone, at a word's end, in its middle and at its start (a letter that joins only to the
 * right takes two forms, the others four). */
const ALPHABET = [...'ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي'].map((l) => `${l} ب${l} ب${l}ب ${l}ب`);
const letters = (s: string) => [...s.replace(/\s/g, '')].sort().join('');

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the papers', () => {
  it('keep every script of the families’ names, as extracted by pdf.js', async () => {
    const pdf = await renderPdf(
      'Subject access: DEMO-0042',
      [
        { h: 'The family' },
        { kv: [...NAMES, BENGALI].map((n, i): [string, string] => [`Person ${i + 1}`, n]) },
        { kv: [['Name', 'مريم']] },
        { p: `Mixed: ${NAMES[0]} and ${ARABIC[0]} and ${CYRILLIC[0]}.` },
        { h: 'Every Arabic letter' },
        { kv: ALPHABET.map((w, i): [string, string] => [`Letter ${i + 1}`, w]) },
      ],
      { lines: [['Child', NAMES[0]!]], madeAt: '2026-03-01T10:15:00Z', madeBy: 'Ivy Gardner (demo)' },
    );
    const pages = pdfText(pdf);
    const raw = pages.join('\n');
    const lines = raw.split('\n').map(squash);
    // No presentation form and no normalisation: the text is the input's own characters.
    expect(raw).not.toMatch(/[\ufb50-\ufdff\ufe70-\ufeff]/);
    for (const [i, n] of NAMES.entries()) expect(lines).toContain(`Person ${i + 1}: ${n}`);
    for (const [i, w] of ALPHABET.entries()) expect(lines).toContain(`Letter ${i + 1}: ${w}`);
    expect(lines).toContain('Name: مريم');
    const bengali = lines.find((l) => l.startsWith(`Person ${NAMES.length + 1}: `))!;
    expect(letters(bengali.slice(`Person ${NAMES.length + 1}: `.length))).toBe(letters(BENGALI));
    expect(lines).toContain(`Child: ${NAMES[0]}`);
    expect(lines).toContain(`Made: ${dateTimeGb('2026-03-01T10:15:00Z')}`);
    expect(lines).toContain(`Mixed: ${NAMES[0]} and ${ARABIC[0]} and ${CYRILLIC[0]}.`);
    expect(lines).not.toContainEqual(expect.stringContaining('?'));
    // No control character stands in for a letter.
    expect([...raw].filter((c) => /\p{Cc}/u.test(c) && c !== '\n')).toEqual([]);

    // poppler, where installed, reads every word exactly too (it marks a right-to-left run with U+202B …
    // U+202C, and gives the Bengali run as written, from its ActualText). Which end of a line it puts a
    // right-to-left run is its own guess of the line's direction, so a line is compared word by word.
    const poppler = popplerText(pdf);
    if (poppler !== undefined) {
      const plines = poppler
        .replace(/[\u202a-\u202e]/g, '')
        .split('\n')
        .map(squash);
      const words = (l: string) => l.split(' ').sort();
      const expectLine = (key: string, value: string) => {
        const [first, second] = key.split(' ');
        const line = plines.find((l) => words(l).includes(first!) && words(l).includes(second!)) ?? '';
        expect(words(line)).toEqual(words(`${key} ${value}`));
      };
      for (const [i, n] of NAMES.entries()) expectLine(`Person ${i + 1}:`, n);
      for (const [i, w] of ALPHABET.entries()) expectLine(`Letter ${i + 1}:`, w);
      expect(plines).toContain(BENGALI);
      expect(plines.some((l) => words(l).join(' ') === words('Name: مريم').join(' '))).toBe(true);
    }
  });

  it('number every page and add no stray page', async () => {
    const many = Array.from({ length: 150 }, (_, i): [string, string] => [
      `Line ${i + 1}`,
      NAMES[i % NAMES.length]!,
    ]);
    const pdf = await renderPdf('Annual review 2026', [{ kv: many }]);
    const pages = pdfText(pdf);
    expect(pages.length).toBeGreaterThan(1);
    pages.forEach((p, i) =>
      expect(squash(p)).toContain(`Annual review 2026 — page ${i + 1} of ${pages.length}`),
    );
    // The last page holds the last line: no page is only a footer.
    expect(squash(pages.at(-1)!)).toContain('Line 150');
  });
});
