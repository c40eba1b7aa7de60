import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinProfile } from '../../src/policy/builtin';
import { runCli } from './run';
import { overt } from '../council/overt-run';

/**
 * Issue 18: `overt policy diff A B` says in plain words what changed between two profiles — effective dates,
 * clauses, who holds each authority, reasons, bank holidays, and each rule added, removed or changed (its
 * conditions, verdict, authority, clauses, obligation, explanation) — naming rules by their explanation and
 * clauses, never an id, an authority code or a field name. Two files, a profile id and two of its loaded
 * versions, and two built-ins; `--on <date>` picks the version in force on a day.
 */
const dir = join(__dirname, '../policy/fixtures/ashbridge');
const v1 = join(dir, 'policy-v1.json');
const v2 = join(dir, 'policy-v2.json');
const ids = (file: string) => {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { rules: { id: string }[]; authorities: object };
  return [...p.rules.map((r) => r.id), ...Object.keys(p.authorities)].filter((x) => x.includes('-'));
};
const internal = (out: string, names: string[]) => {
  for (const id of names) expect(out).not.toMatch(new RegExp(`(?<![\\w-])${id}(?![\\w-])`));
  expect(out).not.toMatch(
    /\b(priorChecks|childAge|overdue|workingDays|holdsNone|byHolds|reasonNotIn|effectiveDate)\b/,
  );
};
afterEach(() => delete process.env.OVERT_PROFILE_FILES);

