import { stringify } from 'csv-stringify/sync';

/**
 * The one CSV writer: every export that writes CSV (the audit trail in the tab and `overt audit export`, the
 * annual review, the RIPA central record) writes it here, and nothing else imports csv-stringify (the layout
 * rule `csv-only-through-the-writer`). RFC 4180: CRLF between records, quotes where a cell needs them.
 *
 * Formula injection (OWASP "CSV Injection"): a spreadsheet opening the file runs a cell that starts with
 * `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)` of a child's name, `-1+2`, `@cmd`), and one starting
 * with a tab or a line break too. So a text cell is defused by a leading apostrophe when it
 *  - starts with a tab, a carriage return or a line feed, or
 *  - starts, after any spaces or invisible characters a spreadsheet may skip, with one of those four signs or
 *    their full-width or mathematical look-alikes (＝ ＋ － ＠ − ﹢ ﹣), which some spreadsheets read alike.
 * The apostrophe shows the text as typed and is not part of the value in Excel, LibreOffice or Sheets.
 * Numbers stay numbers (a negative count is not a formula); an object is written as JSON, defused alike.
 */
const FORMULA_LEAD =
  // eslint-disable-next-line no-control-regex -- control characters a spreadsheet skips are what it looks past
  /^(?:[\t\r\n]|[\s\u0000-\u001f\u007f-\u009f\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20\u2212\ufe62\ufe63])/;

export function defuseCell(text: string): string {
  return FORMULA_LEAD.test(text) ? `'${text}` : text;
}

/** Records (no header) as CSV: for a file written a page at a time after its header. */
export function csvRecords(rows: readonly (readonly unknown[])[]): string {
  return stringify(
    rows.map((r) => [...r]),
    {
      record_delimiter: '\r\n',
      // A line break of either kind inside a cell is quoted: csv-stringify quotes only the record delimiter
      // itself, and a lone LF or CR left bare starts a new row in a spreadsheet (a row of the writer's choosing).
      quoted_match: /[\r\n]/,
      cast: {
        string: (value) => defuseCell(value),
        object: (value) => defuseCell(JSON.stringify(value)),
        date: (value) => value.toISOString(),
      },
    },
  );
}

/** A header and its records as CSV. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return csvRecords([header, ...rows]);
}
