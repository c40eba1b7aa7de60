/** zod schemas for what arrives at /api/messages: the activity's envelope, and the invoke values the bot answers. */
import { z } from 'zod';

export const ActivityEnvelope = z
  .object({
    type: z.string().min(1, 'an activity has a type'),
    id: z.string().optional(),
    channelId: z.string().min(1, 'an activity names its channel'),
    serviceUrl: z.string().min(1, 'an activity carries its serviceUrl'),
    from: z
      .object({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional() })
      .passthrough(),
    conversation: z.object({ id: z.string().min(1) }).passthrough(),
    text: z.string().optional(),
    name: z.string().optional(),
  })
  .passthrough();

export const ExecuteInvoke = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().min(1),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});

export const SearchInvoke = z.object({
  queryText: z.string().default(''),
  dataset: z.string().min(1),
  queryOptions: z
    .object({ top: z.number().int().min(1).max(50).optional(), skip: z.number().int().min(0).optional() })
    .optional(),
});
