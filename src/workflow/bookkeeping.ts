import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Store } from '../store/store';

/** The service's own bookkeeping settings (when the timers and retention last ran, an ask of the timers):
 * read and written here, for every one of them. */

/** A setting's value, if it is there and has the shape expected. */
export async function readSetting<T>(store: Store, id: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const found = await store.get('setting', id);
  const parsed = found ? schema.safeParse(found.record.value) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

/** A blind write of one setting (no audit event: bookkeeping, not a record of anyone's work). */
export async function writeSetting(store: Store, id: string, value: unknown, at: string): Promise<void> {
  await store.commit({
    key: `${id}:${randomUUID()}`,
    at,
    writes: [{ kind: 'setting', record: { id, value: value as never } }],
    audit: [],
  });
}
