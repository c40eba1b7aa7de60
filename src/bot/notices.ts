/**
 * Delivers the timers' notices (audit events `notice.*`, and `request.expire`, which carries one) as
 * proactive messages to the people they name, as the workflow hands them out (notice-feed.ts: after a kept
 * cursor, under a lease so one instance delivers, each message recorded as it is sent; nothing from before
 * the bot first ran).
 */
import { takeNotices, type Deps } from '../workflow';
import { deliver, serviceManagers } from './deliver';
import { nameOf, requestById } from '../workflow/queries';
import { pointerCard } from './views/approval-card';
import { escalateDecision, LeaseLost, refreshOne } from './handlers/request-cards';
import type { Outbox } from './outbox';
import { neutralNoticeCard, noticeCard } from './views/conversation-cards';
import { ripaNoticeCard } from './views/ripa-cards';

const TITLES: Record<string, string> = {
  'request-expired': 'A request expired',
  'decision-waiting': 'A decision is waiting',
  'reminder-due': 'A consent reminder is due',
  'record-check': 'A check has not been recorded',
  'ripa-review': 'A RIPA authorisation needs review',
  'ripa-expired': 'A RIPA authorisation has ended',
};

/** The requester of the request a notice is about, unless the notice is for them. */
async function requesterOf(deps: Deps, requestId: string | undefined, to: string): Promise<string[]> {
  if (!requestId) return [];
  const r = (await requestById(deps, requestId))?.record;
  return r && r.requesterId !== to ? [r.requesterId] : [];
}

/** One pass: deliver what arrived since the cursor, each message once (see notice-feed.ts). Returns how many
 * messages were sent. */
export async function deliverNotices(
  deps: Deps,
  outbox: Outbox,
  holder: string,
  since: string,
  leaseMs?: number,
  log: (s: string) => void = () => undefined,
): Promise<number> {
  const taken = await takeNotices(deps, holder, since, leaseMs);
  if (!taken) return 0;
  if (taken.tookOverFrom)
    log(
      `bot: took over the notices’ lease from ${taken.tookOverFrom.holder} (it ran out at ${taken.tookOverFrom.until})`,
    );
  let sent = 0;
  try {
    for (const n of taken.notices) {
      const card = n.ripaId
        ? ripaNoticeCard(TITLES[n.kind] ?? 'Notice', n.text, n.ripaId)
        : noticeCard(TITLES[n.kind] ?? 'Notice', n.text, n.requestId);
      if (n.kind === 'decision-waiting' && n.requestId) {
        sent += await escalateDecision(deps, outbox, n.requestId, n.to, card, n.text, {
          sentTo: n.sentTo,
          hold: taken.hold,
          sent: (to) => taken.sent(n, to),
        });
        continue;
      }
      const title = TITLES[n.kind] ?? 'Notice';
      for (const to of n.to) {
        if (n.sentTo.includes(to)) continue;
        if (!(await taken.hold())) throw new LeaseLost();
        const d = await deliver(deps, outbox, {
          staffId: to,
          card,
          about: `the notice ${n.kind} (audit event ${n.seq})`,
          pointer: n.requestId
            ? pointerCard(n.requestId, await refreshOne(deps, to))
            : neutralNoticeCard(await nameOf(deps, to)),
          unreachable: {
            // Whoever can act: the requester of a request it is about (when it is not for them), and the
            // service managers.
            tell: [...(await requesterOf(deps, n.requestId, to)), ...(await serviceManagers(deps))],
            about: `A notice for them could not be delivered: “${title}”.`,
            key: `notice:${n.seq}`,
            keep: { title, text: n.text, ...(n.requestId ? { requestId: n.requestId } : {}) },
          },
        });
        if (d && 'activityId' in d) sent++;
        await taken.sent(n, to);
      }
    }
    await taken.done();
  } catch (err) {
    if (!(err instanceof LeaseLost)) throw err;
    log(`bot: notices: ${err.message}`);
  }
  return sent;
}

/** Delivers notices every `everyMs` until the store closes or `stop` is called, under a lease of `leaseMs`
 * (an instance that dies leaves the rest to another within that). `deliver()` runs a pass now (or joins the
 * one under way), for shutdown and tests; passes never overlap. */
export function followNotices(
  deps: Deps,
  outbox: Outbox,
  everyMs: number,
  log: (s: string) => void,
  leaseMs = 60_000,
) {
  const since = deps.clock().toISOString();
  const holder = `bot-${process.pid}-${Math.random().toString(36).slice(2)}`;
  let running: Promise<number> | undefined;
  const deliver = (): Promise<number> =>
    (running ??= deliverNotices(deps, outbox, holder, since, leaseMs, log).finally(
      () => (running = undefined),
    ));
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
