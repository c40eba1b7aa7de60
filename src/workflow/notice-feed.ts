/**
 * The timers' notices as a surface delivers them: the audit events `notice.*` (and `request.expire`, which
 * carries one) after a cursor kept in the store, under a lease so that one instance delivers. Events from
 * before `since` (when the surface first ran) are not handed out.
 */
import { z } from 'zod';
import type { Deps } from './types';

const NoticeDetails = z.object({
  kind: z.string(),
  to: z.array(z.string()),
  text: z.string(),
  requestId: z.string().optional(),
  ripaId: z.string().optional(),
});
/** One notice to deliver: its kind, the staff it is for, its words, what it is about, its event's number. */
export type PendingNotice = z.infer<typeof NoticeDetails> & { seq: number };

const CURSOR = 'bot.notices.cursor';
const Cursor = z.object({ seq: z.number().int().nonnegative() });

/** The notices that arrived since the cursor (at most 200 events read), and `done()` to move the cursor past
 * them once they are delivered; undefined when another instance holds the lease. */
export async function takeNotices(
  deps: Deps,
  holder: string,
  since: string,
): Promise<{ notices: PendingNotice[]; done: () => Promise<void> } | undefined> {
  if (!(await deps.store.lease('bot-notices', holder, 60_000, deps.clock()))) return undefined;
  const found = await deps.store.get('setting', CURSOR);
  const cursor = found ? Cursor.safeParse(found.record.value) : undefined;
  const events = await deps.store.audit.list(
    cursor?.success ? { afterSeq: cursor.data.seq, limit: 200 } : { from: since, limit: 200 },
  );
  const notices: PendingNotice[] = [];
  for (const e of events) {
    if (!(e.action.startsWith('notice.') || e.action === 'request.expire')) continue;
    const n = NoticeDetails.safeParse(e.details);
    if (n.success) notices.push({ ...n.data, seq: e.seq });
  }
  const last = events.at(-1);
  const done = async () => {
    if (!last) return;
    await deps.store.commit({
      key: `notices:${last.seq}`,
      at: deps.clock().toISOString(),
      writes: [
        {
          kind: 'setting',
          record: { id: CURSOR, value: { seq: last.seq } },
          ...(found ? { ifVersion: found.version } : {}),
        },
      ],
      audit: [],
    });
  };
  return { notices, done };
}
