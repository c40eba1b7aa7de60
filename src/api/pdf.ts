import PDFDocument from 'pdfkit';
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
    if (m[1]) {
      // A right-to-left run: its words drawn right to left, each word its own run (the font lays out a
      // word's letters right to left), with the spaces between them in the body face.
      const words = m[0].split(/\s+/).reverse();
      words.forEach((w, i) => {
        if (i) out.push({ text: ' ', face: latin });
        out.push({ text: w, face: bold ? 'arabicBold' : 'arabic' });
      });
    } else out.push({ text: m[0], face: bold ? 'bengaliBold' : 'bengali' });
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
  return (ArabicShaper as { convertArabic: (s: string) => string }).convertArabic(text);
}

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
    for (const [name, file] of Object.entries(FONTS)) doc.registerFont(name, file);
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
      all.forEach((r, i) => {
        // Shaped right-to-left and Bengali text carries its own words as ActualText, so that copying or
        // extracting it gives the letters as written, not the glyphs in the order drawn.
        const shaped = r.face === 'bengali' || r.face === 'bengaliBold';
        if (shaped) doc.markContent('Span', { actual: r.text } as never);
        const arabic = r.face === 'arabic' || r.face === 'arabicBold';
        doc
          .font(r.face)
          .fontSize(size)
          .text(arabic ? shapeArabic(r.text) : r.text, { ...options, continued: i < all.length - 1 });
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
    doc.end();
  });
}
