import { z } from 'zod';
import { auditExport } from '../workflow/audit-export';
import { myRequests } from '../workflow/my-requests';
import { policyView, updatePlatformNotes, UpdateNotesInput } from '../workflow/platform-notes';
import { auditCsv } from './audit-csv';
import { reply, route } from './router';

/** My requests, the policy view and its platform notes, and the audit export. */

/** The audit export's first or last day: a missing or malformed one is said in a sentence naming which. */
const Day = (which: 'first' | 'last') =>
  z
    .string({ error: `Choose the ${which} day of the period to download, e.g. 2026-03-01.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `The ${which} day of the period must be a day, e.g. 2026-03-01.`);
const AuditQuery = z.object({ from: Day('first'), to: Day('last') });
const NotesBody = UpdateNotesInput.shape.notes;

export const adminRoutes = [
  route<{ limit: number }>({
    method: 'GET',
    path: '/api/v1/requests/mine',
    roles: 'any',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    handle: async ({ deps, staff, query }) =>
      reply(await myRequests(deps, { actorId: staff.id, limit: query.limit })),
  }),
  route({
    method: 'GET',
    path: '/api/v1/policy',
    roles: 'any',
    handle: async ({ deps, staff }) => reply(await policyView(deps, { actorId: staff.id })),
  }),
  route<undefined, z.infer<typeof NotesBody>>({
    method: 'PUT',
    path: '/api/v1/policy/:profileId/platform-notes',
    roles: ['administrator'],
    body: NotesBody,
    handle: async ({ deps, staff, params, body, key }) =>
      reply(
        await updatePlatformNotes(deps, {
          key,
          actorId: staff.id,
          profileId: params.profileId!,
          notes: body,
        }),
      ),
  }),
  route<z.infer<typeof AuditQuery>>({
    method: 'GET',
    path: '/api/v1/audit.csv',
    roles: ['information-governance', 'service-manager', 'administrator'],
    query: AuditQuery,
    handle: async ({ deps, staff, query, key }) => {
      const r = await auditExport(deps, { key, actorId: staff.id, from: query.from, to: query.to });
      if (!r.ok) return reply(r);
      return {
        file: await auditCsv(deps, r.value),
        type: 'text/csv; charset=utf-8',
        filename: `audit-${query.from}-${query.to}.csv`,
      };
    },
  }),
];
