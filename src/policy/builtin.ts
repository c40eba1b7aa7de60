import { z } from 'zod';
import { Profile } from './profile';
import camden from './profiles/camden-cfs.json';
import kent from './profiles/kent-ics.json';
import northSomerset from './profiles/north-somerset-scb.json';
import nottinghamshire from './profiles/nottinghamshire-yjs.json';
import westgate from './profiles/westgate-youth-project.json';

/** The five seed policies, each enforced as written, in seed order (000 … 004). */
const RAW: Record<string, unknown> = {
  'nottinghamshire-yjs': nottinghamshire,
  'camden-cfs': camden,
  'kent-ics': kent,
  'north-somerset-scb': northSomerset,
  'westgate-youth-project': westgate,
};

let cache: Map<string, Profile> | undefined;

/** Built-in profiles by id. A built-in that fails its own schema is a bug: it throws, naming the problem. */
export function builtinProfiles(): Map<string, Profile> {
  if (!cache) {
    cache = new Map();
    for (const [id, raw] of Object.entries(RAW)) {
      const parsed = Profile.safeParse(raw);
      if (!parsed.success)
        throw new Error(`built-in profile ${id} is invalid:\n${z.prettifyError(parsed.error)}`);
      cache.set(id, parsed.data);
    }
  }
  return cache;
}

export const BUILTIN_IDS = Object.keys(RAW);

export function builtinProfile(id: string): Profile | undefined {
  return builtinProfiles().get(id);
}
