import { join } from 'node:path';
import { holds } from '../../src/policy/authority';
import { loadProfileFile } from '../../src/policy/load';
import { startApi, type Api } from './harness';

/**
 * issue 18: the flags and named groups a profile reads (Fernmoor's Prevent lead and Head of Service, Camden's
 * designated officers) and a child's date of birth are set where staff and children are managed — here the
 * API the tab uses — checked against what the loaded profiles read. A field the staff route does not take is
 * a 400 naming it (it was dropped in silence), and a flag or group no loaded profile reads is a 400 naming
 * the ones they do; each refusal is audited and writes nothing.
 */

const fernmoor = loadProfileFile(join(__dirname, '../../examples/fernmoor/fernmoor.json'));
if (!fernmoor.ok) throw new Error(fernmoor.error.message);

let api: Api;
beforeAll(async () => {
  api = await startApi({}, { customProfiles: [fernmoor.value] });
});
afterAll(() => api.close());

const staff = async (id: string) => (await api.w.store.get('staff', id))!.record;
const last = async () => (await api.w.store.audit.list()).at(-1)!;
const json = async <T>(res: Response) => (await res.json()) as T;

describe('what the policy asks of a member of staff', () => {
  it('the organisation lists the flags and groups the loaded profiles read, in words', async () => {
    const o = await json<{
      marks: { flags: { id: string; label: string; profiles: string[] }[]; groups: { id: string }[] };
    }>(await api.get('/api/v1/organisation', 'admin'));
    expect(o.marks.flags).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'preventLead', label: 'Prevent lead' }),
        expect.objectContaining({ id: 'designatedOfficer', label: 'Designated officer' }),
        expect.objectContaining({ id: 'socialMediaResponsibility', label: 'Social media responsibility' }),
      ]),
    );
    expect(o.marks.groups).toEqual([expect.objectContaining({ id: 'Head of Service' })]);
  });

  it('flags and groups are set, audited, and the policy sees them', async () => {
    const res = await api.send(
      'PUT',
      '/api/v1/staff/cm-kent',
      { role: 'case-manager', teamIds: ['kent'], flags: ['preventLead', 'designatedOfficer'] },
      'admin',
    );
    expect(res.status).toBe(200);
    expect(await staff('cm-kent')).toMatchObject({ flags: ['preventLead'], designatedOfficer: true });
    expect(holds(fernmoor.value, 'prevent-lead', await staff('cm-kent'))).toBe(true);
    expect(await last()).toMatchObject({
      action: 'staff.upsert',
      outcome: 'recorded',
      details: { flags: ['designatedOfficer', 'preventLead'], groups: [] },
    });
    const sm = await api.send(
      'PUT',
      '/api/v1/staff/sm',
      { role: 'service-manager', teamIds: [], groups: ['Head of Service'] },
      'admin',
    );
    expect(sm.status).toBe(200);
    expect((await staff('sm')).groups).toEqual(['Head of Service']);
    expect(holds(fernmoor.value, 'head-of-service', await staff('sm'))).toBe(true);
    // Changing a role alone keeps what the policy asks of them.
    await api.send(
      'PUT',
      '/api/v1/staff/cm-kent',
      { role: 'case-manager', teamIds: ['kent', 'notts'] },
      'admin',
    );
    expect(await staff('cm-kent')).toMatchObject({ flags: ['preventLead'], designatedOfficer: true });
    // And an empty list takes them away.
    await api.send(
      'PUT',
      '/api/v1/staff/cm-kent',
      { role: 'case-manager', teamIds: ['kent'], flags: [] },
      'admin',
    );
    const now = await staff('cm-kent');
    expect(now.flags).toBeUndefined();
    expect(now.designatedOfficer).toBeUndefined();
  });

  it('a flag or group no loaded profile reads is a 400 naming the ones they do; nothing written, audited', async () => {
    const before = await staff('cm-notts');
    const typo = await api.send(
      'PUT',
      '/api/v1/staff/cm-notts',
      { role: 'case-manager', teamIds: ['notts'], flags: ['preventLeed'] },
      'admin',
    );
    expect(typo.status).toBe(400);
    const body = await json<{ field: string; detail: string }>(typo);
    expect(body.field).toBe('flags');
    expect(body.detail).toMatch(/no loaded policy profile reads the flag "preventLeed"/);
    expect(body.detail).toContain('"preventLead" (Prevent lead)');
    expect(await last()).toMatchObject({ action: 'staff.upsert', outcome: 'refuse' });
    const group = await api.send(
      'PUT',
      '/api/v1/staff/cm-notts',
      { role: 'case-manager', teamIds: ['notts'], groups: ['Heads of Service'] },
      'admin',
    );
    expect(await json(group)).toMatchObject({ status: 400, field: 'groups' });
    expect(await staff('cm-notts')).toEqual(before);
  });

  it('a field the route does not take is a 400 naming it and the fields it takes (was dropped in silence)', async () => {
    const before = await staff('cm-notts');
    const res = await api.send(
      'PUT',
      '/api/v1/staff/cm-notts',
      { role: 'team-manager', teamIds: ['notts'], preventLead: true },
      'admin',
    );
    expect(res.status).toBe(400);
    const body = await json<{ field: string; detail: string }>(res);
    expect(body.field).toBe('preventLead');
    expect(body.detail).toMatch(/"preventLead"/);
    expect(body.detail).toMatch(/the fields are role, teamIds, flags, groups/);
    expect(await staff('cm-notts')).toEqual(before);
    expect(await last()).toMatchObject({ outcome: 'refuse' });
  });
});

describe('a child’s date of birth', () => {
  const csv = (rows: string[]) => ['Case reference,Name,Team,Worker,Date of birth', ...rows].join('\n');

  it('is imported from the case list (day/month/year), and a day that is not one is a row problem', async () => {
    const preview = await json<{ rows: { line: number; problems: string[] }[]; bad: number }>(
      await api.send(
        'POST',
        '/api/v1/children/import/preview',
        {
          csv: csv([
            'DOB-1,A.A. (demo),kent,cm-kent,14/02/2011',
            'DOB-2,B.B. (demo),kent,cm-kent,31/02/2011',
            'DOB-3,C.C. (demo),kent,cm-kent,01/01/2099',
            'DOB-4,D.D. (demo),kent,cm-kent,',
          ]),
        },
        'admin',
      ),
    );
    expect(preview.bad).toBe(2);
    expect(preview.rows[1]!.problems).toEqual(['date of birth "31/02/2011" is not a day that exists']);
    expect(preview.rows[2]!.problems).toEqual(['date of birth "01/01/2099" is after today']);
    const res = await api.send(
      'POST',
      '/api/v1/children/import',
      { csv: csv(['DOB-1,A.A. (demo),kent,cm-kent,14/02/2011', 'DOB-4,D.D. (demo),kent,cm-kent,']) },
      'admin',
    );
    expect(res.status).toBe(200);
    const [one] = await api.w.store.query('child', { where: { caseRef: 'DOB-1' } });
    expect(one!.record.dateOfBirth).toBe('2011-02-14');
    const [four] = await api.w.store.query('child', { where: { caseRef: 'DOB-4' } });
    expect(four!.record.dateOfBirth).toBeUndefined();
    // A later list corrects it.
    await api.send(
      'POST',
      '/api/v1/children/import',
      { csv: csv(['DOB-1,A.A. (demo),kent,cm-kent,2011-03-14']) },
      'admin',
    );
    const [again] = await api.w.store.query('child', { where: { caseRef: 'DOB-1' } });
    expect(again!.record.dateOfBirth).toBe('2011-03-14');
  });
});
