import { builtinProfile } from './builtin';
import { evaluate } from './evaluate';
import { Situation, type SituationInput } from './situation';

const notts = builtinProfile('nottinghamshire-yjs')!;
const cm = { id: 'cm-a', role: 'case-manager' as const };
const request = {
  type: 'request-check' as const,
  by: cm,
  reason: 'risk-of-cce',
  viewer: 'own-personal-account',
  platforms: ['instagram'],
  rationale: 'Intelligence of exploitation.',
};
const consent = { event: 'consent-recorded' as const, on: '2025-09-01' };
const run = (s: SituationInput, profile = notts) => evaluate(profile, Situation.parse(s));

describe('evaluate: the three-month rule (000 §11, §12)', () => {
  const after = (checkOn: string, now: string) =>
    run({ now, given: [consent, { event: 'check-completed', on: checkOn, by: 'cm-b' }], action: request })
      .outcome;

  it.each([
    ['2026-01-15', '2026-04-14T23:59:00+01:00', 'needs-escalation'],
    ['2026-01-15', '2026-04-15T00:00:00+01:00', 'allow'],
    // 30 November plus three months is 28 February (the month is shorter), so 28 February is clear.
    ['2025-11-30', '2026-02-27T12:00:00Z', 'needs-escalation'],
    ['2025-11-30', '2026-02-28T12:00:00Z', 'allow'],
  ])('a check on %s, a new request at %s → %s', (on, now, outcome) => {
    expect(after(on, now)).toBe(outcome);
  });

  it('counts days on the organisation’s calendar: 00:30 BST on 15 April is 15 April, not 14', () => {
    expect(after('2026-01-15', '2026-04-14T23:30:00Z')).toBe('allow');
    expect(after('2026-01-15', '2026-04-14T22:30:00Z')).toBe('needs-escalation');
  });

  it('counts an approved check not yet done, whoever approved it, but not once it is done and old', () => {
    const approved = { event: 'check-approved' as const, on: '2025-06-01', by: 'tm-2', requester: 'cm-z' };
    expect(run({ now: '2026-03-01T10:00:00Z', given: [consent, approved], action: request }).outcome).toBe(
      'needs-escalation',
    );
    const done = { event: 'check-completed' as const, on: '2025-06-02', by: 'cm-z' };
    expect(
      run({ now: '2026-03-01T10:00:00Z', given: [consent, approved, done], action: request }).outcome,
    ).toBe('allow');
  });

  it('reads the record in time order even when it is given out of order', () => {
    const given = [
      { event: 'check-completed' as const, on: '2026-02-01', by: 'cm-b' },
      { event: 'consent-recorded' as const, on: '2025-09-01' },
    ];
    const v = run({ now: '2026-03-01T10:00:00Z', given, action: request });
    expect(v.outcome).toBe('needs-escalation');
    expect(v.determining).toEqual(['repeat-inside-three-months']);
  });
});

describe('evaluate: objection and consent (000 §6, §8)', () => {
  const objection = [consent, { event: 'objection-raised' as const, on: '2026-01-10' }];
  it.each([
    [[], 'refuse', 'notice-not-given'],
    [objection, 'refuse', 'objection-open'],
    [
      [...objection, { event: 'objection-resolved', on: '2026-02-01', outcome: 'checks-stopped' }],
      'refuse',
      'objection-upheld',
    ],
    [
      [...objection, { event: 'objection-resolved', on: '2026-02-01', outcome: 'checks-may-resume' }],
      'allow',
      'team-manager-each-occasion',
    ],
    [[consent, { event: 'consent-withdrawn', on: '2026-01-02' }], 'refuse', 'consent-withdrawn'],
  ] as const)('%j → %s by %s', (given, outcome, rule) => {
    const v = run({
      now: '2026-03-01T10:00:00Z',
      given: [...given] as SituationInput['given'],
      action: request,
    });
    expect(v.outcome).toBe(outcome);
    expect(v.determining).toContain(rule);
  });
});

