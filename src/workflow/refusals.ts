import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../store/canonical-json';
import type { Role } from '../store/records';
import type { Deps } from './types';

/**
 * Every refusal is on the record, wherever it is decided, and once. The workflow records the refusals it
 * decides with its verdict in the command's own unit (`refuse` in context.ts counts them in `deps.audited`); a
 * surface (the API's router, the bot's route table) runs each command through `answerRecorded`, with its own
 * count (no AsyncLocalStorage: on Node 20 it slows every promise), which records any
 * other refusal it answers with — a role the route is not for, bad input, an unknown id, another team's
 * request, a stale card — as one audit event: who (the staff member, or the Entra id that maps to nobody),
 * what (the surface's action and its target) and why (the code and the message the person was given).
 */

export interface Refused {
  /** The member of staff, or for someone Overt does not know, an id prefixed with where it came from. */
  who: { id: string; role?: Role };
  what: { action: string; target: { kind: string; id: string } };
  why: { code: string; message: string; field?: string; status?: number };
  via: 'api' | 'bot';
  details?: Record<string, unknown>;
  /** The command as sent, when the surface has one that says "the same again" (a card's form id and its data):
   * the same refused again for the same reason is the same event, not a second. */
  sent?: unknown;
}

/** The workflow wrote a refusal's audit event in this command: the surface must not write a second. */
export function noteAudited(deps: Deps): void {
  if (deps.audited) deps.audited.count += 1;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** The unit key of a refusal's event: one per command as sent, who and why when the surface says what was sent,
 * so a copy (a card pressed twice, an activity Teams delivers again) writes nothing new; else one per refusal. */
function refusalKey(r: Refused): string {
  if (r.sent === undefined) return `refused:${randomUUID()}`;
  const h = createHash('sha256').update(canonicalJson([r.who.id, r.what, r.why, r.via, r.sent]));
  return `refused:${h.digest('hex')}`;
}

/** One refusal as one audit event, in a unit of its own (it writes nothing else). */
export async function recordRefusal(deps: Deps, r: Refused): Promise<void> {
  await deps.store.commit({
    key: refusalKey(r),
    at: deps.clock().toISOString(),
    writes: [],
    audit: [
      {
        actor: { id: clip(r.who.id, 200), ...(r.who.role ? { role: r.who.role } : {}) },
        action: clip(r.what.action, 200),
        target: { kind: clip(r.what.target.kind, 50), id: clip(r.what.target.id || '-', 200) },
        outcome: 'refuse',
        details: {
          via: r.via,
          code: r.why.code,
          message: clip(r.why.message, 1000),
          ...(r.why.field ? { field: clip(r.why.field, 200) } : {}),
          ...(r.why.status ? { status: r.why.status } : {}),
          ...r.details,
        },
      },
    ],
  });
}

/**
 * Runs one command of a surface and answers with what it gave; when that answer is a refusal (`refusalOf`
 * says what, who and why) that the workflow did not record itself, records it. A refusal that cannot be
 * recorded is still answered as a refusal (refusing is safe), and the failure is logged.
 */
export async function answerRecorded<T>(
  deps: Deps,
  run: (deps: Deps) => Promise<T>,
  refusalOf: (answer: T) => Refused | undefined,
  log: (s: string) => void = (s) => console.error(s),
): Promise<T> {
  const audited = { count: 0 };
  const answer = await run({ ...deps, audited });
  const refused = refusalOf(answer);
  if (refused && audited.count === 0)
    await recordRefusal(deps, refused).catch((err: Error) =>
      log(`refusal not recorded (${refused.what.action} by ${refused.who.id}): ${err.message}`),
    );
  return answer;
}

/**
 * Refusals made before anyone is known (issue 12, fault 4): the bot's envelope refusals (too large, nested too
 * deep, not JSON, not an activity, a token that proves nothing) and the API's 401s. Whoever sends them proved
 * nothing, so one event each would let a stranger fill the trail. Each kind is counted per instance, and one
 * summary event per kind is written at the end of a window in which there was any (`windowMs`, default a
 * minute): how many, the first and the last, and up to five ids the senders claimed — claimed, never trusted.
 * A log line says the same. At stop what is counted is written (`flushUnsigned`).
 */
export type UnsignedKind =
  'too-large' | 'too-deep' | 'not-json' | 'not-an-activity' | 'not-authenticated' | 'no-sign-in';

const UNSIGNED_WORDS: Record<UnsignedKind, string> = {
  'too-large': 'too large',
  'too-deep': 'nested too deeply',
  'not-json': 'not JSON',
  'not-an-activity': 'not an activity',
  'not-authenticated': 'a token that proves nothing',
  'no-sign-in': 'not signed in',
};

const VIA_WORDS = { bot: 'bot requests', api: 'API requests' } as const;

interface Tally {
  count: number;
  first: string;
  last: string;
  status: number;
  claimed: Set<string>;
  timer: NodeJS.Timeout;
}

class UnsignedRefusals {
  private readonly tallies = new Map<string, Tally>();
  private readonly writing = new Set<Promise<void>>();
  constructor(
    private readonly deps: Deps,
    private readonly windowMs: number,
    private readonly log: (s: string) => void,
  ) {}

  note(via: 'api' | 'bot', kind: UnsignedKind, status: number, claimed?: string): void {
    const key = `${via}:${kind}`;
    const at = this.deps.clock().toISOString();
    let t = this.tallies.get(key);
    if (!t) {
      const timer = setTimeout(() => this.write(key), this.windowMs);
      timer.unref();
      t = { count: 0, first: at, last: at, status, claimed: new Set(), timer };
      this.tallies.set(key, t);
    }
    t.count += 1;
    t.last = at;
    if (claimed && t.claimed.size < 5) t.claimed.add(clip(claimed, 100));
  }

  private write(key: string): Promise<void> {
    const t = this.tallies.get(key);
    if (!t) return Promise.resolve();
    this.tallies.delete(key);
    clearTimeout(t.timer);
    const [via, kind] = key.split(':') as ['api' | 'bot', UnsignedKind];
    const message = `${t.count} ${VIA_WORDS[via]} refused before sign-in: ${UNSIGNED_WORDS[kind]} ×${t.count}`;
    const p = this.deps.store
      .commit({
        key: `refused-unsigned:${randomUUID()}`,
        at: this.deps.clock().toISOString(),
        writes: [],
        audit: [
          {
            actor: { id: `unsigned:${via}` },
            action: via === 'bot' ? 'bot:before-sign-in' : 'api:before-sign-in',
            target: { kind: 'route', id: via === 'bot' ? '/api/messages' : '/api/v1' },
            outcome: 'refuse',
            details: {
              via,
              code: kind,
              message,
              status: t.status,
              refused: t.count,
              first: t.first,
              last: t.last,
              ...(t.claimed.size > 0 ? { claimedSenders: [...t.claimed], claimedNotTrusted: true } : {}),
            },
          },
        ],
      })
      .then(
        () => this.log(`${message} (first ${t.first}, last ${t.last}); one audit event`),
        (err: Error) => this.log(`${message}: not recorded: ${err.message}`),
      )
      .finally(() => this.writing.delete(p));
    this.writing.add(p);
    return p;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.tallies.keys()].map((k) => this.write(k)));
    await Promise.all([...this.writing]);
  }
}

const unsignedByStore = new WeakMap<object, UnsignedRefusals>();

/** The instance's tally of refusals before sign-in (one per store: the bot and the API share it). */
export function unsignedRefusals(
  deps: Deps,
  how: { log?: (s: string) => void; windowMs?: number } = {},
): { note: UnsignedRefusals['note'] } {
  let u = unsignedByStore.get(deps.store);
  if (!u) {
    u = new UnsignedRefusals(deps, how.windowMs ?? 60_000, how.log ?? ((s) => console.error(s)));
    unsignedByStore.set(deps.store, u);
  }
  return u;
}

/** Writes what is counted of the refusals before sign-in now (at stop). */
export async function flushUnsigned(deps: Deps): Promise<void> {
  await unsignedByStore.get(deps.store)?.flush();
}
