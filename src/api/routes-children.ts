import { z } from 'zod';
import { childrenList } from '../workflow/children-list';
import { childTimeline, namedTimeline, TIMELINE_KINDS } from '../workflow/history';
import { account, dateGb } from '../vocabulary';
import { subjectAccess } from '../workflow/subject-access';
import { renderPdf, type Block } from './pdf';
import { csv, reply, route } from './router';
import { BOUNDS, tooLong } from '../workflow/input';

/** A child's history and access log, the children one may look up, and the subject-access export. */

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day, e.g. 2026-03-01')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'a real date');
const HistoryQuery = z.object({
  kinds: csv.pipe(z.array(z.enum(TIMELINE_KINDS))).optional(),
  from: Day.optional(),
  to: Day.optional(),
});

export const childRoutes = [
  route<{ teamId?: string }>({
    method: 'GET',
    path: '/api/v1/children',
    roles: 'any',
    query: z.object({ teamId: z.string().min(1, 'required').max(BOUNDS.id, tooLong(BOUNDS.id)).optional() }),
    handle: async ({ deps, staff, query }) =>
      reply(
        await childrenList(deps, { actorId: staff.id, ...(query.teamId ? { teamId: query.teamId } : {}) }),
      ),
  }),
  route<z.infer<typeof HistoryQuery>>({
    method: 'GET',
    path: '/api/v1/children/:childId/history',
    roles: 'any',
    query: HistoryQuery,
    handle: async ({ deps, projection, staff, params, query, key }) =>
      reply(
        await childTimeline(deps, projection, { key, actorId: staff.id, childId: params.childId!, ...query }),
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v1/children/:childId/access-log',
    roles: 'any',
    handle: async ({ deps, projection, staff, params, key }) =>
      reply(
        await childTimeline(deps, projection, {
          key,
          actorId: staff.id,
          childId: params.childId!,
          kinds: ['view'],
        }),
        (h) => ({
          json: { childId: h.child.id, caseRef: h.child.caseRef, access: h.access },
        }),
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v1/children/:childId/subject-access.json',
    roles: ['information-governance', 'service-manager'],
    handle: async ({ deps, projection, staff, params, key }) =>
      reply(
        await subjectAccess(deps, projection, { key, actorId: staff.id, childId: params.childId! }),
        (r) => ({
          file: JSON.stringify(
            { exportedAt: deps.clock().toISOString(), exportedBy: r.reader, ...r },
            null,
            2,
          ),
          type: 'application/json; charset=utf-8',
          filename: `subject-access-${r.child.caseRef}.json`,
        }),
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v1/children/:childId/subject-access.pdf',
    roles: ['information-governance', 'service-manager'],
    handle: async ({ deps, projection, staff, params, key }) => {
      const r = await subjectAccess(deps, projection, { key, actorId: staff.id, childId: params.childId! });
      if (!r.ok) return reply(r);
      const c = r.value.child;
      const blocks: Block[] = [
        {
          p: `Everything Overt keeps about the viewing of ${c.displayName}'s public social media, and who has read it, as at the day it was made.`,
        },
        {
          kv: [
            ['Policy', `${r.value.profile.name}, version ${r.value.profile.version}`],
            ['Accounts known', c.platforms.map(account).join('; ') || 'none'],
          ],
        },
        { h: 'The record, oldest first' },
      ];
      for (const t of await namedTimeline(deps, r.value))
        blocks.push(
          { h: `${dateGb(t.at)} — ${t.title}` },
          {
            kv: [
              ...t.facts,
              ...(t.by ? ([['By', t.by]] as [string, string][]) : []),
              ...(t.cites.length ? ([['As the policy says', t.cites.join('; ')]] as [string, string][]) : []),
            ],
          },
        );
      return {
        file: await renderPdf(`Subject access: ${c.caseRef}`, blocks, {
          lines: [
            ['Child', `${c.displayName} (case reference ${c.caseRef})`],
            ['Team', r.value.team.name],
          ],
          madeAt: deps.clock().toISOString(),
          madeBy: r.value.reader.name,
        }),
        type: 'application/pdf',
        filename: `subject-access-${c.caseRef}.pdf`,
      };
    },
  }),
];
