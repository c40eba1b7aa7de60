import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { evaluate } from './evaluate';
import { resolveProfile } from './load';
import {
  Actor,
  Authority,
  BUILTIN_AUTHORITIES,
  ChildFacts,
  HistoryEvent,
  Action,
  Instant,
} from './situation';
import { strict } from './strict';
import { plainProblems } from './problems';
import { undeclaredValues } from './values';
import type { Profile } from './profile';
import type { Verdict } from './verdict';

/** A policy case (shared/policy-cases/FORMAT.md): one situation and the verdict the policy must give. */
export const Expect = strict({
  outcome: z.enum(['allow', 'refuse', 'needs-escalation']),
  authority: Authority.optional(),
  cites: z.array(z.string()).optional(),
  obligations: z.array(z.string()).optional(),
  /** The rule (or rules) that must decide the verdict: `default` when the profile must fail closed. */
  decidedBy: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** Clauses the verdict must not cite at all. */
  notCites: z.array(z.string()).optional(),
  /**
   * Exactly the clauses the verdict cites, in any order (the deciding rule's and its obligations'). `cites`
   * is the public format's "at least these": a verdict may cite more.
   */
  citesExactly: z.array(z.string()).optional(),
});
/** Strict: a field the format does not name (a typo in `expect`) is an error, never silently dropped. */
export const PolicyCase = strict({
  name: z.string().min(1),
  /** A free description, for the reader. */
  description: z.string().optional(),
  profile: z.string().min(1),
  now: Instant,
  given: z.array(HistoryEvent).default([]),
  action: Action,
  child: ChildFacts.optional(),
  people: z.array(Actor).optional(),
  expect: Expect,
});
export type PolicyCase = z.infer<typeof PolicyCase>;

export interface CaseResult {
  file: string;
  name: string;
  passed: boolean;
  /** Why it failed: each unmet expectation, or why the case could not run. */
  failures: string[];
  expected?: PolicyCase['expect'];
  verdict?: Verdict;
  /** The profile the case ran under, when it could be read. */
  profile?: Profile;
}

/** Every `.json` file under the given files and folders, sorted; a missing path is reported, not skipped. */
export function collectCaseFiles(paths: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const walk = (p: string) => {
    const s = statSync(p, { throwIfNoEntry: false });
    if (!s) return missing.push(p);
    if (s.isDirectory())
      for (const e of readdirSync(p).sort()) {
        const child = join(p, e);
        if (statSync(child).isDirectory() || e.endsWith('.json')) walk(child);
      }
    else files.push(p);
  };
  paths.forEach(walk);
  return { files, missing };
}

/** Checks a verdict against a case's expectations; returns the unmet ones. */
export function unmetExpectations(expect: PolicyCase['expect'], v: Verdict): string[] {
  const out: string[] = [];
  if (v.outcome !== expect.outcome) out.push(`outcome: expected ${expect.outcome}, got ${v.outcome}`);
  if (expect.authority && !v.authorities.includes(expect.authority))
    out.push(`authority: expected ${expect.authority}, got ${v.authorities.join(' or ') || 'none'}`);
  for (const c of expect.cites ?? [])
    if (!v.cites.includes(c)) out.push(`cites: expected ${c} among ${v.cites.join(', ') || 'none'}`);
  const ids = v.obligations.map((o) => o.id);
  for (const o of expect.obligations ?? [])
    if (!ids.includes(o)) out.push(`obligations: expected ${o} among ${ids.join(', ') || 'none'}`);
  if (expect.decidedBy !== undefined) {
    const want = [expect.decidedBy].flat();
    const same = want.length === v.determining.length && want.every((r) => v.determining.includes(r));
    if (!same) out.push(`decidedBy: expected ${want.join(', ')}, decided by ${v.determining.join(', ')}`);
  }
  for (const c of expect.notCites ?? [])
    if (v.cites.includes(c)) out.push(`notCites: ${c} is cited (by ${whoCites(v, c)})`);
  if (expect.citesExactly) {
    const want = new Set(expect.citesExactly);
    const extra = v.cites.filter((c) => !want.has(c));
    const lacking = [...want].filter((c) => !v.cites.includes(c));
    if (extra.length || lacking.length)
      out.push(
        `citesExactly: expected ${[...want].join(', ') || 'none'}, the verdict cites ${v.cites.join(', ') || 'none'}`,
      );
  }
  return out;
}

