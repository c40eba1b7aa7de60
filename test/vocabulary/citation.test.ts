import { builtinProfiles } from '../../src/policy/builtin';
import { citation, citations, clauseWords, officerWords } from '../../src/vocabulary';

/**
 * One citation form for people: the policy by its name and the clause in words, never the clause's id.
 * Every clause of every built-in profile reads without "§" or the seed's number.
 */
describe('a clause as people read it', () => {
  const notts = {
    name: 'Nottinghamshire YJS',
    clauses: { '000 §12': 'More frequent viewing is surveillance' },
  };

  it('names the policy and the clause in words', () => {
    expect(citation('000 §12', notts)).toBe('Nottinghamshire YJS policy, section 12');
    expect(citation('000 §12')).toBe('section 12');
    expect(citations(['000 §10', '000 §11'], notts)).toBe(
      'Nottinghamshire YJS policy, section 10 and section 11',
    );
    expect(citations([], notts)).toBe('');
  });

  it('says a numbered clause, an appendix, a heading and an id of another form', () => {
    expect(clauseWords('003 §2.3.5')).toBe('section 2.3.5');
    expect(clauseWords('004 §Appendix 1', 'Data protection principles and law')).toBe('appendix 1');
    expect(clauseWords('002 §Information gathering', 'Information gathering and Assessment')).toBe(
      'section “Information gathering and Assessment”',
    );
    expect(clauseWords('Section 3(b)')).toBe('section 3(b)');
    // A council's own free-form id is said as the council says it, with the clause's title.
    expect(clauseWords('CP-4.2', 'Consent')).toBe('CP-4.2 “Consent”');
    expect(citation('KM/OV 1', { name: 'Kestrel Moor', clauses: { 'KM/OV 1': 'Title' } })).toBe(
      'Kestrel Moor policy, KM/OV 1 “Title”',
    );
  });

  it('gives every clause of the built-in profiles without its id', () => {
    for (const p of builtinProfiles().values())
      for (const id of Object.keys(p.clauses)) {
        const c = citation(id, p);
        expect(c).not.toMatch(/§|\b00\d\b/);
        expect(c.startsWith(`${p.name} policy, `)).toBe(true);
      }
  });
});

it('a profile’s own words cite a numbered clause as cards do, “section 23”, never “Paragraph 23” beside it (issue 13 walk 13b)', () => {
  expect(officerWords('Paragraph 23 has no privacy notes for a requested platform.')).toBe(
    'Section 23 has no privacy notes for a requested platform.',
  );
  expect(officerWords('the criteria in paragraph 3, nor under paragraphs 4')).toBe(
    'the criteria in section 3, nor under sections 4',
  );
  expect(clauseWords('000 §23')).toBe('section 23');
});
