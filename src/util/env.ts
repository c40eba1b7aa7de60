import { z } from 'zod';

/** A setting that lists values separated by commas (`a, b,c`): the values, trimmed, empties dropped; unset
 * is none. Shared by the bot's settings and the API's auth settings. */
export const commaList = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