describe('overt policy diff', () => {
  it('Ashbridge v1 → v2, two files: every kind of change in words', async () => {
    const r = await runCli('policy', 'diff', v1, v2);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^In force from: was 1 June 2026; now 1 September 2026$/m);
    // Clauses: changed and added.
    expect(out).toMatch(
      /changed: was ASH\/A3 — At most one viewing in any 3 weeks.*\n\s+now ASH\/A3 — At most one viewing in any 28 days/,
    );
    expect(out).toMatch(/added: ASH\/A8 — Prevent concerns/);
    // Authorities: who holds them, a new one.
    expect(out).toMatch(
      /changed: was The Missing Children Coordinator: anyone whose staff record is marked “missing coordinator”\n\s+now The Missing Children Coordinator: a member of the “Missing Children Team” group/,
    );
    expect(out).toMatch(/added: The Prevent lead: anyone whose staff record is marked “prevent lead”/);
    expect(out).toMatch(/Reasons for a viewing:\n {2}added: “Risk of radicalisation”/);
    // Bank holidays.
    expect(out).toMatch(
      /Bank holidays \(not working days\):\n {2}added: 26 March 2027\n {2}removed: 31 August 2026/,
    );
    // Rules added (with an obligation), removed, changed: window, age, deadline, verdict, authority.
    expect(out).toMatch(
      /Rules added \(2\):\n {4}“A Prevent concern is authorised by the Prevent lead\.” \(ASH\/A8\)\n {6}allows raising a request or approving, for the Prevent lead to decide/,
    );
    expect(out).toMatch(/obliges: The Prevent lead records the decision on the Prevent log\./);
    expect(out).toMatch(/Rules removed \(1\):\n {4}“This is for another authority\.” \(ASH\/A1\)/);
    expect(out).toMatch(
      /when: was the child was already viewed in the last 3 weeks .*; now the child was already viewed in the last 28 days/,
    );
    expect(out).toMatch(/the child is 17 or over .*; now .*the child is 16 or over/);
    expect(out).toMatch(
      /when: was more than 3 working days have passed since the viewing; now more than 2 working days have passed since the viewing/,
    );
    expect(out).toMatch(/verdict: was escalates; now refuses/);
    expect(out).toMatch(/for whom to decide: was the Assistant Director; now none/);
    expect(out).toMatch(
      /when: was the reason is not “Missing from home or care”; now the reason is not “Missing from home or care” or “Risk of radicalisation”/,
    );
    internal(out, [...ids(v1), ...ids(v2)]);
  });

  it('a profile id and two versions loaded from OVERT_PROFILE_FILES; an unknown version is named', async () => {
    process.env.OVERT_PROFILE_FILES = `${v2},${v1}`;
    const byFiles = await runCli('policy', 'diff', v1, v2);
    const r = await runCli('policy', 'diff', 'ashbridge-cs', '1', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(byFiles.stdout);
    const missing = await runCli('policy', 'diff', 'ashbridge-cs', '1', '3');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/profile ashbridge-cs has no version 3 loaded \(loaded: 2, 1\)/);
  });

  it('two built-ins, in words; a profile against itself has no differences', async () => {
    const r = await runCli('policy', 'diff', 'nottinghamshire-yjs', 'kent-ics');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^From: Nottinghamshire YJS .*version 2\.0, in force from 6 February 2023$/m);
    expect(r.stdout).toMatch(/^Rules added \(\d+\):$/m);
    expect(r.stdout).toMatch(/^Rules removed \(\d+\):$/m);
    expect(r.stdout).toMatch(/added: A court: taken outside Overt/);
    const names = ['nottinghamshire-yjs', 'kent-ics'].flatMap((id) => {
      const p = builtinProfile(id)!;
      return [...p.rules.map((x) => x.id), ...Object.keys(p.authorities)].filter((x) => x.includes('-'));
    });
    internal(r.stdout, names);
    const same = await runCli('policy', 'diff', 'kent-ics', 'kent-ics');
    expect(same.stdout).toMatch(/No differences: the two say exactly the same/);
  });

  it('--on <date> picks the version in force that day (en-GB or ISO); `overt` run as a process', async () => {
    const env = { OVERT_PROFILE_FILES: `${v2},${v1}` };
    // Three through the process (the machine is shared: each is a Node start), the rest through the same
    // command in-process.
    const [onJuly, twoDays, badDate] = await Promise.all([
      overt(env, 'policy', 'diff', 'ashbridge-cs', '--on', '15/07/2026'),
      overt(env, 'policy', 'diff', 'ashbridge-cs', '--on', '1 October 2026', '--on', '2026-07-15'),
      overt(env, 'policy', 'diff', 'ashbridge-cs', '--on', '31/02/2026'),
    ]);
    process.env.OVERT_PROFILE_FILES = env.OVERT_PROFILE_FILES;
    const byVersions = await runCli('policy', 'diff', 'ashbridge-cs', '1', '2');
    const namedAndDay = await runCli('policy', 'diff', 'ashbridge-cs', '1', '--on', '1 Sept 2026');
    const onItsFirstDay = await runCli('policy', 'diff', 'ashbridge-cs', '--on', '2026-09-01');
    const tooEarly = await runCli('policy', 'diff', 'ashbridge-cs', '--on', '1 January 2026');
    const aFile = await runCli('policy', 'diff', v1, '--on', '2026-07-15');
    expect(byVersions.code).toBe(0);
    // One day: the version in force then, against the newest loaded — the same words as naming 1 and 2.
    expect({ status: onJuly.status, stderr: onJuly.stderr }).toEqual({ status: 0, stderr: '' });
    expect(onJuly.stdout).toBe(
      `On 15 July 2026 version 1 was in force (from 1 June 2026).\nCompared with version 2, the newest loaded.\n\n${byVersions.stdout}`,
    );
    // Two days, in the order given: version 2 (in force on 1 October) to version 1 (in force on 15 July).
    expect(twoDays.status).toBe(0);
    expect(twoDays.stdout).toMatch(
      /^On 1 October 2026 version 2 was in force \(from 1 September 2026\)\.\nOn 15 July 2026 version 1 was in force \(from 1 June 2026\)\.\n\nFrom: .*version 2, in force from 1 September 2026\nTo: {3}.*version 1, in force from 1 June 2026\n/,
    );
    expect(twoDays.stdout).toMatch(/^In force from: was 1 September 2026; now 1 June 2026$/m);
    // A version named and a day: version 2 is in force from its first day.
    expect(namedAndDay.code).toBe(0);
    expect(namedAndDay.stdout).toBe(
      `On 1 September 2026 version 2 was in force (from 1 September 2026).\n\n${byVersions.stdout}`,
    );
    expect(onItsFirstDay.stdout).toMatch(/No differences: the two say exactly the same/);
    // Not a day; a day before any version; a file (not an id) with --on: each refused, saying why.
    expect({ status: badDate.status, stderr: badDate.stderr }).toEqual({
      status: 1,
      stderr: '--on 31/02/2026: not a date (write it as 1 December 2026, 01/12/2026 or 2026-12-01)\n',
    });
    expect({ code: tooEarly.code, stderr: tooEarly.stderr }).toEqual({
      code: 1,
      stderr:
        '--on 1 January 2026: no version of Ashbridge online safeguarding viewing policy was in force on 1 January 2026: the first loaded, version 1, is in force from 1 June 2026\n',
    });
    expect(aFile.code).toBe(1);
    expect(aFile.stderr).toMatch(
      /^no profile .*policy-v1\.json is loaded .*: --on picks among the versions of one profile, named by its id\n$/,
    );
  }, 120_000);
});
