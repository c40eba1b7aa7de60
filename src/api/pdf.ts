import { readFileSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { create as createFont } from 'fontkit';
import { ArabicShaper } from 'arabic-persian-reshaper';
import { dateTimeGb } from '../vocabulary';

/**
 * Papers a council would file, made with pdfkit: a title block (what it is, for whom, when, by whom), headings,
 * paragraphs and key–value lines, and "Page n of N" on every page. The text is set in embedded Noto fonts
 * (from npm font packages) that cover Latin and Latin Extended, Greek and Cyrillic (Noto Sans), Arabic (Noto
 * Sans Arabic) and Bengali (Noto Sans Bengali): each run of text in its script's font, so a family's names
 * print as they are written.
 */

export type Block = { h: string } | { p: string } | { kv: [string, string][] };

export interface TitleBlock {
  /** Who the paper is for or about, and other lines under the title: [label, value]. */
  lines?: [string, string][];
  /** The moment it was made (ISO), shown en-GB in the service's time zone. */
  madeAt?: string;
  /** Who made it, by name. */
  madeBy?: string;
}

const FONTS = {
  latin: require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf'),
  latinBold: require.resolve('@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf'),
  arabic: require.resolve('@expo-google-fonts/noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf'),
  arabicBold: require.resolve('@expo-google-fonts/noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf'),
  bengali: require.resolve('@fontsource/noto-sans-bengali/files/noto-sans-bengali-bengali-400-normal.woff'),
  bengaliBold:
    require.resolve('@fontsource/noto-sans-bengali/files/noto-sans-bengali-bengali-700-normal.woff'),
} as const;
type Face = keyof typeof FONTS;

const ARABIC = '\\u0600-\\u06FF\\u0750-\\u077F\\u08A0-\\u08FF\\uFB50-\\uFDFF\\uFE70-\\uFEFF';
const BENGALI = '\\u0980-\\u09FF';
/** A run of one script; spaces between two words of that script stay in the run (right-to-left order). */
const RUNS = new RegExp(
  `([${ARABIC}]+(?:[\\s\\u200c\\u200d]+[${ARABIC}]+)*)|([${BENGALI}]+(?:\\s+[${BENGALI}]+)*)`,
  'gu',
);

/** A string cut into runs, each with the face that covers its script. */
export function runs(text: string, bold: boolean): { text: string; face: Face }[] {
  const out: { text: string; face: Face }[] = [];
  let last = 0;
  const latin: Face = bold ? 'latinBold' : 'latin';
  for (const m of text.matchAll(RUNS)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), face: latin });
    // A right-to-left run is one run, its spaces included: the font lays the whole run out right to left
    // (its words in reading order from the right), so a reader of the PDF that puts a right-to-left run
    // back in logical order gives the words as written.
    if (m[1]) out.push({ text: m[0], face: bold ? 'arabicBold' : 'arabic' });
    else out.push({ text: m[0], face: bold ? 'bengaliBold' : 'bengali' });
    last = m.index + m[0].length;
  }
  if (last < text.length || !out.length) out.push({ text: text.slice(last), face: latin });
  return out;
}

/**
 * Arabic letters as their contextual presentation forms (initial, medial, final, isolated), each its own
 * character: every glyph drawn then maps back to one letter, so the text copied or extracted from the PDF
 * is the name as written (the font's own shaping shares glyphs between letters, which garbles extraction).
 */
function shapeArabic(text: string): string {
  const shaped = (ArabicShaper as { convertArabic: (s: string) => string }).convertArabic(text);
  // The shaper gives alef maksura's final form as Farsi yeh's and Farsi yeh's as alef maksura's (the same
  // glyph in the font, two letters in the text): put each letter's own form back.
  return shaped.replace(/[\ufbfd\ufef0]/g, (c) => (c === '\ufbfd' ? '\ufef0' : '\ufbfd'));
}

