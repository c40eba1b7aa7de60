/**
 * The RIPA route over HTTP (000 §12): the central record and its exports for authorising officers and
 * information governance; an authorising officer records an authorisation on a waiting application, or
 * refuses it, and records reviews, renewals and cancellation. Each handler calls one workflow function.
 */
import { z } from 'zod';
import { dateGb, RIPA_STATE, label, sentenceWords, yesNo } from '../vocabulary';
import {
  authoriseRipa,
  cancelRipa,
  refuseRipa,
  renewRipa,
  reviewRipa,
  type Deps,
  type Outcome,
} from '../workflow';
import {
  AuthoriseRipaInput,
  CancelRipaInput,
  MagistrateApprovalInput,
  recordMagistrateApproval,
  RefuseRipaInput,
  RenewRipaInput,
  ReviewRipaInput,
} from '../workflow/ripa';
import { noteCentralRecordExport } from '../workflow/ripa';
import {
  centralRecord,
  CENTRAL_RECORD_READERS,
  correctionWords,
  type CentralRecordEntry,
} from '../workflow/queries/ripa';
import { toCsv } from '../util/csv';
import { renderPdf, type Block } from './pdf';
import { reply, route, type Reply, type Route } from './router';

const AO = ['authorised-officer'] as const;
const without = { key: true, actorId: true } as const;

const AuthoriseBody = AuthoriseRipaInput.omit({ ...without, childId: true, requestId: true });
const RefuseBody = RefuseRipaInput.omit({ ...without, requestId: true });
const ReviewBody = ReviewRipaInput.omit({ ...without, ripaId: true });
const RenewBody = RenewRipaInput.omit({ ...without, ripaId: true });
const CancelBody = CancelRipaInput.omit({ ...without, ripaId: true });
const MagistrateBody = MagistrateApprovalInput.omit({ ...without, ripaId: true });

/** A step an authorising officer records on an authorisation (a review, a renewal, the cancellation): the body,
 * with the actor, the key and the authorisation named in the path, is the command's input. */
function ripaStep<B extends object>(
  path: string,
  body: z.ZodType<B>,
  command: (
    deps: Deps,
    input: B & { key: string; actorId: string; ripaId: string },
  ) => Promise<Outcome<unknown>>,
): Route {
  return route<undefined, B>({
    method: 'POST',
    path: `/api/v1/ripa/:ripaId/${path}`,
    roles: AO,
    body,
    formAfterStanding: true,
    handle: async ({ deps, staff, params, body: b, key }) =>
      reply(await command(deps, { ...b, key, actorId: staff.id, ripaId: params.ripaId! })),
  });
}

const COLUMNS = [
  'Reference',
  'Case reference',
  'Team',
  'Authorising officer',
  'Offence',
  'Maximum sentence',
  'Granted',
  'Approved by a magistrate',
  'In force from',
  'Ends',
  'Reviews',
  'Next review',
  'Renewals',
  'Cancelled',
  'Corrections',
  'Confidential information likely',
  'Authoriser involved in the case',
  'Why the involved authoriser could not be avoided',
  'State',
];

const reviewsText = (e: CentralRecordEntry) =>
  e.reviews.map((r) => `${dateGb(r.on)} by ${r.by}`).join('; ') || 'None';
const renewalsText = (e: CentralRecordEntry) =>
  e.renewals
    .map(
      (r) =>
        `${dateGb(r.on)} by ${r.by}, for ${dateGb(r.from)} to ${dateGb(r.until)}${r.magistrateApprovedOn ? ` (magistrate ${dateGb(r.magistrateApprovedOn)})` : ''}`,
    )
    .join('; ') || 'None';
const cancelledText = (e: CentralRecordEntry) =>
  e.cancelledOn ? `${dateGb(e.cancelledOn)} by ${e.cancelledBy}` : 'Not cancelled';

function row(e: CentralRecordEntry): string[] {
  return [
    e.reference,
    e.caseRef,
    e.teamName,
    e.officerName,
    e.offence,
    sentenceWords(e.maxSentenceMonths),
    dateGb(e.grantedOn),
    e.magistrateApprovedOn ? dateGb(e.magistrateApprovedOn) : 'Not recorded',
    dateGb(e.from),
    dateGb(e.until),
    reviewsText(e),
    e.cancelledOn ? '—' : dateGb(e.nextReviewOn),
    renewalsText(e),
    cancelledText(e),
    e.corrections.map(correctionWords).join('; ') || 'None',
    yesNo(e.confidentialInfoLikely),
    yesNo(e.authoriserInvolved),
    e.authoriserInvolved ? (e.authoriserInvolvedReason ?? 'Not recorded') : '—',
    label(e.state, RIPA_STATE),
  ];
}

