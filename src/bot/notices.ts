/**
 * Delivers the timers' notices (audit events `notice.*`, and `request.expire`, which carries one) as
 * proactive messages to the people they name, following the audit trail from a cursor kept in the store.
 * A store lease means one instance delivers; events from before the bot first ran are not delivered.
 */
import { z } from 'zod';
import type { Deps } from '../workflow';
import { channelUserId } from './conversations';
import { deliver, serviceManagers } from './deliver';
import { nameOf } from '../workflow/queries';
import { pointerCard } from './views/approval-card';
import { escalateDecision } from './handlers/request-cards';
import type { Outbox } from './outbox';
import { neutralNoticeCard, noticeCard } from './views/conversation-cards';
import { ripaNoticeCard } from './views/ripa-cards';

const NoticeDetails = z.object({
  kind: z.string(),
  to: z.array(z.string()),
  text: z.string(),
  requestId: z.string().optional(),
  ripaId: z.string().optional(),
});

const TITLES: Record<string, string> = {
  'request-expired': 'A request expired',
  'decision-waiting': 'A decision is waiting',
  'reminder-due': 'A consent reminder is due',
  'record-check': 'A check has not been recorded',
  'ripa-review': 'A RIPA authorisation needs review',
  'ripa-expired': 'A RIPA authorisation has ended',
};

const CURSOR = 'bot.notices.cursor';
const Cursor = z.object({ seq: z.number().int().nonnegative() });

/** One pass: deliver what arrived since the cursor. Returns how many messages were sent. */
export async function deliverNotices(
  deps: Deps,
  outbox: Outbox,
  holder: string,
  since: string,
): Promise<number> {
  if (!(await deps.store.lease('bot-notices', holder, 60_000, deps.clock()))) return 0;
  const found = await deps.store.get('setting', CURSOR);
  const cursor = found ? Cursor.safeParse(found.record.value) : undefined;
  const events = await deps.store.audit.list(
    cursor?.success ? { afterSeq: cursor.data.seq, limit: 200 } : { from: since, limit: 200 },
  );
  let sent = 0;
  for (const e of events) {
    if (!(e.action.startsWith('notice.') || e.action === 'request.expire')) continue;
    const n = NoticeDetails.safeParse(e.details);
    if (!n.success) continue;
    const card = n.data.ripaId
      ? ripaNoticeCard(TITLES[n.data.kind] ?? 'Notice', n.data.text, n.data.ripaId)
      : noticeCard(TITLES[n.data.kind] ?? 'Notice', n.data.text, n.data.requestId);
    if (n.data.kind === 'decision-waiting' && n.data.requestId) {
      sent += await escalateDecision(deps, outbox, n.data.requestId, n.data.to, card, n.data.text);
      continue;
    }
    const title = TITLES[n.data.kind] ?? 'Notice';
    for (const to of n.data.to) {
      const d = await deliver(deps, outbox, {
        staffId: to,
        card,
        about: `the notice ${n.data.kind} (audit event ${e.seq})`,
        pointer: n.data.requestId
          ? pointerCard(n.data.requestId, [await channelUserId(deps, to)])
          : neutralNoticeCard(await nameOf(deps, to)),
        unreachable: {
          tell: await serviceManagers(deps),
          about: `A notice for them could not be delivered: “${title}”.`,
          key: `notice:${e.seq}`,
        },
      });
      if (d && 'activityId' in d) sent++;
    }
  }
  const last = events.at(-1);
  if (last)
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
  return sent;
}

/** Delivers notices every `everyMs` until the store closes or `stop` is called. `deliver()` runs a pass now
 * (or joins the one under way), for shutdown and tests; passes never overlap. */
export function followNotices(deps: Deps, outbox: Outbox, everyMs: number, log: (s: string) => void) {
  const since = deps.clock().toISOString();
  const holder = `bot-${process.pid}-${Math.random().toString(36).slice(2)}`;
  let running: Promise<number> | undefined;
  const deliver = (): Promise<number> =>
    (running ??= deliverNotices(deps, outbox, holder, since).finally(() => (running = undefined)));
  const timer = setInterval(() => {
    if (running) return;
    deliver().catch((err: Error) => {
      if (/closed|not open/i.test(err.message)) clearInterval(timer);
      else log(`bot: notices: ${err.message}`);
    });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), since, holder, deliver };
}
