/** fontkit (pdfkit's font engine): only what src/api/pdf.ts uses, to parse each face once. */
declare module 'fontkit' {
  export function create(
    data: Uint8Array,
    postscriptName?: string,
  ): { layout: unknown; _glyphs: Record<number, unknown> };
}
