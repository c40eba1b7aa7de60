import { renderPdf } from '../../src/api/pdf';
import { dateTimeGb } from '../../src/vocabulary';
import { pdfText } from './pdf-text';

/**
 * The papers print families' names as they are written: the text pdf.js extracts from the PDF equals the
 * input for Polish, Romanian and Cyrillic names; for Arabic, every word's letters equal the input's (pdf.js
 * gives a right-to-left line's words in the order they are drawn, right to left, so the words are compared
 * in that order) and for Bengali every letter is there (pdf.js gives a vowel sign drawn before its consonant
 * in drawing order). Nothing is replaced by "?". Title block and page numbers.
 */

const NAMES = [
  'Łucja Wiśniewska',
  'Żaneta Gębicka-Źródło',
  'Ștefan Căpățână',
  'Țurcanu Ioana',
  'Алёна Смирнова',
  'Юрий Щербаков',
  'فاطمة الزهراء',
  'محمد عبد الله',
];
const BENGALI = 'রহিম উদ্দিন';
const rtl = (s: string) => /[\u0600-\u06ff]/.test(s);
/** A name as pdf.js reads it back: right-to-left words in drawing order. */
const drawn = (s: string) => (rtl(s) ? s.split(' ').reverse().join(' ') : s);
const letters = (s: string) => [...s.replace(/\s/g, '')].sort().join('');

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('the papers', () => {
  it('keep every script of the families’ names, as extracted by pdf.js', async () => {
    const pdf = await renderPdf(
      'Subject access: DEMO-0042',
      [
        { h: 'The family' },
        { kv: [...NAMES, BENGALI].map((n, i): [string, string] => [`Person ${i + 1}`, n]) },
        { p: `Mixed: ${NAMES[0]} and ${NAMES[6]} and ${NAMES[4]}.` },
      ],
      { lines: [['Child', NAMES[0]!]], madeAt: '2026-03-01T10:15:00Z', madeBy: 'Ivy Gardner (demo)' },
    );
    const [page] = pdfText(pdf);
    // Arabic is drawn in its contextual forms; NFKC gives back the letters.
    const lines = page!.split('\n').map((l) => squash(l.normalize('NFKC')));
    for (const [i, n] of NAMES.entries()) expect(lines).toContain(`Person ${i + 1}: ${drawn(n)}`);
    const bengali = lines.find((l) => l.startsWith(`Person ${NAMES.length + 1}: `))!;
    expect(letters(bengali.slice(`Person ${NAMES.length + 1}: `.length))).toBe(letters(BENGALI));
    expect(lines).toContain(`Child: ${NAMES[0]}`);
    expect(lines).toContain(`Made: ${dateTimeGb('2026-03-01T10:15:00Z')}`);
    expect(lines).toContain(`Mixed: ${NAMES[0]} and ${drawn(NAMES[6]!)} and ${NAMES[4]}.`);
    expect(lines).not.toContainEqual(expect.stringContaining('?'));
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