/** The central record as a CSV or a PDF, and the export on the audit trail. */
async function exportCentralRecord(
  deps: Deps,
  actorId: string,
  format: 'csv' | 'pdf',
  key: string,
): Promise<Reply | ReturnType<typeof reply>> {
  const read = await centralRecord(deps, { actorId });
  if (!read.ok) return reply(read);
  const entries = read.value.entries;
  await noteCentralRecordExport(deps, { key, actorId, format, count: entries.length });
  const name = `ripa-central-record-${deps.clock().toISOString().slice(0, 10)}`;
  if (format === 'csv')
    return {
      file: toCsv(COLUMNS, entries.map(row)),
      type: 'text/csv; charset=utf-8',
      filename: `${name}.csv`,
    };
  const blocks: Block[] = [
    {
      p: 'The central record of directed-surveillance authorisations under the Regulation of Investigatory Powers Act 2000, kept as the Home Office code of practice describes.',
    },
    ...(entries.length ? [] : [{ p: 'No authorisation is on the record.' }]),
    ...entries.flatMap((e): Block[] => [
      { h: `${e.reference}: case ${e.caseRef}` },
      { kv: COLUMNS.slice(2).map((c, i) => [c, row(e)[i + 2]!] as [string, string]) },
    ]),
  ];
  return {
    file: await renderPdf('RIPA central record', blocks, {
      lines: [['Authorisations', String(entries.length)]],
      madeAt: deps.clock().toISOString(),
      madeBy: (await deps.store.get('staff', actorId))?.record.name ?? '',
    }),
    type: 'application/pdf',
    filename: `${name}.pdf`,
  };
}

export const ripaRoutes: Route[] = [
  route({
    method: 'GET',
    path: '/api/v1/ripa',
    roles: CENTRAL_RECORD_READERS,
    handle: async ({ deps, staff }) => reply(await centralRecord(deps, { actorId: staff.id })),
  }),
  route({
    method: 'GET',
    path: '/api/v1/ripa/central-record.:format',
    roles: CENTRAL_RECORD_READERS,
    handle: async ({ deps, staff, params, key }) => {
      const f = z.enum(['pdf', 'csv']).safeParse(params.format);
      if (!f.success)
        return reply({
          ok: false,
          error: { code: 'INVALID_INPUT', message: 'format: as pdf or csv', field: 'format' },
        });
      return exportCentralRecord(deps, staff.id, f.data, key);
    },
  }),
  route<undefined, z.infer<typeof AuthoriseBody>>({
    method: 'POST',
    path: '/api/v1/requests/:requestId/ripa-authorisation',
    roles: AO,
    body: AuthoriseBody,
    formAfterStanding: true,
    handle: async ({ deps, staff, params, body, key }) => {
      const request = await deps.store.get('request', params.requestId!);
      if (!request)
        return reply({
          ok: false,
          error: { code: 'NOT_FOUND', message: 'requestId: Overt has no such request', field: 'requestId' },
        });
      return reply(
        await authoriseRipa(deps, {
          ...body,
          key,
          actorId: staff.id,
          childId: request.record.childId,
          requestId: request.record.id,
        }),
        (v) => ({ status: 201, json: v }),
      );
    },
  }),
  route<undefined, z.infer<typeof RefuseBody>>({
    method: 'POST',
    path: '/api/v1/requests/:requestId/ripa-refusal',
    roles: AO,
    body: RefuseBody,
    formAfterStanding: true,
    handle: async ({ deps, staff, params, body, key }) =>
      reply(
        await refuseRipa(deps, { ...body, key, actorId: staff.id, requestId: params.requestId! }),
        (d) => ({ json: { status: d.request.status } }),
      ),
  }),
  ripaStep('reviews', ReviewBody, reviewRipa),
  ripaStep('renewals', RenewBody, renewRipa),
  ripaStep('cancellation', CancelBody, cancelRipa),
  // An authorisation recorded awaiting a magistrate's approval takes effect with the day it was given.
  ripaStep('magistrate-approval', MagistrateBody, recordMagistrateApproval),
];
