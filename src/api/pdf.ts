import PDFDocument from 'pdfkit';

/** Plain, accessible-enough PDFs with pdfkit: a title, headings, paragraphs and key–value lines. */

export type Block = { h: string } | { p: string } | { kv: [string, string][] };

export function renderPdf(title: string, blocks: Block[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'A4',
      margin: 50,
      info: { Title: title, Author: 'Overt' },
      lang: 'en-GB',
      displayTitle: true,
    });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(18).text(title);
    doc.moveDown(0.5);
    for (const b of blocks) {
      if ('h' in b) {
        doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).text(clean(b.h));
        doc.moveDown(0.2);
      } else if ('p' in b) doc.font('Helvetica').fontSize(10).text(clean(b.p)).moveDown(0.3);
      else
        for (const [k, v] of b.kv)
          doc
            .font('Helvetica-Bold')
            .fontSize(10)
            .text(`${clean(k)}: `, { continued: true })
            .font('Helvetica')
            .text(clean(v));
    }
    doc.end();
  });
}

/** The standard fonts cover WinAnsi; anything else is replaced rather than garbled. */
function clean(s: string): string {
  return s.replace(
    /[^\t\n\r\x20-\x7e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac§]/g,
    '?',
  );
}
