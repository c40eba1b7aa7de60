import { z } from 'zod';
import type { Profile } from '../policy/profile';
import type { Versioned } from '../store/store';
import { Id, list, ShortText, Text } from './input';

/**
 * Platform privacy notes as the administrator last edited them (a setting `platform-notes:<profile id>`),
 * and the profile with them in place of its own — so the obligations on every card carry the notes and
 * the "last checked" date in force, not the ones the profile shipped with.
 */

export const NoteInput = z.object({
  platform: ShortText.toLowerCase(),
  aliases: list(ShortText).default([]),
  note: Text,
  viewerVisible: z.boolean().default(false),
});
export const PlatformNotes = z.object({
  lastChecked: z.iso.date(),
  platforms: z.array(NoteInput).min(1, 'keep at least one platform note'),
});
export type PlatformNotes = z.infer<typeof PlatformNotes>;
export const StoredNotes = PlatformNotes.extend({ editedBy: Id, editedAt: z.string() });
export type StoredNotes = z.infer<typeof StoredNotes>;

export const notesSettingId = (profileId: string) => `platform-notes:${profileId}`;

/** One overlaid profile per profile and edit, so the evaluator's per-profile caches keep working. */
const overlays = new WeakMap<Profile, { version: string; profile: Profile }>();

export function withEditedNotes(profile: Profile, setting: Versioned<'setting'> | undefined): Profile {
  if (!setting) return profile;
  const cached = overlays.get(profile);
  if (cached?.version === setting.version) return cached.profile;
  const edited = StoredNotes.safeParse(setting.record.value);
  if (!edited.success) return profile;
  const overlaid: Profile = {
    ...profile,
    platformNotes: {
      lastChecked: edited.data.lastChecked,
      cites: profile.platformNotes?.cites ?? [],
      platforms: edited.data.platforms,
    },
  };
  overlays.set(profile, { version: setting.version, profile: overlaid });
  return overlaid;
}
