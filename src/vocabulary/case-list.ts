/**
 * The case list's limits and problems in words, one place for the tab (which refuses a file before it reads
 * it), the API and `overt children import` (both through the workflow): the same limit, the same sentences.
 * Pure data and functions, no I/O, so the tab's bundle can use it too.
 */

/** The largest case list taken, in bytes as saved (UTF-8): about 10,000 children. */
export const CASE_LIST_MAX_BYTES = 1_000_000;

/** A size as a person reads it: "13.2 MB", "850 KB", "120 bytes". */
export function sizeWords(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${bytes} bytes`;
}

/**
 * Why a case list of this many bytes is refused, or undefined when it is not too large. `about`: the size is
 * that of what carried it (the API's request), not the file's own.
 */
export function caseListTooLarge(bytes: number, about = false): string | undefined {
  if (bytes <= CASE_LIST_MAX_BYTES) return undefined;
  return `the file is ${about ? 'about ' : ''}${sizeWords(bytes)}, and a case list can be at most ${sizeWords(CASE_LIST_MAX_BYTES)}: split it into smaller files, each with the header row, and import them one after another`;
}

/** A file read as UTF-8 that was not: how to save it so that it can be read. */
export const notUtf8 = (line: number) =>
  `the file is not in UTF-8 (line ${line} has characters that could not be read): save it as "CSV UTF-8 (Comma delimited)" and import it again`;

/** The summary above a checked case list's rows: "2 rows need fixing: line 6, line 13". */
export function rowsToFix(lines: readonly number[], shown = 10): string {
  const named = lines.slice(0, shown).map((l) => `line ${l}`);
  const more = lines.length > shown ? `, and ${lines.length - shown} more` : '';
  return `${lines.length} ${lines.length === 1 ? 'row needs' : 'rows need'} fixing: ${named.join(', ')}${more}`;
}

/** What the CSV reader (csv-parse) reports of a file it could not read: its code, where it stopped. */
export interface CsvReadError {
  code?: string;
  message?: string;
  /** The line it stopped on (1-based). */
  lines?: number;
  /** The field it stopped in (0-based), or the number of fields in the row when the count is wrong. */
  index?: number;
  /** The field's column, as the header names it, once the header is read. */
  column?: string | number | null;
  /** The header's columns, once read. */
  columns?: readonly unknown[] | boolean;
}

/**
 * A CSV the reader could not read, in words naming the line and the field: "line 2: a quote opens inside the
 * name field: …". The one wording for the tab, the API and `overt children import` (all read the file in the
 * workflow); never the reader's own message.
 */
export function csvUnreadable(e: CsvReadError): string {
  const headerLength = Array.isArray(e.columns) ? e.columns.length : undefined;
  const line = e.lines ? `line ${e.lines}: ` : '';
  const field =
    typeof e.column === 'string' && e.column.trim()
      ? `the ${e.column.trim().toLowerCase()} field`
      : typeof e.index === 'number'
        ? `field ${e.index + 1}`
        : 'a field';
  const fix = 'put the whole field in double quotes, and write each quote inside it twice ("")';
  switch (e.code) {
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return `${line}a quote opens inside ${field}: ${fix}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${line}${field} goes on after its closing quote: ${fix}`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quote opened in ${field} is never closed, so the rest of the file would be read as that field: close it, or ${fix}`;
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH':
      return `${line}the row has ${typeof e.index === 'number' ? e.index : 'a different number of'} fields and the header ${headerLength ?? 'another number'}: a field with a comma in it needs double quotes around it`;
    default:
      return `${line}the file cannot be read as CSV: save it from the case system or the spreadsheet as "CSV UTF-8 (Comma delimited)" and import it again`;
  }
}
