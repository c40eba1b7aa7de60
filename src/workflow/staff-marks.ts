import { BUILTIN_IDS } from '../policy/builtin';
import type { Profile } from '../policy/profile';
import type { Deps } from './types';

/**
 * The flags and named groups a member of staff may be given: exactly those some loaded profile reads (an
 * authority held by a flag or a group, or a rule asking whether the person acting is a designated officer or
 * has social media responsibility). Anything else would be a typo no policy could ever see, so it is refused
 * with the names a profile does read. Each has a label for people (never the id a profile spells it with).
 */

export interface StaffMark {
  /** As a profile spells it (`preventLead`, `Head of Service`). */
  id: string;
  /** As a person reads it ("Prevent lead"). */
  label: string;
  /** The names of the loaded profiles that read it. */
  profiles: string[];
}

export interface StaffMarks {
  flags: StaffMark[];
  groups: StaffMark[];
}

/** The two flags the case format knows, kept as booleans on the staff record. */
export const FORMAT_FLAGS = ['designatedOfficer', 'socialMediaResponsibility'] as const;
const FORMAT_FLAG_LABEL: Record<string, string> = {
  designatedOfficer: 'Designated officer',
  socialMediaResponsibility: 'Social media responsibility',
};

/** "preventLead" → "Prevent lead"; "prevent-lead" → "Prevent lead". */
function words(id: string): string {
  const w = id
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .trim()
    .toLowerCase();
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** The name of an authority held by it, without its article ("the Prevent lead" → "Prevent lead"). */
function authorityLabel(p: Profile, holder: 'flag' | 'group', id: string): string | undefined {
  for (const decl of Object.values(p.authorities))
    if (decl.name && decl.holders.some((h) => h[holder] === id)) {
      const n = decl.name.replace(/^the\s+/i, '');
      return n.charAt(0).toUpperCase() + n.slice(1);
    }
  return undefined;
}

/** Every loaded version of every profile, built in and custom. */
export function loadedProfiles(deps: Deps): Profile[] {
  return [...BUILTIN_IDS, ...(deps.customProfileIds ?? [])].flatMap((id) => [...deps.profileVersions(id)]);
}

export function staffMarks(deps: Deps): StaffMarks {
  const flags = new Map<string, StaffMark>();
  const groups = new Map<string, StaffMark>();
  const note = (into: Map<string, StaffMark>, id: string, label: string, p: Profile) => {
    const m = into.get(id) ?? { id, label, profiles: [] };
    if (!m.profiles.includes(p.name)) m.profiles.push(p.name);
    into.set(id, m);
  };
  for (const p of loadedProfiles(deps)) {
    for (const decl of Object.values(p.authorities))
      for (const h of decl.holders) {
        if (h.flag !== undefined)
          note(
            flags,
            h.flag,
            FORMAT_FLAG_LABEL[h.flag] ?? authorityLabel(p, 'flag', h.flag) ?? words(h.flag),
            p,
          );
        if (h.group !== undefined) note(groups, h.group, h.group, p);
      }
    for (const r of p.rules) {
      if (r.when.byDesignatedOfficer !== undefined)
        note(flags, 'designatedOfficer', FORMAT_FLAG_LABEL.designatedOfficer!, p);
      if (r.when.bySocialMediaResponsibility !== undefined)
        note(flags, 'socialMediaResponsibility', FORMAT_FLAG_LABEL.socialMediaResponsibility!, p);
    }
  }
  const sorted = (m: Map<string, StaffMark>) =>
    [...m.values()].sort((a, b) => a.label.localeCompare(b.label));
  return { flags: sorted(flags), groups: sorted(groups) };
}

/**
 * The flags and groups given that no loaded profile reads, as a problem in words naming the ones that are
 * read; undefined when all are read.
 */
export function unreadMarks(
  marks: StaffMarks,
  given: { flags?: readonly string[]; groups?: readonly string[] },
): { field: 'flags' | 'groups'; message: string } | undefined {
  for (const field of ['flags', 'groups'] as const) {
    const known = marks[field];
    const unknown = (given[field] ?? []).filter((x) => !known.some((m) => m.id === x));
    if (unknown.length) {
      const what = field === 'flags' ? 'flag' : 'group';
      return {
        field,
        message: `no loaded policy profile reads the ${what}${unknown.length > 1 ? 's' : ''} ${unknown
          .map((u) => `"${u}"`)
          .join(', ')}; the ${what}s the profiles read are ${
          known.map((m) => `"${m.id}" (${m.label})`).join(', ') || 'none'
        }`,
      };
    }
  }
  return undefined;
}