/**
 * The Arabic faces without their glyph substitution table (GSUB): an Arabic run is already its presentation
 * forms, so each character is drawn as the one glyph the font's character map gives it and nothing else.
 * With the table, fontkit (under pdfkit) would break a letter into a dotless body and its dots, and draw
 * letters with glyphs shared between them, so that a reader of the PDF could no longer tell which letter was
 * drawn (ح came back as ج, ا as a control character). The table's tag is renamed in the font's directory,
 * which leaves the rest of the file as it is; the table is then never read and not embedded.
 */
function withoutSubstitutions(file: string): Buffer {
  const font = Buffer.from(readFileSync(file));
  const tables = font.readUInt16BE(4);
  for (let i = 0; i < tables; i++) {
    const at = 12 + 16 * i;
    if (font.toString('latin1', at, at + 4) === 'GSUB') font.write('xSUB', at, 'latin1');
  }
  return font;
}
/** A font as fontkit parsed it: pdfkit takes one in place of a file (anything with `layout`). */
type ParsedFont = { layout: unknown; _glyphs: Record<number, unknown> };
/**
 * The faces, each read and parsed once for the process: parsing a Noto font took most of the time of a
 * short paper (about a quarter of a second each, four fonts a paper). Each document still embeds its own
 * subset of the glyphs it draws; the parsed font is only read.
 */
let FACES: Record<Face, ParsedFont> | undefined;
const faces = () =>
  (FACES ??= Object.fromEntries(
    (Object.keys(FONTS) as Face[]).map((face) => [
      face,
      createFont(
        face === 'arabic' || face === 'arabicBold'
          ? withoutSubstitutions(FONTS[face])
          : readFileSync(FONTS[face]),
      ),
    ]),
  ) as Record<Face, ParsedFont>);

/** Control characters other than line breaks and tabs never reach the page. */
const clean = (s: string) =>
  [...s].filter((c) => c === '\n' || c === '\t' || c === '\r' || (c >= ' ' && c !== '\u007f')).join('');

export function renderPdf(title: string, blocks: Block[], head: TitleBlock = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margins: { top: 56, bottom: 64, left: 56, right: 56 },
      info: {
        Title: title,
        Author: 'Overt',
        ...(head.madeAt ? { CreationDate: new Date(head.madeAt) } : {}),
      },
      lang: 'en-GB',
      displayTitle: true,
      bufferPages: true,
    });
    for (const [name, font] of Object.entries(faces())) {
      // fontkit keeps each glyph it has made with the characters it was first made for, and pdfkit writes
      // those as the text a reader copies: a glyph shared by two letters (Latin A, Cyrillic А) made for one
      // document must not speak for the next. The parsed tables stay; only the glyphs are made afresh.
      font._glyphs = {};
      doc.registerFont(name, font as never);
    }
    // Every run of a line sits on the body face's baseline (pdfkit places each font's text by its own
    // ascender, which set Arabic lower than the Latin beside it).
    const ascender = (doc.font('latin') as unknown as { _font: { ascender: number } })._font.ascender / 1000;
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    /** One paragraph of mixed runs; `lead` in bold first (a key), the rest in the body face. */
    const write = (
      parts: { text: string; bold: boolean }[],
      size: number,
      options: PDFKit.Mixins.TextOptions = {},
    ) => {
      const all = parts.flatMap((p) => runs(clean(p.text), p.bold)).filter((r) => r.text.length);
      if (!all.length) all.push({ text: ' ', face: 'latin' });
      // A line starts on the page that has room for its tallest face (pdfkit would otherwise carry an Arabic
      // run alone onto the next page, its label left behind).
      const tallest = Math.max(...all.map((r) => doc.font(r.face).fontSize(size).currentLineHeight(true)));
      if (doc.y + tallest > doc.page.height - doc.page.margins.bottom) doc.addPage();
      all.forEach((r, i) => {
        // Bengali text carries its words as ActualText, so that readers that use it (poppler's pdftotext,
        // copying in Acrobat) give the letters as written, not the glyphs in the order drawn. (Not Arabic:
        // poppler reverses an ActualText's letters a second time.)
        const arabic = r.face === 'arabic' || r.face === 'arabicBold';
        const shaped = r.face === 'bengali' || r.face === 'bengaliBold';
        if (shaped) doc.markContent('Span', { actual: r.text } as never);
        doc
          .font(r.face)
          .fontSize(size)
          .text(arabic ? shapeArabic(r.text) : r.text, {
            ...options,
            continued: i < all.length - 1,
            baseline: -ascender * size,
            // With features given (none are needed), pdfkit lays the run out whole; without, it lays out each
            // word by itself, which would put a right-to-left run's spaces at its words' ends and its words
            // in left-to-right order.
            ...(arabic ? { features: [] } : {}),
          });
        if (shaped) doc.endMarkedContent();
      });
    };

    // The title block: what it is, then who and when, under a rule.
    write([{ text: title, bold: true }], 18);
    doc.moveDown(0.3);
    const lines: [string, string][] = [
      ...(head.lines ?? []),
      ...(head.madeAt ? ([['Made', dateTimeGb(head.madeAt)]] as [string, string][]) : []),
      ...(head.madeBy ? ([['Made by', head.madeBy]] as [string, string][]) : []),
    ];
    for (const [k, v] of lines)
      write(
        [
          { text: `${k}: `, bold: true },
          { text: v, bold: false },
        ],
        10,
      );
    const y = doc.y + 6;
    doc
      .moveTo(doc.page.margins.left, y)
      .lineTo(doc.page.width - doc.page.margins.right, y)
      .lineWidth(0.5)
      .stroke();
    doc.y = y + 10;

    for (const b of blocks) {
      if ('h' in b) {
        doc.moveDown(0.6);
        write([{ text: b.h, bold: true }], 13);
        doc.moveDown(0.2);
      } else if ('p' in b) {
        write([{ text: b.p, bold: false }], 10);
        doc.moveDown(0.3);
      } else
        for (const [k, v] of b.kv)
          write(
            [
              { text: k ? `${k}: ` : '', bold: true },
              { text: v, bold: false },
            ],
            10,
          );
    }

    // Page numbers, written in the bottom margin without letting pdfkit start a new page for them.
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font('latin')
        .fontSize(9)
        .text(
          `${title} — page ${i + 1 - range.start} of ${range.count}`,
          doc.page.margins.left,
          doc.page.height - 40,
          {
            width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
            align: 'center',
            lineBreak: false,
          },
        );
      doc.page.margins.bottom = bottom;
    }
    logicalArabic(doc);
    doc.end();
  });
}

