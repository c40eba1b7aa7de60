import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinProfile } from '../../src/policy/builtin';
import { runCli } from './run';

/**
 * Issue 18: `overt policy show` reads as a policy panel would read it — every condition in words (windows
 * "in any 3 weeks", working days, age "17 or over", who recorded, deadlines, who may see), authorities by
 * their declared names with who holds them (role, flag, group), how verdicts combine, and what is not
 * enforced. No rule id, authority code or field name of the profile file is printed.
 */
const ashbridgeFile = join(__dirname, '../policy/fixtures/ashbridge/policy-v1.json');
const ashbridge = JSON.parse(readFileSync(ashbridgeFile, 'utf8')) as {
  rules: { id: string }[];
  authorities: Record<string, unknown>;
};
const FIELDS = [
  'priorChecks',
  'workingDays',
  'childAge',
  'atLeast',
  'recordedBy',
  'holdsNone',
  'byHolds',
  'byHoldsNone',
  'ofChildTeam',
  'overdue',
  'reasonIn',
  'reasonNotIn',
  'consentExceptionAgreed',
  'approvedCheckOutstanding',
  'selfApproval',
  'approverRoleMismatch',
  'authorityMismatch',
];
const hyphened = (ids: string[]) => ids.filter((id) => id.includes('-'));

describe('overt policy show, in words', () => {
  it('Ashbridge: every condition, authority and holder in words; no internal name', async () => {
    const r = await runCli('policy', 'show', ashbridgeFile);
    expect(r.code).toBe(0);
    const out = r.stdout;
    // Who may act as each authority, by its declared name, with how a person holds it.
    expect(out).toMatch(/^Who may act as each authority:$/m);
    expect(out).toMatch(/^ {2}The child's own team manager: a team manager in the child's own team$/m);
    expect(out).toMatch(/^ {2}The Assistant Director: a member of the “Assistant Directors” group$/m);
    expect(out).toMatch(
      /^ {2}The Missing Children Coordinator: anyone whose staff record is marked “missing coordinator”$/m,
    );
    expect(out).toMatch(
      /^ {2}The child's own team or information governance: information governance, a case manager in the child's own team or a team manager in the child's own team$/m,
    );
    // How verdicts combine, and the fail-closed default.
    expect(out).toMatch(
      /^How verdicts combine:\n {2}Every rule whose conditions all hold fires\. A refusal decides/m,
    );
    expect(out).toMatch(
      /the policy refuses: “The policy does not allow this\.” \(Ashbridge online safeguarding viewing policy, ASH\/A1 “Authorised by the child's own team manager”\)/,
    );
    // Each kind of condition in words.
    expect(out).toMatch(
      /already viewed in the last 3 weeks .*so this would be the second viewing in any 3 weeks/,
    );
    expect(out).toMatch(/when more than 3 working days have passed since the viewing/);
    expect(out).toMatch(
      /Working days: Monday to Friday, less the bank holidays 31 August 2026, .* and 1 January 2027/,
    );
    expect(out).toMatch(/the child is 17 or over \(from the date of birth on record\)/);
    expect(out).toMatch(
      /the latest consent exception agreed was recorded by someone other than a Designated Safeguarding Lead/,
    );
    expect(out).toMatch(/when by anyone other than the child's own team or information governance/);
    expect(out).toMatch(/when the reason is not “Missing from home or care”/);
    expect(out).toMatch(/ESCALATES recording a check — for the Assistant Director to decide/);
    expect(out).toMatch(/in force from 1 June 2026 \(fingerprint sha256:[0-9a-f]{64}\)/);
    // Nothing internal: no rule id, no authority code, no field name of the profile file.
    for (const id of [
      ...hyphened(ashbridge.rules.map((x) => x.id)),
      ...hyphened(Object.keys(ashbridge.authorities)),
    ])
      expect(out).not.toMatch(new RegExp(`(?<![\\w-])${id}(?![\\w-])`));
    for (const f of FIELDS) expect(out).not.toMatch(new RegExp(`\\b${f}\\b`));
    expect(out).not.toMatch(/\b1 months\b|\bin the last a\b/);
  });

  it('a built-in (Kent): authorities by name with who holds them, one taken outside Overt, and what is not enforced', async () => {
    const r = await runCli('policy', 'show', 'kent-ics');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^ {2}A manager: a team manager or a service manager$/m);
    expect(out).toMatch(/^ {2}Information governance: information governance$/m);
    expect(out).toMatch(/^ {2}A court: taken outside Overt: an order is sought from a court outside Overt/m);
    expect(out).toMatch(/^How verdicts combine:$/m);
    expect(out).toMatch(/^What Overt does not enforce \(clauses that carry no rule, each with why\):$/m);
    const kent = builtinProfile('kent-ics')!;
    for (const id of hyphened(kent.rules.map((x) => x.id)))
      expect(out).not.toMatch(new RegExp(`(?<![\\w-])${id}(?![\\w-])`));
    for (const f of FIELDS) expect(out).not.toMatch(new RegExp(`\\b${f}\\b`));
    expect(out).not.toMatch(/authority: |\bin the last 1 months\b/);
  });

  it('every built-in: no rule id, no "1 months", and the combining rules', async () => {
    for (const id of [
      'nottinghamshire-yjs',
      'camden-cfs',
      'kent-ics',
      'north-somerset-scb',
      'westgate-youth-project',
    ]) {
      const r = await runCli('policy', 'show', id);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^How verdicts combine:$/m);
      expect(r.stdout).not.toMatch(/\b1 months\b/);
      for (const rule of hyphened(builtinProfile(id)!.rules.map((x) => x.id)))
        expect(r.stdout).not.toMatch(new RegExp(`(?<![\\w-])${rule}(?![\\w-])`));
    }
  });
});
