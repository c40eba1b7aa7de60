/** The bot's Bot Framework settings, from the environment. Without an app id the endpoint accepts unsigned
 * activities (local runs, the Agents Playground); with one it demands a valid Bot Framework token. */
import { z } from 'zod';

export const BotSettings = z.object({
  MicrosoftAppId: z.string().trim().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppTenantId: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  /** How often notices from the timers are delivered, in seconds. */
  OVERT_NOTICES_EVERY: z.coerce.number().int().min(1).default(10),
});
export type BotSettings = z.infer<typeof BotSettings>;

export function botSettings(env: NodeJS.ProcessEnv): BotSettings {
  const parsed = BotSettings.safeParse(env);
  if (!parsed.success) throw new Error(`bot configuration: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
