import { builtinProfile } from './builtin';
import { reasonsToApprove } from './reasons';

const profile = (id: string) => builtinProfile(id)!;

describe('reasonsToApprove: read from the profile rules, never a list of profiles', () => {
  it('Nottinghamshire (000 §10) asks for reasons to approve any request, and says why', () => {
    const need = reasonsToApprove(profile('nottinghamshire-yjs'), { reason: 'risk-of-cse', rationale: 'x' });
    expect(need.required).toBe(true);
    expect(need.cites).toContain('000 §10');
    expect(need.why).toMatch(/reasons for the decision/);
    expect(need.citation).toBe('Nottinghamshire YJS policy, section 10');
  });

  it('a profile with no such rule asks for none', () => {
    expect(reasonsToApprove(profile('camden-cfs'), { reason: 'risk-of-cse' })).toEqual({
      required: false,
      why: '',
      cites: [],
      citation: '',
    });
  });

  it('a rule that holds only for another reason does not count', () => {
    const p = profile('nottinghamshire-yjs');
    const only = { ...p, rules: p.rules.filter((r) => r.id !== 'approval-without-reasons') };
    expect(reasonsToApprove(only, { reason: 'risk-of-cse', rationale: 'x' }).required).toBe(false);
    expect(reasonsToApprove(only, { reason: 'other', rationale: 'x' }).required).toBe(true);
  });
});
