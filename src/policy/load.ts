import { readFileSync } from 'node:fs';
import { builtinProfile, BUILTIN_IDS } from './builtin';
import { plainProblems } from './problems';
import { Profile } from './profile';

/** The one place src/policy touches the file system: reading a profile an administrator points the app at. */

export type Loaded<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: 'PROFILE_INVALID' | 'PROFILE_NOT_FOUND'; message: string } };

export function parseProfile(raw: unknown, where: string): Loaded<Profile> {
  const parsed = Profile.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    return {
      ok: false,
      error: {
        code: 'PROFILE_INVALID',
        message: `${where}: invalid profile\n${plainProblems(parsed.error)}`,
      },
    };
  return { ok: true, value: parsed.data };
}

export function loadProfileFile(path: string): Loaded<Profile> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return {
      ok: false,
      error: {
        code: 'PROFILE_NOT_FOUND',
        message: `${path}: cannot read the profile (${(err as Error).message})`,
      },
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      error: { code: 'PROFILE_INVALID', message: `${path}: not valid JSON (${(err as Error).message})` },
    };
  }
  return parseProfile(raw, path);
}

/** A built-in id, or a path to a custom profile file. */
export function resolveProfile(idOrPath: string): Loaded<Profile> {
  const builtin = builtinProfile(idOrPath);
  if (builtin) return { ok: true, value: builtin };
  if (/^[a-z0-9-]+$/.test(idOrPath) && !idOrPath.endsWith('json'))
    return {
      ok: false,
      error: {
        code: 'PROFILE_NOT_FOUND',
        message: `no built-in profile "${idOrPath}" (built-in: ${BUILTIN_IDS.join(', ')}); a custom profile is a path to a .json file`,
      },
    };
  return loadProfileFile(idOrPath);
}
