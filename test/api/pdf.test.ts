import { renderPdf } from '../../src/api/pdf';
import { dateTimeGb } from '../../src/vocabulary';
import { pdfText } from './pdf-text';

/**
 * The papers print families' names as they are written, and a reader of the PDF gets them back: the text
 * pdf.js extracts equals the input for Polish, Romanian, Cyrillic and Arabic names, nothing replaced by "?".
 *
 * What "intact" means for Arabic: the PDF draws each Arabic letter as its contextual presentation form
 * (initial, medial, final, isolated; lam-alef as its ligature), so that each glyph maps back to one letter;
 * the extracted text is those forms, in reading order (right to left). Unicode's compatibility normalisation
 * (NFKC) takes each form back to its letter, and the normalised text equals the input exactly: every letter,
 * every word, in order. This is checked for every letter of the Arabic alphabet (with the hamza forms, ta
 * marbuta and alef maksura) in each position it can take, and for names. Not covered: letters only Persian
 * and Urdu use (the shaper leaves ٹ ڈ ڑ ں ہ ے ھ unjoined, and Farsi yeh shares its glyphs with yeh and alef
 * maksura, so it may come back as either).
 *
 * Bengali: every letter is there (pdf.js gives a vowel sign drawn before its consonant in drawing order; the
 * run carries the text as written as ActualText for readers that use it). Title block and page numbers.
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
        { p: `Mixed: ${NAMES[0]} and ${ARABIC[0]} and ${CYRILLIC[0]}.` },
        { h: 'Every Arabic letter' },
        { kv: ALPHABET.map((w, i): [string, string] => [`Letter ${i + 1}`, w]) },
      ],
      { lines: [['Child', NAMES[0]!]], madeAt: '2026-03-01T10:15:00Z', madeBy: 'Ivy Gardner (demo)' },
    );
    const pages = pdfText(pdf);
    const raw = pages.join('\n');
    // The Arabic is there as presentation forms (it is not by chance that NFKC matches)...
    expect(raw).toMatch(/[\ufe70-\ufeff]/);
    // ...and nothing else needs normalising: the Latin and Cyrillic names are in the text as they are.
    for (const n of [...POLISH, ...ROMANIAN, ...CYRILLIC]) expect(raw).toContain(n);
    const lines = raw.split('\n').map((l) => squash(l.normalize('NFKC')));
    for (const [i, n] of NAMES.entries()) expect(lines).toContain(`Person ${i + 1}: ${n}`);
    for (const [i, w] of ALPHABET.entries()) expect(lines).toContain(`Letter ${i + 1}: ${w}`);
    const bengali = lines.find((l) => l.startsWith(`Person ${NAMES.length + 1}: `))!;
    expect(letters(bengali.slice(`Person ${NAMES.length + 1}: `.length))).toBe(letters(BENGALI));
    expect(lines).toContain(`Child: ${NAMES[0]}`);
    expect(lines).toContain(`Made: ${dateTimeGb('2026-03-01T10:15:00Z')}`);
    expect(lines).toContain(`Mixed: ${NAMES[0]} and ${ARABIC[0]} and ${CYRILLIC[0]}.`);
    expect(lines).not.toContainEqual(expect.stringContaining('?'));
    // No control character stands in for a letter.
    expect([...raw].filter((c) => /\p{Cc}/u.test(c) && c !== '\n')).toEqual([]);
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