describe('evaluate: combining rules', () => {
  it('refuse beats escalation beats allow, and every fired rule is listed', () => {
    const given = [
      consent,
      { event: 'check-completed' as const, on: '2026-02-01', by: 'cm-b' },
      { event: 'objection-raised' as const, on: '2026-02-10' },
    ];
    const v = run({ now: '2026-03-01T10:00:00Z', given, action: request });
    expect(v.outcome).toBe('refuse');
    expect(v.determining).toEqual(['objection-open']);
    const fired = v.fired.map((f) => f.rule);
    expect(fired).toEqual(
      expect.arrayContaining(['objection-open', 'repeat-inside-three-months', 'team-manager-each-occasion']),
    );
    expect(v.cites.slice(0, 1)).toEqual(['000 §8']);
    expect(v.obligations).toEqual([]);
    expect(v.authority).toBeUndefined();
  });

  it('an escalation names its authority and the clauses, and explains itself in plain English', () => {
    const v = run({
      now: '2026-03-01T10:00:00Z',
      given: [consent, { event: 'check-completed', on: '2026-02-01', by: 'cm-b' }],
      action: request,
    });
    expect(v).toMatchObject({
      outcome: 'needs-escalation',
      authority: 'authorised-officer',
      profile: { id: 'nottinghamshire-yjs', version: '2.0' },
    });
    expect(v.cites).toEqual(expect.arrayContaining(['000 §11', '000 §12']));
    expect(v.explanation).toMatch(
      /^Needs escalation under Nottinghamshire YJS v2\.0\. .*surveillance.*\(section 11, section 12, section 2\)/,
    );
  });

  it('the story-viewer warning carries the platform notes and their last-checked date (000 §23)', () => {
    const v = run({
      now: '2026-03-01T10:00:00Z',
      given: [consent],
      action: { ...request, platforms: ['instagram', 'youtube'] },
    });
    const warning = v.obligations.find((o) => o.id === 'story-viewer-warning')!;
    expect(warning.text).toContain('last checked 03/01/2023');
    expect(warning.text).toContain("Instagram: It is possible to see who has viewed 'stories'");
    expect(warning.text).not.toContain('Youtube');
    expect(warning.cites).toContain('000 §23');
  });

  it('is pure: the same situation gives the same verdict, whatever the clock says', () => {
    const s = { now: '2026-03-01T10:00:00Z', given: [consent], action: request };
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => {
      throw new Error('the evaluator read the clock');
    });
    try {
      expect(run(s)).toEqual(run(s));
    } finally {
      spy.mockRestore();
    }
  });

  it('hands out frozen verdicts, so a shared one cannot be changed by a caller', () => {
    const v = run({ now: '2026-03-01T10:00:00Z', given: [consent], action: request });
    expect(Object.isFrozen(v)).toBe(true);
    expect(Object.isFrozen(v.cites)).toBe(true);
  });

  it('naming the wrong authority is refused only where the request could otherwise be allowed', () => {
    const given = [consent, { event: 'check-requested' as const, on: '2026-02-28', by: 'cm-a' }];
    const approve = {
      ...request,
      type: 'approve-check' as const,
      by: { id: 'tm-1', role: 'team-manager' as const },
      authority: 'authorised-officer' as const,
    };
    const v = run({ now: '2026-03-01T10:00:00Z', given, action: approve });
    expect(v.outcome).toBe('refuse');
    expect(v.determining).toEqual(expect.arrayContaining(['wrong-authority', 'approver-cannot-act']));
  });
});

describe('evaluate: the profiles that never allow a check', () => {
  it.each(['north-somerset-scb', 'westgate-youth-project'])(
    '%s refuses even a perfect request, citing its clause',
    (id) => {
      const v = run(
        {
          now: '2026-03-01T10:00:00Z',
          given: [consent],
          action: { ...request, viewer: 'organisation-account' },
        },
        builtinProfile(id)!,
      );
      expect(v.outcome).toBe('refuse');
      expect(v.cites[0]).toMatch(id === 'north-somerset-scb' ? /^003 §2\.3\.5$/ : /^004 §1$/);
    },
  );

  it('Westgate explains that the organisation must adopt a procedure', () => {
    const v = run(
      { now: '2026-03-01T10:00:00Z', given: [], action: request },
      builtinProfile('westgate-youth-project')!,
    );
    expect(v.explanation).toMatch(/must adopt a procedure/);
  });
});
