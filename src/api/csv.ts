import { stringify } from 'csv-stringify/sync';

/**
 * CSV for spreadsheets, with formula injection neutralised (OWASP): a cell that a spreadsheet would read as
 * a formula — starting with =, +, -, @, a tab or a carriage return — is prefixed with a single quote.
 */
export function safeCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return stringify([header, ...rows.map((r) => r.map(safeCell))], { record_delimiter: '\r\n' });
}
