import { z } from 'zod';
import { Role } from '../store/records';
import {
  assignProfile,
  importCaseList,
  previewCaseList,
  upsertStaff,
  upsertTeam,
  type Deps,
  type Outcome,
} from '../workflow';
import { Id, list, ShortText } from '../workflow/input';
import { CASE_LIST_MAX_BYTES, caseListTooLarge } from '../vocabulary/case-list';
import { flagsOf } from '../workflow/organisation';
import { fail } from '../workflow/types';
import { reply, route, type Route } from './router';

/**
 * The administrator's teams, staff and case list (issue 19): each a workflow command, audited, refused with a
 * reason by the field. People are added from Entra ID with `overt staff add`; here their role and teams change.
 */

const TeamBody = z.strictObject({ name: ShortText, managerIds: list(Id).default([]) });
/** The profile, and optionally the version meant (refused with a reason unless it is the one in force). */
const ProfileBody = z.strictObject({ profileId: ShortText, version: ShortText.optional() });
/** A person's role and teams, and the flags and named groups a policy reads (left as they are when not
 * given). Strict: a field it does not take is a 400 naming it, never dropped. */
const StaffBody = z.strictObject({
  role: Role,
  teamIds: list(Id).default([]),
  flags: list(ShortText).optional(),
  groups: list(ShortText).optional(),
});
const CsvBody = z.object({ csv: z.string() });
// The case list's own bound, with room for JSON's escapes: a list within it is read and refused by the
// workflow, a body past this before it is read; both in the same words (vocabulary/case-list.ts).
const CSV_BODY = CASE_LIST_MAX_BYTES * 2 + 1024;

/** Whether every id names a record of the kind (a team's managers, a person's teams). */
async function allExist(deps: Deps, kind: 'staff' | 'team', ids: string[]): Promise<boolean> {
  return (await Promise.all(ids.map((id) => deps.store.get(kind, id)))).every(Boolean);
}

/** The case list sent as CSV to one command: checked row by row (the preview), or imported. */
function caseListRoute(
  path: string,
  command: (deps: Deps, input: { key: string; actorId: string; csv: string }) => Promise<Outcome<unknown>>,
): Route {
  return route<undefined, z.infer<typeof CsvBody>>({
    method: 'POST',
    path,
    roles: ['administrator'],
    body: CsvBody,
    maxBody: CSV_BODY,
    tooLarge: (bytes) => caseListTooLarge(bytes, true)!,
    handle: async ({ deps, staff, body, key }) =>
      reply(await command(deps, { key, actorId: staff.id, csv: body.csv })),
  });
}

export const organisationRoutes = [
  route<undefined, z.infer<typeof TeamBody>>({
    method: 'PUT',
    path: '/api/v1/teams/:teamId',
    roles: ['administrator'],
    body: TeamBody,
    handle: async ({ deps, staff, params, body, key }) => {
      const existing = (await deps.store.get('team', params.teamId!))?.record;
      if (!(await allExist(deps, 'staff', body.managerIds)))
        return reply(fail('INVALID_INPUT', 'managerIds: one of them is not a member of staff', 'managerIds'));
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
          ...(body.version !== undefined ? { version: body.version } : {}),
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
      if (!(await allExist(deps, 'team', body.teamIds)))
        return reply(fail('INVALID_INPUT', 'teamIds: one of them is not a team', 'teamIds'));
      if (person.id === staff.id && body.role !== 'administrator')
        return reply(fail('INVALID_INPUT', 'role: you cannot take away your own administrator role', 'role'));
      const { designatedOfficer: _d, socialMediaResponsibility: _s, ...kept } = person;
      const r = await upsertStaff(deps, {
        key,
        actorId: staff.id,
        staff: {
          ...kept,
          role: body.role,
          teamIds: body.teamIds,
          flags: body.flags ?? flagsOf(person),
          groups: body.groups ?? person.groups ?? [],
        },
      });
      // The workflow names its fields inside the staff record; this body has them at the top.
      return reply(
        r.ok || !r.error.field?.startsWith('staff.')
          ? r
          : fail(r.error.code, r.error.message.replace(/^staff\./, ''), r.error.field.slice(6)),
      );
    },
  }),
  caseListRoute('/api/v1/children/import/preview', previewCaseList),
  caseListRoute('/api/v1/children/import', importCaseList),
];
