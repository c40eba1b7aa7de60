/**
 * Which versions of each custom profile are in force in a data folder. Several instances may share one
 * folder; each loads its profiles from its own files (OVERT_PROFILE_FILES). The folder records every version
 * an instance has adopted (id, version, fingerprint, effective date), and an instance that has not loaded a
 * version the folder has adopted neither starts (`adoptProfiles`) nor decides (`checkAdopted`): two
 * instances never judge the same request by different versions without anyone knowing. An instance started
 * with a new version adopts it, audited (`profile.adopt`).
 *
 * No backdating: once a version of a profile is adopted, decisions may have been made under it, so a new
 * version takes effect from the day it is adopted at the earliest (in the profile's time zone); one dated
 * earlier is refused at start, naming the first day it could take effect. The first versions of a profile
 * the folder adopts may carry any dates (nothing was decided under it before), in the order of their labels
 * (`profileVersions`). The folder's record is the truth every instance reads: the Policy view lists it.
 */
import { z } from 'zod';
import { fingerprint } from '../policy/authority';
import { builtinProfile } from '../policy/builtin';
import { dayOf } from '../policy/days';
import { dateGb } from '../vocabulary';
import type { Profile } from '../policy/profile';
import type { Deps } from './types';

export const ADOPTED_SETTING = 'profiles-adopted';

const Adopted = z.record(
  z.string(),
  z.array(
    z.object({
      version: z.string(),
      fingerprint: z.string(),
      effectiveDate: z.string(),
      /** When the folder adopted it (absent in a record written before this was kept). */
      adoptedAt: z.string().optional(),
    }),
  ),
);
type Adopted = z.infer<typeof Adopted>;

async function readAdopted(deps: Deps): Promise<{ adopted: Adopted; version: string | null }> {
  const found = await deps.store.get('setting', ADOPTED_SETTING);
  const parsed = found ? Adopted.safeParse(found.record.value) : undefined;
  return { adopted: parsed?.success ? parsed.data : {}, version: found?.version ?? null };
}

/** What this instance lacks of the versions the folder has adopted, in words (undefined: nothing). */
function missing(deps: Deps, adopted: Adopted, ids: readonly string[]): string | undefined {
  const lacks: string[] = [];
  for (const id of ids)
    for (const a of adopted[id] ?? []) {
      const here = deps.profileVersions(id).find((p) => p.version === a.version);
      if (!here)
        lacks.push(
          `profile ${id} version ${a.version} (fingerprint ${a.fingerprint}, in force from ${a.effectiveDate}) is adopted in this data folder but this instance has not loaded it: add the file that holds it to OVERT_PROFILE_FILES`,
        );
      else if (fingerprint(here) !== a.fingerprint)
        lacks.push(
          `profile ${id} version ${a.version} loaded here (fingerprint ${fingerprint(here)}) is not the version ${a.version} adopted in this data folder (fingerprint ${a.fingerprint}): a changed profile needs a version of its own`,
        );
    }
  return lacks.length ? lacks.join('; ') : undefined;
}

/**
 * At start: refuses (a message) when this instance lacks a version the folder has adopted; otherwise records
 * the loaded versions the folder had not yet adopted, with an audit event each.
 */
export async function adoptProfiles(
  deps: Deps,
): Promise<{ ok: true; adopted: string[] } | { ok: false; message: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { adopted, version } = await readAdopted(deps);
    const ids = [...new Set([...(deps.customProfileIds ?? []), ...Object.keys(adopted)])].sort();
    const lacks = missing(deps, adopted, ids);
    if (lacks) return { ok: false, message: lacks };
    const fresh: Profile[] = ids.flatMap((id) =>
      deps.profileVersions(id).filter((p) => !(adopted[id] ?? []).some((a) => a.version === p.version)),
    );
    if (!fresh.length) return { ok: true, adopted: [] };
    const at = deps.clock().toISOString();
    const backdated = fresh.flatMap((p) => {
      const today = dayOf(at, p.timeZone);
      return (adopted[p.id] ?? []).length && p.effectiveDate < today
        ? [
            `profile ${p.id} version ${p.version} would take effect on ${dateGb(p.effectiveDate)}, before today (${dateGb(today)}), when it would be adopted: decisions were made under the versions already adopted (${(adopted[p.id] ?? []).map((a) => a.version).join(', ')}) and a new version cannot change what was in force then. Give it an effective date of ${dateGb(today)} or later`,
          ]
        : [];
    });
    if (backdated.length) return { ok: false, message: backdated.join('; ') };
    const next: Adopted = { ...adopted };
    for (const p of fresh)
      next[p.id] = [
        ...(next[p.id] ?? []),
        { version: p.version, fingerprint: fingerprint(p), effectiveDate: p.effectiveDate, adoptedAt: at },
      ].sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate));
    const result = await deps.store.commit({
      key: `${ADOPTED_SETTING}:${fresh.map((p) => `${p.id}@${fingerprint(p)}`).join(',')}`,
      at,
      writes: [
        { kind: 'setting', record: { id: ADOPTED_SETTING, value: next as never }, ifVersion: version },
      ],
      audit: fresh.map((p) => ({
        actor: { id: 'system' },
        action: 'profile.adopt',
        target: { kind: 'profile', id: p.id },
        outcome: 'adopted',
        profileId: p.id,
        profileVersion: p.version,
        details: { fingerprint: fingerprint(p), effectiveDate: p.effectiveDate, name: p.name },
      })),
    });
    if (result.status !== 'conflict') return { ok: true, adopted: fresh.map((p) => `${p.id} v${p.version}`) };
  }
  return { ok: false, message: 'the profiles adopted in this data folder kept changing: start again' };
}

/** Thrown when a verdict would be given by an instance that lacks a version the folder has adopted. */
export class ProfileNotAdoptedHere extends Error {}

/** Before a verdict under a custom profile: the folder's adopted versions of it are all loaded here. */
export async function checkAdopted(deps: Deps, profileId: string): Promise<void> {
  if (builtinProfile(profileId)) return;
  const { adopted } = await readAdopted(deps);
  const lacks = missing(deps, adopted, [profileId]);
  if (lacks) throw new ProfileNotAdoptedHere(lacks);
}

/** The versions of a profile the data folder has adopted, oldest first (none for a built-in). */
export async function adoptedVersions(deps: Deps, profileId: string): Promise<Adopted[string]> {
  const { adopted } = await readAdopted(deps);
  return adopted[profileId] ?? [];
}
