import { z } from 'zod';
import { loadProfileFile } from './policy/load';
import type { Profile } from './policy/profile';

/**
 * The service's settings, from the environment (the Agents Toolkit's env/ files set them in Azure):
 * validated once at start; a bad setting or a bad custom profile stops the start with a message naming it.
 */
export const Config = z.object({
  OVERT_DATA: z.string().min(1).default('./.data'),
  OVERT_STORE: z.enum(['sqlite', 'graph']).default('sqlite'),
  /** Custom profile files, separated by commas. */
  OVERT_PROFILE_FILES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ),
  /** Create the fictional demo service when the data folder is empty. */
  OVERT_DEMO: z.enum(['auto', 'off']).default('auto'),
  BOT_PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  TAB_PORT: z.coerce.number().int().min(0).max(65535).default(53000),
  /** The profile in force for the tenant (a team may name its own). */
  OVERT_DEFAULT_PROFILE: z.string().min(1).default('nottinghamshire-yjs'),
  /** A request not decided within this many days expires; an approved check not recorded within
   * OVERT_RECORD_WITHIN_DAYS expires; a request waiting OVERT_ESCALATE_AFTER_HOURS goes to the next authority. */
  OVERT_DECIDE_WITHIN_DAYS: z.coerce.number().int().min(1).default(7),
  OVERT_RECORD_WITHIN_DAYS: z.coerce.number().int().min(1).default(14),
  OVERT_ESCALATE_AFTER_HOURS: z.coerce.number().int().min(1).default(48),
  /** How often the timers run, in seconds. */
  OVERT_JOBS_EVERY: z.coerce.number().int().min(1).default(60),
  /** How long the timers' lease lasts, in seconds: renewed every third of it, so another instance takes
   * over within about this long when the holder dies. */
  OVERT_TIMERS_LEASE: z.coerce.number().int().min(1).default(30),
});
export type Config = z.infer<typeof Config>;

export type Loaded<T> = { ok: true; value: T } | { ok: false; message: string };

export function loadConfig(
  env: NodeJS.ProcessEnv,
  overrides: Partial<Record<keyof Config, string>> = {},
): Loaded<Config> {
  const parsed = Config.safeParse({ ...env, ...overrides });
  if (!parsed.success) return { ok: false, message: `configuration: ${z.prettifyError(parsed.error)}` };
  return { ok: true, value: parsed.data };
}

/** Every configured custom profile, or the first that fails, named with its path and problem. */
export function loadCustomProfiles(paths: string[]): Loaded<Profile[]> {
  const out: Profile[] = [];
  for (const path of paths) {
    const p = loadProfileFile(path);
    if (!p.ok) return { ok: false, message: p.error.message };
    out.push(p.value);
  }
  return { ok: true, value: out };
}

/** The workflow's settings from the configuration. */
export function workflowSettings(c: Config) {
  return {
    defaultProfileId: c.OVERT_DEFAULT_PROFILE,
    decideWithinDays: c.OVERT_DECIDE_WITHIN_DAYS,
    recordWithinDays: c.OVERT_RECORD_WITHIN_DAYS,
    escalateAfterHours: c.OVERT_ESCALATE_AFTER_HOURS,
  };
}
