import { z } from 'zod';
import { Role } from '../store/records';
import { assignProfile, importCaseList, previewCaseList, upsertStaff, upsertTeam } from '../workflow';
import { BOUNDS, Id, list, ShortText } from '../workflow/input';
import { fail } from '../workflow/types';
import { reply, route } from './router';

/**
 * The administrator's teams, staff and case list (issue 19): each a workflow command, audited, refused with a
 * reason by the field. People are added from Entra ID with `overt staff add`; here their role and teams change.
 */

const TeamBody = z.object({ name: ShortText, managerIds: list(Id).default([]) });
const ProfileBody = z.object({ profileId: ShortText });
const StaffBody = z.object({ role: Role, teamIds: list(Id).default([]) });
const CsvBody = z.object({ csv: z.string() });
// The case list's own bound, with room for JSON's escapes.
const CSV_BODY = BOUNDS.csv * 2 + 1024;

export const organisationRoutes = [
  route<undefined, z.infer<typeof TeamBody>>({
    method: 'PUT',
    path: '/api/v1/teams/:teamId',
    roles: ['administrator'],
    body: TeamBody,
    handle: async ({ deps, staff, params, body, key }) => {
      const existing = (await deps.store.get('team', params.teamId!))?.record;
      for (const m of body.managerIds)
        if (!(await deps.store.get('staff', m)))
          return reply(
            fail('INVALID_INPUT', 'managerIds: one of them is not a member of staff', 'managerIds'),
          );
      return reply(
        await upsertTeam(deps, {
          key,
          actorId: staff.id,
          team: {
            id: params.teamId!,
            name: body.name,
            managerIds: body.managerIds,
            ...(existing ? { profileId: existing.profileId } : {}),
            ...(existing?.deputyIds ? { deputyIds: existing.deputyIds } : {}),
          },
        }),
      );
    },
  }),
  route<undefined, z.infer<typeof ProfileBody>>({
    method: 'PUT',
    path: '/api/v1/teams/:teamId/profile',
    roles: ['administrator'],
    body: ProfileBody,
    handle: async ({ deps, staff, params, body, key }) =>
      reply(
        await assignProfile(deps, {
          key,
          actorId: staff.id,
          teamId: params.teamId!,
          profileId: body.profileId,
        }),
      ),
  }),
  route<undefined, z.infer<typeof StaffBody>>({
    method: 'PUT',
    path: '/api/v1/staff/:staffId',
    roles: ['administrator'],
    body: StaffBody,
    handle: async ({ deps, staff, params, body, key }) => {
      const person = (await deps.store.get('staff', params.staffId!))?.record;
      if (!person)
        return reply(fail('NOT_FOUND', 'no such member of staff: add people with overt staff add'));
      for (const t of body.teamIds)
        if (!(await deps.store.get('team', t)))
          return reply(fail('INVALID_INPUT', 'teamIds: one of them is not a team', 'teamIds'));
      if (person.id === staff.id && body.role !== 'administrator')
        return reply(fail('INVALID_INPUT', 'role: you cannot take away your own administrator role', 'role'));
      return reply(
        await upsertStaff(deps, {
          key,
          actorId: staff.id,
          staff: { ...person, role: body.role, teamIds: body.teamIds },
        }),
      );
    },
  }),
  route<undefined, z.infer<typeof CsvBody>>({
    method: 'POST',
    path: '/api/v1/children/import/preview',
    roles: ['administrator'],
    body: CsvBody,
    maxBody: CSV_BODY,
    handle: async ({ deps, staff, body, key }) =>
      reply(await previewCaseList(deps, { key, actorId: staff.id, csv: body.csv })),
  }),
  route<undefined, z.infer<typeof CsvBody>>({
    method: 'POST',
    path: '/api/v1/children/import',
    roles: ['administrator'],
    body: CsvBody,
    maxBody: CSV_BODY,
    handle: async ({ deps, staff, body, key }) =>
      reply(await importCaseList(deps, { key, actorId: staff.id, csv: body.csv })),
  }),
];