/** Arabic presentation forms (Arabic Presentation Forms-A and -B). */
const PRESENTATION_FORM = /[\ufb50-\ufdff\ufe70-\ufeff]/u;

/**
 * What a reader of the PDF gets for each Arabic glyph drawn: the letter as typed, not its presentation
 * form. An Arabic run is drawn as presentation forms (each glyph one form, see shapeArabic), and pdfkit's
 * ToUnicode map would give each glyph back as the form it was drawn for ('ﻣﺮﻳﻢ', U+FEE3 U+FEAE U+FEF3
 * U+FEE2); each form is put back to the letter (or, for lam-alef, the two letters) it stands for, Unicode's
 * own decomposition of the form, so the text extracted or copied is the input ('مريم', U+0645 U+0631
 * U+064A U+0645), in pdf.js and in poppler's pdftotext alike. Called once all text is drawn and before the
 * fonts are written.
 */
function logicalArabic(doc: PDFKit.PDFDocument) {
  const fonts = (doc as unknown as { _fontFamilies: Record<string, { unicode?: number[][] }> })._fontFamilies;
  for (const font of new Set(Object.values(fonts)))
    font.unicode?.forEach((codePoints, gid) => {
      if (!codePoints) return;
      const text = String.fromCodePoint(...codePoints);
      if (!PRESENTATION_FORM.test(text)) return;
      const letters = [...text.normalize('NFKC')].map((c) => c.codePointAt(0)!);
      // A glyph for two letters (lam-alef) is given in the order drawn, right to left: pdf.js and poppler
      // take a glyph's letters as drawn, left to right, then turn the right-to-left run round, so 'لا'
      // given as written would come back 'ال'.
      font.unicode![gid] = letters.length > 1 ? letters.reverse() : letters;
    });
}
