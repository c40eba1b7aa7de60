import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { evaluate } from './evaluate';
import { resolveProfile } from './load';
import { Authority, HistoryEvent, Action, Instant } from './situation';
import type { Profile } from './profile';
import type { Verdict } from './verdict';

/** A policy case (shared/policy-cases/FORMAT.md): one situation and the verdict the policy must give. */
export const PolicyCase = z.object({
  name: z.string().min(1),
  profile: z.string().min(1),
  now: Instant,
  given: z.array(HistoryEvent).default([]),
  action: Action,
  expect: z.object({
    outcome: z.enum(['allow', 'refuse', 'needs-escalation']),
    authority: Authority.optional(),
    cites: z.array(z.string()).optional(),
    obligations: z.array(z.string()).optional(),
  }),
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
  return out;
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
  const parsed = PolicyCase.safeParse(raw);
  if (!parsed.success)
    return { file, name, passed: false, failures: [`invalid case:\n${z.prettifyError(parsed.error)}`] };
  const c = parsed.data;
  const ref =
    /[/\\]|\.json$/.test(c.profile) && !isAbsolute(c.profile) ? resolve(dirname(file), c.profile) : c.profile;
  const resolved = resolveProfile(ref);
  const profile: typeof resolved =
    as && (ref === as.id || (resolved.ok && resolved.value.id === as.id))
      ? { ok: true, value: as }
      : resolved;
  if (!profile.ok)
    return { file, name, passed: false, failures: [profile.error.message], expected: c.expect };
  const verdict = evaluate(profile.value, { now: c.now, given: c.given, action: c.action });
  const failures = unmetExpectations(c.expect, verdict);
  return { file, name, passed: failures.length === 0, failures, expected: c.expect, verdict };
}
