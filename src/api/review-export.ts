import { ASSERTIONS, reviewEvidence, type Deps } from '../workflow';
import { toCsv } from './csv';
import { renderPdf, type Block } from './pdf';
import type { Reply } from './router';

/**
 * The annual review (000 §24) as a file: the latest review submitted for the year with the evidence it was
 * submitted with, or, before one is submitted, the evidence as it stands today with the assertions unassessed.
 */

type Assessed = { id: string; statement: string; assessment?: string; comments?: string };

/** Evidence as flat (path, value) pairs, for the CSV and the PDF alike. */
export function flatten(value: unknown, path = ''): [string, string][] {
  if (value === null || value === undefined) return [[path, '—']];
  if (typeof value !== 'object') return [[path, String(value)]];
  if (Array.isArray(value)) return [[path, value.map(String).join('; ') || '—']];
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return [[path, '—']];
  return entries.flatMap(([k, v]) => flatten(v, path ? `${path}.${k}` : k));
}

export async function reviewExport(deps: Deps, year: number, format: 'pdf' | 'csv'): Promise<Reply> {
  const reviews = (await deps.store.query('review', { where: { year } })).map((r) => r.record);
  const latest = reviews.sort((a, b) => (a.sentToIgAt ?? '').localeCompare(b.sentToIgAt ?? '')).at(-1);
  const evidence = latest?.evidence ?? (await reviewEvidence(deps, year));
  const assertions: Assessed[] =
    (latest?.assertions as Assessed[] | undefined) ?? ASSERTIONS.map((a) => ({ ...a }));
  const status = latest
    ? `submitted by ${latest.reviewerId}${latest.sentToIgAt ? `, sent to information governance ${latest.sentToIgAt}` : ''}`
    : `not yet submitted; evidence as at ${deps.clock().toISOString()}`;
  const name = `annual-review-${year}`;
  if (format === 'csv') {
    const rows: unknown[][] = [
      ['review', 'status', status, ''],
      ...assertions.map((a) => ['assertion', a.id, a.assessment ?? 'not assessed', a.comments ?? '']),
      ...flatten(evidence).map(([k, v]) => ['evidence', k, v, '']),
    ];
    return {
      file: toCsv(['section', 'item', 'value', 'comments'], rows),
      type: 'text/csv; charset=utf-8',
      filename: `${name}.csv`,
    };
  }
  const blocks: Block[] = [
    {
      p: `The annual review of the practice of viewing children's public social media (000 §24), ${year}: ${status}.`,
    },
    { h: 'The five assertions' },
    ...assertions.flatMap((a): Block[] => [
      { p: a.statement },
      {
        kv: [
          ['Assessment', a.assessment ?? 'not assessed'],
          ['Comments', a.comments ?? '—'],
        ],
      },
    ]),
    { h: 'Evidence from the record' },
    { kv: flatten(evidence) },
  ];
  return {
    file: await renderPdf(`Annual review ${year}`, blocks),
    type: 'application/pdf',
    filename: `${name}.pdf`,
  };
}
