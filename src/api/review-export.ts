import { ASSERTION, ASSESSMENT, dateTimeGb, evidenceLines, label } from '../vocabulary';
import { ASSERTIONS, reviewEvidence, reviewsOf, type Deps } from '../workflow';
import { toCsv } from '../util/csv';
import { renderPdf, type Block } from './pdf';
import type { Reply } from './router';

/**
 * The annual review (000 §24) as a file: the latest review submitted for the year with the evidence it was
 * submitted with, or, before one is submitted, the evidence as it stands today with the assertions unassessed.
 */

type Assessed = { id: string; statement: string; assessment?: string; comments?: string };

/** Evidence as lines under human headings, for the CSV and the PDF alike. */
/** The evidence as lines, teams by name. */
export const flatten = async (deps: Deps, value: unknown): Promise<[string, string][]> =>
  evidenceLines(
    value,
    Object.fromEntries((await deps.store.query('team')).map((t) => [t.record.id, t.record.name])),
  );

/** The review last submitted for a year, with the reviewer by name: what the tab shows read-only. */
export async function latestReview(deps: Deps, year: number) {
  const latest = (await reviewsOf(deps, year)).at(-1);
  if (!latest) return null;
  const reviewer =
    (await deps.store.get('staff', latest.reviewerId))?.record.name ?? 'a former member of staff';
  return {
    reviewer,
    sentToIgAt: latest.sentToIgAt ?? null,
    submittedAt: latest.submittedAt,
    /** The latest revision's number: a new one is submitted as this plus one. */
    revision: latest.revision,
    assertions: (latest.assertions as Assessed[]).map((a) => ({
      id: a.id,
      assessment: a.assessment ?? null,
      comments: a.comments ?? '',
    })),
  };
}

/** The evidence the latest revision of `year` was submitted with, if one was. */
export async function submittedEvidence(deps: Deps, year: number): Promise<unknown> {
  return (await reviewsOf(deps, year)).at(-1)?.evidence ?? null;
}

/** The review of `year` as a CSV or a PDF; the paper says it was made by `madeBy` (a name). */
export async function reviewExport(
  deps: Deps,
  year: number,
  format: 'pdf' | 'csv',
  madeBy?: string,
): Promise<Reply> {
  const latest = (await reviewsOf(deps, year)).at(-1);
  const evidence = latest?.evidence ?? (await reviewEvidence(deps, year));
  const assertions: Assessed[] =
    (latest?.assertions as Assessed[] | undefined) ?? ASSERTIONS.map((a) => ({ ...a }));
  const reviewer = latest
    ? ((await deps.store.get('staff', latest.reviewerId))?.record.name ?? 'a former member of staff')
    : '';
  const status = latest
    ? `submitted by ${reviewer}${latest.submittedAt ? ` on ${dateTimeGb(latest.submittedAt)}` : ''}${latest.sentToIgAt ? ' and sent to information governance' : ''}`
    : `not yet submitted; the evidence as at ${dateTimeGb(deps.clock().toISOString())}`;
  const revision = latest ? String(latest.revision) : 'none yet';
  const name = `annual-review-${year}`;
  if (format === 'csv') {
    const rows: unknown[][] = [
      ['Review', 'Revision', revision, ''],
      ['Review', 'Status', status, ''],
      ...assertions.map((a) => [
        'Assertion',
        label(a.id, ASSERTION),
        a.assessment ? label(a.assessment, ASSESSMENT) : 'Not assessed',
        a.comments ?? '',
      ]),
      ...(await flatten(deps, evidence)).map(([k, v]) => ['Evidence', k, v, '']),
    ];
    return {
      file: toCsv(['Section', 'Item', 'Value', 'Comments'], rows),
      type: 'text/csv; charset=utf-8',
      filename: `${name}.csv`,
    };
  }
  const blocks: Block[] = [
    {
      p: `The annual review of the practice of viewing children's public social media, ${year}${latest ? `, revision ${latest.revision}` : ''}: ${status}.`,
    },
    ...assertions.flatMap((a): Block[] => [
      { h: label(a.id, ASSERTION) },
      { p: a.statement },
      {
        kv: [
          ['Assessment', a.assessment ? label(a.assessment, ASSESSMENT) : 'Not assessed'],
          ['Comments', a.comments ?? '—'],
        ],
      },
    ]),
    { h: 'Evidence from the record' },
    { kv: await flatten(deps, evidence) },
  ];
  return {
    file: await renderPdf(`Annual review ${year}`, blocks, {
      lines: [
        ['Revision', revision],
        ['Status', status.charAt(0).toUpperCase() + status.slice(1)],
      ],
      madeAt: deps.clock().toISOString(),
      ...(madeBy ? { madeBy } : {}),
    }),
    type: 'application/pdf',
    filename: `${name}.pdf`,
  };
}
