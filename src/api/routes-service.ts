import { z } from 'zod';
import { BOUNDS, tooLong, typedString } from '../workflow/input';
import { ASSERTIONS, progressObjection, reviewEvidence, submitReview } from '../workflow';
import { serviceDashboard } from '../workflow/dashboard';
import { objectionQueue } from '../workflow/objection-queue';
import { latestReview, reviewExport, submittedEvidence } from './review-export';
import { reply, route } from './router';

/** The dashboard, information governance's objections queue and steps, and the annual review. */

const Year = z.object({ year: z.coerce.number().int().min(2000).max(2100) });
const StepBody = z.discriminatedUnion('step', [
  z.object({ step: z.literal('take') }),
  z.object({
    step: z.literal('respond'),
    response: typedString().trim().min(1, 'write the formal response').max(BOUNDS.long, tooLong(BOUNDS.long)),
  }),
  z.object({ step: z.literal('resolve'), outcome: z.enum(['checks-may-resume', 'checks-stopped']) }),
]);
const ReviewBody = z.object({
  year: z.number().int().min(2000).max(2100),
  assessments: z
    .array(
      z.object({
        id: z.enum(ASSERTIONS.map((a) => a.id) as [string, ...string[]]),
        assessment: z.enum(['met', 'partly-met', 'not-met']),
        comments: typedString().trim().min(1, 'say why').max(10_000, tooLong(10_000)),
      }),
    )
    .length(ASSERTIONS.length, 'assess each of the five assertions'),
  /** The revision this makes: 1 for the year's first, else one more than the latest (a stale form: 409). */
  revision: z.number().int().min(1).max(1000),
  sendToIg: z.boolean().default(true),
});

export const serviceRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/dashboard',
    roles: ['service-manager', 'information-governance', 'administrator', 'team-manager'],
    handle: async ({ deps, projection, staff }) =>
      reply(await serviceDashboard(deps, projection, { actorId: staff.id })),
  }),
  route({
    method: 'GET',
    path: '/api/v1/objections',
    roles: ['information-governance', 'service-manager'],
    handle: async ({ deps, staff }) => reply(await objectionQueue(deps, { actorId: staff.id })),
  }),
  route<undefined, z.infer<typeof StepBody>>({
    method: 'POST',
    path: '/api/v1/objections/:objectionId/steps',
    roles: ['information-governance'],
    body: StepBody,
    formAfterStanding: true,
    handle: async ({ deps, staff, params, body, key }) =>
      reply(
        await progressObjection(deps, { ...body, key, actorId: staff.id, objectionId: params.objectionId! }),
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v1/review/:year/evidence',
    roles: ['service-manager', 'information-governance'],
    handle: async ({ deps, params }) => {
      const y = Year.safeParse(params);
      if (!y.success)
        return reply({
          ok: false,
          error: { code: 'INVALID_INPUT', message: 'year: a year from 2000 to 2100', field: 'year' },
        });
      const [current, submitted, stored] = await Promise.all([
        reviewEvidence(deps, y.data.year),
        latestReview(deps, y.data.year),
        submittedEvidence(deps, y.data.year),
      ]);
      // A submitted revision is read with the evidence it was submitted with (as its PDF and CSV say it);
      // today's figures are what a new revision would be submitted with.
      return { json: { assertions: ASSERTIONS, evidence: stored ?? current, current, submitted } };
    },
  }),
  route<undefined, z.infer<typeof ReviewBody>>({
    method: 'POST',
    path: '/api/v1/review',
    roles: ['service-manager'],
    body: ReviewBody,
    handle: async ({ deps, staff, body, key }) =>
      reply(
        await submitReview(deps, { ...body, assessments: body.assessments as never, key, actorId: staff.id }),
        (v) => ({
          status: 201,
          json: v,
        }),
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v1/review/:year/export.:format',
    roles: ['service-manager', 'information-governance'],
    handle: async ({ deps, params, staff }) => {
      const y = Year.safeParse(params);
      const f = z.enum(['pdf', 'csv']).safeParse(params.format);
      if (!y.success || !f.success)
        return reply({
          ok: false,
          error: {
            code: 'INVALID_INPUT',
            message: 'a year from 2000 to 2100, as pdf or csv',
            field: y.success ? 'format' : 'year',
          },
        });
      return reviewExport(deps, y.data.year, f.data, staff.name);
    },
  }),
];
