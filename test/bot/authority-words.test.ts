import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Profile } from '../../src/policy/profile';
import { verdictLine, verdictSection } from '../../src/bot/views/verdict';
import { verdictView } from '../../src/workflow/queries/request';

/**
 * A card names an authority by the profile's declared name, never its id: before, a custom profile's "own-tm"
 * read "Decided by: Own tm" and "the own tm decides" on the cards; now "the child's own team manager".
 */
const ash = Profile.parse(
  JSON.parse(readFileSync(join(__dirname, '../policy/fixtures/ashbridge/policy-v1.json'), 'utf8')),
);
const text = (x: unknown) => JSON.stringify(x);
const summary = (authority: string) => ({
  outcome: 'allow' as const,
  authority,
  explanation: 'Allowed.',
  cites: ['ASH/A1'],
  obligations: [],
});

describe('cards name an authority as the profile does', () => {
  it('a custom profile’s own authority: its declared name', () => {
    const v = verdictView(summary('own-tm') as never, ash);
    expect(text(verdictLine(v))).toContain(
      "The policy allows this request; the child's own team manager decides.",
    );
    expect(text(verdictSection(v))).toContain("Decided by: The child's own team manager");
    expect(text([verdictLine(v), verdictSection(v)])).not.toMatch(/own tm|Own tm|own-tm/);
  });

  it('a standard authority keeps its standard words', () => {
    const v = verdictView(summary('team-manager') as never, ash);
    expect(text(verdictLine(v))).toContain('the team manager decides');
    expect(text(verdictSection(v))).toContain('Decided by: Team manager');
  });
});
