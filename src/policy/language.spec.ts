import { addWindow, ageOn, windowWords } from './days';
import { holds } from './authority';
import { Profile } from './profile';

const holidays = new Set(['2026-12-25', '2026-12-28']);

describe('windows', () => {
  it('count calendar days, weeks, months and working days (less bank holidays)', () => {
    expect(addWindow('2026-05-01', { days: 28 })).toBe('2026-05-29');
    expect(addWindow('2026-05-01', { weeks: 2 })).toBe('2026-05-15');
    expect(addWindow('2025-11-30', { months: 3 })).toBe('2026-02-28');
    expect(addWindow('2026-12-18', { workingDays: 2 }, holidays)).toBe('2026-12-22');
    expect(addWindow('2026-12-24', { workingDays: 2 }, holidays)).toBe('2026-12-30');
    expect(addWindow('2026-12-24', { workingDays: 2 })).toBe('2026-12-28');
  });
  it('read as people say them', () => {
    expect(windowWords({ months: 1 })).toBe('a month');
    expect(windowWords({ months: 3 })).toBe('3 months');
    expect(windowWords({ workingDays: 2 })).toBe('2 working days');
    expect(windowWords({ days: 28 })).toBe('28 days');
  });
});

describe('age from date of birth', () => {
  it('turns on the birthday, and on 1 March for 29 February in other years', () => {
    expect(ageOn('2010-05-04', '2026-05-03')).toBe(15);
    expect(ageOn('2010-05-04', '2026-05-04')).toBe(16);
    expect(ageOn('2008-02-29', '2025-02-28')).toBe(16);
    expect(ageOn('2008-02-29', '2025-03-01')).toBe(17);
  });
});

describe('holding an authority', () => {
  const p = Profile.parse({
    id: 'x',
    name: 'x',
    organisation: 'x',
    version: '1',
    effectiveDate: '2026-01-01',
    source: { document: 'x' },
    clauses: { 'A-1': 'a' },
    authorities: {
      own: { name: "the child's own team manager", holders: [{ role: 'team-manager', ofChildTeam: true }] },
      prevent: { name: 'the Prevent lead', holders: [{ flag: 'preventLead' }] },
      hos: { name: 'the Head of Service', holders: [{ group: 'Head of Service' }] },
      smr: { holders: [{ flag: 'socialMediaResponsibility' }] },
    },
    default: { cites: ['A-1'], explain: 'no' },
    rules: [
      {
        id: 'r',
        cites: ['A-1'],
        actions: ['request-check'],
        when: { always: true },
        effect: 'refuse',
        explain: 'x',
      },
    ],
  });
  it('by a role in the child’s own team, a flag on the staff record, or a named group', () => {
    expect(holds(p, 'own', { role: 'team-manager', teams: ['north'] }, 'north')).toBe(true);
    expect(holds(p, 'own', { role: 'team-manager', teams: ['south'] }, 'north')).toBe(false);
    expect(holds(p, 'own', { role: 'team-manager', teams: ['north'] }, undefined)).toBe(false);
    expect(holds(p, 'prevent', { role: 'case-manager', flags: ['preventLead'] })).toBe(true);
    expect(holds(p, 'prevent', { role: 'team-manager' })).toBe(false);
    expect(holds(p, 'hos', { role: 'service-manager', groups: ['Head of Service'] })).toBe(true);
    expect(holds(p, 'smr', { role: 'team-manager', socialMediaResponsibility: true })).toBe(true);
    expect(holds(p, 'nobody', { role: 'team-manager' })).toBe(false);
  });
});
