import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinProfiles } from '../../src/policy/builtin';
import { seedOf, SEED_CLAUSES } from '../../src/policy/seed-clauses';

/**
 * The clause ids `overt policy coverage` accounts for are the seeds' own: read from the seed texts where they
 * number their clauses (000's paragraphs, 003's clauses, 004's contents), and every built-in profile declares
 * exactly its seed's clauses, each cited by a rule or given a reason for none.
 */
const seeds = join(__dirname, '../../../shared/seeds');
const text = (n: string) => {
  const f = readdirSync(seeds).find((x) => x.startsWith(`${n}_`))!;
  return readFileSync(join(seeds, f), 'utf8');
};
const found = (re: RegExp, s: string) => [...new Set([...s.matchAll(re)].map((m) => m[1]!))];

describe('seed clause ids, from the seed texts', () => {
  it('000: paragraphs 1 to 27', () => {
    const ids = found(/^\s*(?:- )?(\d+)\. /gm, text('000')).map(Number);
    expect(SEED_CLAUSES['000']).toEqual(ids.sort((a, b) => a - b).map((n) => `000 §${n}`));
  });
  it('003: every numbered clause, and Appendix A', () => {
    const ids = found(/^(\d+\.\d+\.\d+) /gm, text('003'));
    expect(SEED_CLAUSES['003']).toEqual([...ids.map((n) => `003 §${n}`), '003 §Appendix A']);
  });
  it('004: the sections of its contents, and the two appendices', () => {
    const contents = text('004').split('Appendices')[0]!;
    const ids = found(/^(\d)\. /gm, contents);
    expect(SEED_CLAUSES['004']).toEqual([
      ...ids.map((n) => `004 §${n}`),
      '004 §Appendix 1',
      '004 §Appendix 2',
    ]);
  });
});

describe('built-in profiles and their seeds', () => {
  it.each([...builtinProfiles().values()].map((p) => [p.id, p] as const))(
    '%s declares exactly its seed’s clauses, each cited by a rule or given a reason for none',
    (_id, p) => {
      const seed = seedOf(p.source)!;
      expect(Object.keys(p.clauses).sort()).toEqual([...SEED_CLAUSES[seed]!].sort());
      const cited = new Set(p.rules.flatMap((r) => r.cites));
      const bare = Object.keys(p.clauses).filter((c) => !cited.has(c) && !p.unenforced[c]);
      expect(bare).toEqual([]);
    },
  );
});
