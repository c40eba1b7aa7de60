import { z } from 'zod';
import { blockedPortProblem } from './blocked-ports';
import { BUILTIN_IDS } from './policy/builtin';
import { loadProfileFile } from './policy/load';
import type { Profile } from './policy/profile';
import { profileVersions } from './policy/versions';

/** A port to listen on: 0 (any free one) or one browsers and `fetch` will connect to. */
const Port = z.coerce
  .number()
  .int()
  .min(0)
  .max(65535)
  .superRefine((port, ctx) => {
    const blocked = blockedPortProblem(port);
    if (blocked) ctx.addIssue({ code: z.ZodIssueCode.custom, message: blocked });
  });

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
  /** The address both ports listen on: loopback unless set (a container or App Service sets 0.0.0.0). */
  OVERT_LISTEN_HOST: z.string().trim().min(1).default('127.0.0.1'),
  BOT_PORT: Port.default(3978),
  TAB_PORT: Port.default(53000),
  /** The profile in force for the tenant (a team may name its own). */
  OVERT_DEFAULT_PROFILE: z.string().min(1).default('nottinghamshire-yjs'),
  /** A request not decided within this many days expires; an approved check not recorded within
   * OVERT_RECORD_WITHIN_DAYS expires; a request waiting OVERT_ESCALATE_AFTER_HOURS goes to the next authority. */
  OVERT_DECIDE_WITHIN_DAYS: z.coerce.number().int().min(1).default(7),
  OVERT_RECORD_WITHIN_DAYS: z.coerce.number().int().min(1).default(14),
  OVERT_ESCALATE_AFTER_HOURS: z.coerce.number().int().min(1).default(48),
  /** A request (headers and body) not received within this many seconds is answered 408 and closed, so a
   * stalled upload holds nothing; headers alone must arrive within OVERT_HEADERS_TIMEOUT_SECONDS. */
  OVERT_REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(0.5).max(600).default(30),
  OVERT_HEADERS_TIMEOUT_SECONDS: z.coerce.number().min(0.5).max(120).default(10),
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
    // A custom profile never takes a built-in's id: it would silently replace that council's rules and be
    // recorded under their name in the audit trail.
    if (BUILTIN_IDS.includes(p.value.id))
      return {
        ok: false,
        message: `${path}: the id "${p.value.id}" is a built-in profile's; give the custom profile an id of its own (the built-ins are ${BUILTIN_IDS.join(', ')})`,
      };
    out.push(p.value);
  }
  // The versions of one id agree with each other (one set of rules per version, one version per day, later
  // versions taking effect later): the checks the service makes of what it loads.
  try {
    profileVersions(out);
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  return { ok: true, value: out };
}

/** The tenant's default profile must be one Overt has (built in or a custom file): otherwise every team
 * without its own profile would fail closed, so the start stops, naming the setting and the profiles known. */
export function checkDefaultProfile(c: Config, custom: Profile[]): Loaded<void> {
  const known = [...BUILTIN_IDS, ...custom.map((p) => p.id)];
  if (known.includes(c.OVERT_DEFAULT_PROFILE)) return { ok: true, value: undefined };
  return {
    ok: false,
    message: `OVERT_DEFAULT_PROFILE: no profile "${c.OVERT_DEFAULT_PROFILE}"; the profiles are ${known.join(', ')} (a custom one is added with OVERT_PROFILE_FILES)`,
  };
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
