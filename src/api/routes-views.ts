import { z } from 'zod';
import { decideRequest } from '../workflow';
import { awaitingDecision, mayDecide, organisationView } from '../workflow/role-views';
import { ROLE } from '../vocabulary';
import { BOUNDS, tooLong, typedString } from '../workflow/input';
import { staffZone } from '../workflow/zone';
import { reply, route, type Route } from './router';
import { FORM_AT_FAULT, type FormAtFault } from '../workflow/input';
import { capabilities, DECIDERS, viewsFor } from './views';

/** Who am I and what may I use; what awaits my decision (and deciding it); the RIPA register; teams and staff. */

const DecisionBody = z.object({
  outcome: z.enum(['approve', 'decline', 'more-info']),
  reasons: typedString().trim().max(BOUNDS.long, tooLong(BOUNDS.long)).optional(),
  expectedVersion: z.string().min(1, 'required').max(BOUNDS.id, tooLong(BOUNDS.id)),
});

export const viewRoutes = (routes: () => readonly Route[]): Route[] => [
  route({
    method: 'GET',
    path: '/api/v1/me',
    roles: 'any',
    handle: async ({ deps, staff }) => {
      const teams = (await Promise.all(staff.teamIds.map((id) => deps.store.get('team', id)))).flatMap((t) =>
        t ? [{ id: t.record.id, name: t.record.name }] : [],
      );
      return {
        json: {
          id: staff.id,
          name: staff.name,
          role: staff.role,
          roleLabel: ROLE[staff.role] ?? staff.role,
          teamIds: staff.teamIds,
          teams,
          timeZone: await staffZone(deps, staff.teamIds),
          ...viewsFor(routes(), staff, { decides: await mayDecide(deps, staff) }),
          can: capabilities(routes(), staff),
        },
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/decisions/awaiting',
    // Whoever may decide a request (the decision route's roles): each sees what the profile lets them decide.
    roles: DECIDERS,
    handle: async ({ deps, staff }) => reply(await awaitingDecision(deps, { actorId: staff.id })),
  }),
  route<undefined, z.infer<typeof DecisionBody>>({
    method: 'POST',
    path: '/api/v1/requests/:requestId/decision',
    roles: DECIDERS,
    body: DecisionBody,
    formAfterStanding: true,
    handle: async ({ deps, staff, params, body, key }) =>
      reply(
        await decideRequest(deps, {
          key,
          actorId: staff.id,
          requestId: params.requestId!,
          ...(FORM_AT_FAULT in body
            ? {
                // A body at fault: who may decide is checked as for an approval (the request's team, not one's
                // own request) when its outcome is no outcome; the form's problem is answered after that.
                outcome: DecisionBody.shape.outcome.safeParse(body.outcome).data ?? 'approve',
                [FORM_AT_FAULT]: (body as FormAtFault)[FORM_AT_FAULT],
              }
            : {
                outcome: body.outcome,
                ...(body.reasons ? { reasons: body.reasons } : {}),
                expectedVersion: body.expectedVersion,
              }),
        }),
        (d) => ({
          json: {
            status: d.request.status,
            decidedAt: d.request.decidedAt ?? null,
            // Approved under a RIPA authorisation: its unique reference (000 §12).
            ...(d.ripaReference ? { ripaReference: d.ripaReference } : {}),
          },
        }),
      ),
  }),
  route({
    method: 'GET',
    path: '/api/v1/organisation',
    roles: ['administrator'],
    handle: async ({ deps, staff }) => reply(await organisationView(deps, { actorId: staff.id })),
  }),
];
