import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinProfiles, BUILTIN_IDS } from './builtin';
import { loadProfileFile, parseProfile, resolveProfile } from './load';
import nottinghamshire from './profiles/nottinghamshire-yjs.json';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('built-in profiles', () => {
  it('ships the five seed policies under the ids of the case format', () => {
    expect(BUILTIN_IDS).toEqual([
      'nottinghamshire-yjs',
      'camden-cfs',
      'kent-ics',
      'north-somerset-scb',
      'westgate-youth-project',
    ]);
    expect([...builtinProfiles().keys()]).toEqual(BUILTIN_IDS);
  });

  it.each([
    ['nottinghamshire-yjs', '000'],
    ['camden-cfs', '001'],
    ['kent-ics', '002'],
    ['north-somerset-scb', '003'],
    ['westgate-youth-project', '004'],
  ])(
    '%s cites only its own seed (%s), and every profile has a version, effective date and source',
    (id, seed) => {
      const p = builtinProfiles().get(id)!;
      for (const r of p.rules) for (const c of r.cites) expect(c.startsWith(`${seed} §`)).toBe(true);
      expect(p.version).toMatch(/\d/);
      expect(p.effectiveDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.source.seed).toMatch(new RegExp(`^${seed}_`));
    },
  );

  it('Nottinghamshire carries rules for the numbered clauses the issue names', () => {
    const cited = new Set(
      builtinProfiles()
        .get('nottinghamshire-yjs')!
        .rules.flatMap((r) => r.cites),
    );
    for (const n of [3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 22, 23])
      expect(cited).toContain(`000 §${n}`);
  });

  it('Kent cites its sections by heading, because it numbers nothing', () => {
    const p = builtinProfiles().get('kent-ics')!;
    expect(p.rules.every((r) => r.cites.every((c) => /^002 §[A-Z]/.test(c)))).toBe(true);
    expect(p.source.note).toMatch(/numbers none/);
  });
});

describe('profile validation names the problem', () => {
  const bad = (mutate: (p: ReturnType<typeof clone<typeof nottinghamshire>>) => void) => {
    const p = clone(nottinghamshire);
    mutate(p);
    const r = parseProfile(p, 'custom.json');
    if (r.ok) throw new Error('expected the profile to be rejected');
    return r.error.message;
  };

  it('a rule citing a clause the profile does not declare', () => {
    expect(bad((p) => (p.rules[0]!.cites = ['000 §99']))).toMatch(
      /cites "000 §99", which the profile does not declare in "clauses" \(declared: 000 §1, /,
    );
  });
  it('a rule citing nothing', () => {
    expect(bad((p) => (p.rules[0]!.cites = []))).toMatch(/every rule cites at least one clause/);
  });
  it('an unknown condition', () => {
    expect(bad((p) => ((p.rules[0]!.when as Record<string, unknown>).moonPhase = 'full'))).toMatch(
      /moonPhase/,
    );
  });
  it('an escalation with nobody to escalate to', () => {
    expect(bad((p) => delete p.rules.find((r) => r.effect === 'escalate')!.authority)).toMatch(
      /authority to escalate to/,
    );
  });
  it('duplicate rule ids', () => {
    expect(bad((p) => (p.rules[1]!.id = p.rules[0]!.id))).toMatch(/duplicate rule id/);
  });
  it('an unknown time zone', () => {
    expect(bad((p) => (p.timeZone = 'Mars/Olympus'))).toMatch(/unknown time zone/);
  });
});

describe('custom profile files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'overt-profile-'));

  it('loads a valid file', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ ...clone(nottinghamshire), id: 'my-service', version: '3.1' }));
    const r = resolveProfile(file);
    expect(r.ok && r.value.id).toBe('my-service');
  });

  it('names the path and the problem for a broken file', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "id": "x", ');
    const r = loadProfileFile(file);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(new RegExp(`^${file}: not valid JSON`));
  });

  it('names the path for a missing file, and lists the built-ins for an unknown id', () => {
    const missing = resolveProfile(join(dir, 'nope.json'));
    expect(!missing.ok && missing.error.message).toMatch(/nope\.json: cannot read the profile/);
    const unknown = resolveProfile('hampshire');
    expect(!unknown.ok && unknown.error.message).toMatch(
      /no built-in profile "hampshire" \(built-in: nottinghamshire-yjs/,
    );
  });
});