const whoCites = (v: Verdict, c: string) =>
  v.fired
    .filter((f) => f.cites.includes(c) && (v.determining.includes(f.rule) || f.effect === 'oblige'))
    .map((f) => f.rule)
    .join(', ') || 'the default';

/**
 * Names in a case that the profile must know: the authorities an approval acts as or the case expects, the
 * rules it expects to decide, the clauses it expects cited or not, and the values the situation names (a
 * reason, a viewer, a flag, a group). A typo here would otherwise pass or fail for the wrong reason.
 */
export function unknownNames(c: PolicyCase, p: Profile): string[] {
  const out: string[] = [];
  // The case format's own authorities are names any case may use; a profile adds its own.
  const auths = [...new Set([...BUILTIN_AUTHORITIES, ...Object.keys(p.authorities)])];
  const authority = (a: string | undefined, where: string) => {
    if (a !== undefined && !auths.includes(a))
      out.push(
        `${where}: "${a}" is not an authority of the case format or of ${p.id} (the authorities: ${auths.join(', ') || 'none'})`,
      );
  };
  authority(c.action.type === 'approve-check' ? c.action.authority : undefined, 'action.authority');
  authority(c.expect.authority, 'expect.authority');
  const rules = [...p.rules.map((r) => r.id), 'default', 'not-in-force'];
  for (const r of c.expect.decidedBy === undefined ? [] : [c.expect.decidedBy].flat())
    if (!rules.includes(r))
      out.push(`expect.decidedBy: "${r}" is not a rule of ${p.id} (its rules: ${rules.join(', ')})`);
  const clauses = Object.keys(p.clauses);
  for (const [key, list] of [
    ['cites', c.expect.cites],
    ['notCites', c.expect.notCites],
    ['citesExactly', c.expect.citesExactly],
  ] as const)
    for (const x of list ?? [])
      if (!clauses.includes(x))
        out.push(`expect.${key}: "${x}" is not a clause of ${p.id} (its clauses: ${clauses.join(', ')})`);
  // The values of the situation too: a reason, viewer, flag or group the profile does not know.
  out.push(...undeclaredValues(c, p));
  return out;
}

/** Where a case's (or `--profile`'s) profile is: a built-in id as it is; a path, from the case file's folder. */
export function caseProfileRef(caseFile: string, ref: string): string {
  return /[/\\]|\.json$/.test(ref) && !isAbsolute(ref) ? resolve(dirname(caseFile), ref) : ref;
}

/** Runs one case file; with `as`, a case naming a profile of the same id is judged under `as` instead. */
export function runCaseFile(file: string, as?: Profile): CaseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return { file, name: file, passed: false, failures: [`cannot read the case: ${(err as Error).message}`] };
  }
  const name =
    typeof raw === 'object' && raw && typeof (raw as { name?: unknown }).name === 'string'
      ? (raw as { name: string }).name
      : file;
  const parsed = PolicyCase.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    return { file, name, passed: false, failures: [`invalid case:\n${plainProblems(parsed.error)}`] };
  const c = parsed.data;
  const ref = caseProfileRef(file, c.profile);
  const resolved = resolveProfile(ref);
  const profile: typeof resolved =
    as && (ref === as.id || (resolved.ok && resolved.value.id === as.id))
      ? { ok: true, value: as }
      : resolved;
  if (!profile.ok)
    return { file, name, passed: false, failures: [profile.error.message], expected: c.expect };
  const unknown = unknownNames(c, profile.value);
  if (unknown.length) return { file, name, passed: false, failures: unknown, expected: c.expect };
  const verdict = evaluate(profile.value, {
    now: c.now,
    given: c.given,
    action: c.action,
    ...(c.child ? { child: c.child } : {}),
    ...(c.people ? { people: c.people } : {}),
  });
  const failures = unmetExpectations(c.expect, verdict);
  return {
    file,
    name,
    passed: failures.length === 0,
    failures,
    expected: c.expect,
    verdict,
    profile: profile.value,
  };
}
