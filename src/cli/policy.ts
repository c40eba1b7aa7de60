import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadCustomProfiles } from '../config';
import { BUILTIN_IDS, builtinProfiles } from '../policy/builtin';
import { caseProfileRef, collectCaseFiles, runCaseFile, type CaseResult } from '../policy/cases';
import { coverageMarkdown, coverageText, profileCoverage, unexercisedText } from '../policy/coverage';
import { describeProfile } from '../policy/describe';
import { evaluate } from '../policy/evaluate';
import { profileDiff } from '../policy/diff';
import { loadProfileFile, resolveProfile, type Loaded } from '../policy/load';
import type { Profile } from '../policy/profile';
import { Situation } from '../policy/situation';
import { plainProblems } from '../policy/problems';
import { undeclaredValues } from '../policy/values';
import { dateGb, dayTyped } from '../vocabulary';
import { profileWarnings } from '../policy/warnings';
import { dayOf } from '../policy/days';
import { outOfOrder, versionOrder } from '../policy/versions';
import { fingerprint } from '../policy/authority';

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

export function register(cli: Command): void {
  const policy = cli.command('policy').description('policy profiles: list, show, evaluate, check and test');

  policy
    .command('list')
    .description(
      'the built-in profiles and the custom ones OVERT_PROFILE_FILES names, checked as the service checks them at start',
    )
    .action(() => {
      for (const p of builtinProfiles().values())
        out(`${p.id.padEnd(24)} v${p.version.padEnd(5)} effective ${p.effectiveDate}  ${p.organisation}`);
      // The custom profiles the service would load (OVERT_PROFILE_FILES), each marked with its file.
      for (const f of profileFiles()) {
        const p = loadProfileFile(f);
        if (!p.ok) {
          fail(p.error.message);
          continue;
        }
        out(
          `${p.value.id.padEnd(24)} v${p.value.version.padEnd(5)} effective ${p.value.effectiveDate}  ${p.value.organisation}  (custom: ${f})`,
        );
      }
      // What the service would refuse at start (a built-in's id, two files for one version, versions out of
      // order): the same checks, so the list never shows what the service would not load.
      const all = loadCustomProfiles(profileFiles());
      if (!all.ok && !process.exitCode) fail(all.message);
    });

  policy
    .command('show <profile>')
    .description("a profile's rules under the clauses they cite (a built-in id or a profile file)")
    .action((ref: string) => {
      const p = resolveProfile(ref);
      if (!p.ok) return fail(p.error.message);
      out(describeProfile(p.value));
    });

  policy
    .command('diff <a> [b] [c]')
    .description(
      'what changed between two profiles, in plain words: two files or built-in ids (`diff old.json new.json`), or a profile id and two of its versions loaded from OVERT_PROFILE_FILES (`diff <id> 1 2`); `--on <date>` picks the version in force on that day instead of naming it (`diff <id> --on 15/07/2026 --on 2026-10-01`; with one version only, it is compared with the newest loaded)',
    )
    .option(
      '--on <date>',
      'the version in force on this day (1 December 2026, 01/12/2026 or 2026-12-01); give it twice for two days',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .action((a: string, b: string | undefined, c: string | undefined, opts: { on: string[] }) => {
      if (opts.on.length)
        return diffOn(
          a,
          [b, c].filter((v): v is string => v !== undefined),
          opts.on,
        );
      if (b === undefined)
        return fail(
          'policy diff: name two profiles (files or built-in ids), a profile id and two versions, or a profile id with --on <date>',
        );
      const pair = c ? versionsOf(a, b, c) : [resolveProfile(a), resolveProfile(b)];
      const problems = pair.flatMap((p) => (p.ok ? [] : [p.error.message]));
      if (problems.length) return fail(problems.join('\n'));
      const [x, y] = pair.map((p) => (p as { value: Profile }).value) as [Profile, Profile];
      out(profileDiff(x, y));
    });

  policy
    .command('eval <case>')
    .description('the verdict, as JSON, for a policy case file (its "expect" is ignored)')
    .option('--profile <profile>', 'evaluate under this profile instead of the case’s')
    .action((file: string, opts: { profile?: string }) => {
      let raw: { profile?: unknown } & Record<string, unknown>;
      try {
        raw = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        return fail(`${file}: ${(e as Error).message}`);
      }
      // A case's own profile path is read from the case file's folder, as `policy test` reads it; a path given
      // with --profile is the command line's, from the current folder.
      const ref =
        opts.profile ?? (typeof raw.profile === 'string' ? caseProfileRef(file, raw.profile) : undefined);
      if (!ref) return fail(`${file}: name a "profile" in the case or pass --profile`);
      const p = resolveProfile(ref);
      if (!p.ok) return fail(p.error.message);
      const s = Situation.safeParse(raw, { reportInput: true });
      if (!s.success) return fail(`${file}: invalid situation\n${plainProblems(s.error)}`);
      const unknown = undeclaredValues(s.data, p.value);
      if (unknown.length) return fail(`${file}: ${unknown.map((x) => `✖ ${x}`).join('\n')}`);
      out(JSON.stringify(evaluate(p.value, s.data), null, 2));
    });

  policy
    .command('check <file>')
    .description(
      'validate a custom profile file, and warn of what is valid but probably not meant (dates, rules that never fire or never decide, a profile that allows nothing)',
    )
    .option('--strict', 'exit 1 on a warning too')
    .action((file: string, opts: { strict?: boolean }) => {
      const p = loadProfileFile(file);
      if (!p.ok) return fail(withRuleIds(file, p.error.message));
      const problems: string[] = [];
      if (BUILTIN_IDS.includes(p.value.id))
        problems.push(
          `id: "${p.value.id}" is a built-in profile's id; a custom profile takes an id of its own (the built-ins: ${BUILTIN_IDS.join(', ')})`,
        );
      for (const [id, a] of Object.entries(p.value.authorities))
        if (!a.roles.length && !a.holders.length && !a.outside)
          problems.push(
            `authorities.${id}: nobody can act as ${a.name ?? id}: give it "roles", "holders" (a role, flag or group) or say it is taken "outside" Overt`,
          );
      // Its other versions (in OVERT_PROFILE_FILES and beside the file): a later version never takes effect
      // before an earlier one, and two versions never share a day or a label with different rules.
      const others = otherVersions(file, p.value);
      for (const { path, profile: o } of others) {
        const clash =
          o.version === p.value.version
            ? fingerprint(o) === fingerprint(p.value)
              ? undefined
              : `version ${o.version} of ${o.id} is also in ${path}, with different rules: give the changed one a version of its own`
            : o.effectiveDate === p.value.effectiveDate
              ? `version ${o.version} of ${o.id} (${path}) also takes effect on ${dateGb(o.effectiveDate)}: one of them would never be in force`
              : outOfOrder([o, p.value]);
        if (clash) problems.push(`effectiveDate: ${clash}${clash.includes(path) ? '' : ` (${path})`}`);
      }
      if (problems.length)
        return fail(`${file}: invalid profile\n${problems.map((x) => `✖ ${x}`).join('\n')}`);
      out(
        `${file}: valid profile ${p.value.id} v${p.value.version}, ${p.value.rules.length} rules citing ${new Set(p.value.rules.flatMap((r) => r.cites)).size} clauses`,
      );
      const today = dayOf(new Date().toISOString(), p.value.timeZone);
      const warnings = profileWarnings(p.value, today);
      const earlier = others
        .map((o) => o.profile)
        .filter((o) => versionOrder(o.version, p.value.version) < 0);
      if (earlier.length && p.value.effectiveDate < today)
        warnings.push(
          `effectiveDate: version ${p.value.version} takes effect on ${dateGb(p.value.effectiveDate)}, before today, and version ${earlier.map((o) => o.version).join(', ')} of ${p.value.id} exists: a service that has adopted an earlier version refuses a new one dated before the day it is adopted (decisions already made are not rejudged); give it today's date or a later one`,
        );
      for (const w of warnings) out(`⚠ ${w}`);
      if (warnings.length && opts.strict) {
        err(`${file}: ${warnings.length} warning${warnings.length > 1 ? 's' : ''} (--strict)`);
        process.exitCode = 1;
      }
    });

  policy
    .command('coverage [profile]')
    .description(
      'for every clause of a policy (every built-in one if none is named): the rules that enforce it and the cases that exercise them, or why no rule does; exit 1 if a clause has neither',
    )
    .option(
      '--cases <paths...>',
      'policy case files or folders (default: the cases/ folder beside a profile named by file, else the project’s test/policy-cases)',
    )
    .option('--markdown', 'print the Markdown page (docs/POLICY-COVERAGE.md) instead')
    .action((ref: string | undefined, opts: { cases?: string[]; markdown?: boolean }) => {
      const profiles = [];
      if (ref) {
        const p = resolveProfile(ref);
        if (!p.ok) return fail(p.error.message);
        profiles.push(p.value);
      } else profiles.push(...builtinProfiles().values());
      // A profile named by its file has its own cases beside it (examples/fernmoor/cases), when there are.
      const beside = ref && !builtinProfiles().has(ref) ? join(dirname(ref), 'cases') : undefined;
      const paths =
        opts.cases ??
        (beside && existsSync(beside) ? [beside] : [projectCases()].filter((x): x is string => !!x));
      const { files, missing } = collectCaseFiles(paths);
      for (const m of missing) err(`no such file or folder: ${m}`);
      if (missing.length) return fail('the cases named could not all be read');
      // A profile named by file is judged on its own: the cases for its id run under it.
      const shared = ref ? undefined : files.map((f) => runCaseFile(f));
      const all = profiles.map((p) => profileCoverage(p, shared ?? files.map((f) => runCaseFile(f, p))));
      out(opts.markdown ? coverageMarkdown(all) : all.map(coverageText).join('\n\n'));
      const gaps = all.reduce((n, c) => n + c.gaps, 0);
      const idle = all.reduce((n, c) => n + c.unexercisedRules.length, 0);
      const clauses = all.reduce((n, c) => n + c.clauses.length, 0);
      if (!opts.markdown)
        out(
          `\n${clauses} clauses in ${all.length} ${all.length === 1 ? 'policy' : 'policies'}, ${files.length} cases: ${gaps} not accounted for, ${idle} ${idle === 1 ? 'rule' : 'rules'} not exercised by any case`,
        );
      // A rule no case exercises is not covered, whatever else its clause has.
      if (gaps > 0 || idle > 0) process.exitCode = 1;
    });

  policy
    .command('test <paths...>')
    .description('run policy case files (shared/policy-cases/FORMAT.md); closes with "N passed, N failed"')
    .option(
      '--coverage',
      'then list, for each profile the cases ran under, the rules and clauses no passing case exercises',
    )
    .option('--strict', 'with --coverage: exit 1 when anything is not exercised')
    .action((paths: string[], opts: { coverage?: boolean; strict?: boolean }) => {
      const results: CaseResult[] = [];
      const { files, missing } = collectCaseFiles(paths);
      for (const m of missing) err(`no such file or folder: ${m}`);
      let passed = 0;
      let failed = missing.length;
      for (const file of files) {
        const r = runCaseFile(file);
        results.push(r);
        if (r.passed) {
          passed++;
          out(`PASS ${r.name}  (${file})`);
          continue;
        }
        failed++;
        out(`FAIL ${r.name}  (${file})`);
        for (const f of r.failures) out(`     ${f.replace(/\n/g, '\n     ')}`);
        if (r.expected) out(`     expected: ${JSON.stringify(r.expected)}`);
        if (r.verdict) {
          const v = r.verdict;
          out(
            `     actual:   ${JSON.stringify({ outcome: v.outcome, authority: v.authority, cites: v.cites, obligations: v.obligations.map((o) => o.id) })}`,
          );
          out(`     determining rules: ${v.determining.join(', ')}`);
        }
      }
      if (files.length === 0 && missing.length === 0) {
        err('no policy cases found');
        failed++;
      }
      out(`${passed} passed, ${failed} failed`);
      if (failed > 0) process.exitCode = 1;
      if (opts.coverage) {
        // Each profile the cases ran under (each version by its fingerprint), judged on these cases.
        const profiles = new Map<string, Profile>();
        for (const r of results)
          if (r.profile && r.verdict) profiles.set(r.verdict.profile.fingerprint, r.profile);
        let idle = 0;
        for (const [print, p] of profiles) {
          const c = profileCoverage(
            p,
            results.filter((r) => r.verdict?.profile.fingerprint === print),
          );
          idle += c.unexercisedRules.length + c.unexercisedClauses.length + c.gaps;
          out('');
          for (const line of unexercisedText(c)) out(line);
        }
        if (idle && opts.strict) {
          err(`${idle} not exercised (--strict)`);
          process.exitCode = 1;
        }
      } else if (opts.strict) err('--strict is for --coverage');
    });
}

/** Two versions of one profile id, from the built-ins and the files OVERT_PROFILE_FILES names. */
/** Every loaded version of a profile (the built-ins and OVERT_PROFILE_FILES), as loaded. */
function loadedVersions(id: string): Profile[] {
  const loaded: Profile[] = [...builtinProfiles().values()];
  for (const f of profileFiles()) {
    const p = loadProfileFile(f);
    if (p.ok) loaded.push(p.value);
  }
  return loaded.filter((p) => p.id === id);
}

/**
 * `policy diff <id> [version] --on <date> [--on <date>]`: each version named, then each version in force on a
 * day (the latest loaded whose in-force date is on or before it); one alone is compared with the newest loaded.
 * Which version each day picked is said first.
 */
function diffOn(id: string, named: string[], days: string[]): void {
  const all = loadedVersions(id).sort((x, y) => x.effectiveDate.localeCompare(y.effectiveDate));
  if (!all.length)
    return fail(
      `no profile ${id} is loaded (the built-ins, and the files OVERT_PROFILE_FILES names): --on picks among the versions of one profile, named by its id`,
    );
  if (named.length + days.length > 2)
    return fail(
      `policy diff: at most two versions: ${[...named, ...days.map((d) => `--on ${d}`)].join(', ')}`,
    );
  const have = all.map((p) => p.version).join(', ');
  const picked: Profile[] = [];
  const said: string[] = [];
  const problems: string[] = [];
  for (const v of named) {
    const found = all.find((p) => p.version === v);
    if (found) picked.push(found);
    else problems.push(`profile ${id} has no version ${v} loaded (loaded: ${have})`);
  }
  for (const typed of days) {
    const day = dayTyped(typed);
    if (!day) {
      problems.push(`--on ${typed}: not a date (write it as 1 December 2026, 01/12/2026 or 2026-12-01)`);
      continue;
    }
    const then = all.filter((p) => p.effectiveDate <= day).at(-1);
    if (!then) {
      problems.push(
        `--on ${typed}: no version of ${all[0]!.name} was in force on ${dateGb(day)}: the first loaded, version ${all[0]!.version}, is in force from ${dateGb(all[0]!.effectiveDate)}`,
      );
      continue;
    }
    picked.push(then);
    said.push(`On ${dateGb(day)} version ${then.version} was in force (from ${dateGb(then.effectiveDate)}).`);
  }
  if (problems.length) return fail(problems.join('\n'));
  if (picked.length === 1) {
    const newest = all.at(-1)!;
    picked.push(newest);
    said.push(`Compared with version ${newest.version}, the newest loaded.`);
  }
  out([...said, '', profileDiff(picked[0]!, picked[1]!)].join('\n'));
}

function versionsOf(id: string, v1: string, v2: string): Loaded<Profile>[] {
  const all = loadedVersions(id);
  const have = all.map((p) => p.version).join(', ');
  return [v1, v2].map((v): Loaded<Profile> => {
    const found = all.find((p) => p.version === v);
    if (found) return { ok: true, value: found };
    return {
      ok: false,
      error: {
        code: 'PROFILE_NOT_FOUND',
        message: all.length
          ? `profile ${id} has no version ${v} loaded (loaded: ${have})`
          : `no profile ${id} is loaded (the built-ins, and the files OVERT_PROFILE_FILES names)`,
      },
    };
  });
}

/** The custom profile files the service would load (OVERT_PROFILE_FILES, comma-separated). */
/** The other versions of a profile's id found in OVERT_PROFILE_FILES and in the .json files beside it. */
function otherVersions(file: string, p: Profile): { path: string; profile: Profile }[] {
  const folder = dirname(resolve(file));
  const beside = readdirSync(folder)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(folder, f));
  const paths = [...new Set([...profileFiles().map((f) => resolve(f)), ...beside])].filter(
    (f) => f !== resolve(file),
  );
  return paths.flatMap((path) => {
    const q = loadProfileFile(path);
    return q.ok && q.value.id === p.id ? [{ path, profile: q.value }] : [];
  });
}

function profileFiles(): string[] {
  return (process.env['OVERT_PROFILE_FILES'] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

/** The project's own policy cases (test/policy-cases), found from wherever this file runs (src or dist). */
function projectCases(): string | undefined {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir))
    if (existsSync(join(dir, 'package.json'))) {
      const cases = join(dir, 'test', 'policy-cases');
      return existsSync(cases) ? cases : undefined;
    }
  return undefined;
}

/** A problem's place `rules[4]` named by the rule's id too, `rules[4] (rule "third-in-28-days")`. */
function withRuleIds(file: string, message: string): string {
  let ids: unknown[] = [];
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { rules?: unknown };
    ids = Array.isArray(raw.rules) ? raw.rules.map((r) => (r as { id?: unknown })?.id) : [];
  } catch {
    return message;
  }
  return message.replace(/rules\[(\d+)\]/g, (m, i: string) =>
    typeof ids[Number(i)] === 'string' ? `${m} (rule "${ids[Number(i)] as string}")` : m,
  );
}

function fail(message: string): void {
  err(message);
  process.exitCode = 1;
}
