/**
 * Teams' rate limits for a bot, kept by design rather than met with 429s: each conversation may be sent at
 * most 7 messages in 1 s, 8 in 2 s, 60 in 30 s and 1,800 in an hour, and the app at most 50 requests a
 * second per tenant (learn.microsoft.com, "Optimize your bot: rate limiting and best practices"). Every
 * proactive send and update waits here for a free slot in every window that applies to it (a sliding log of
 * the times it was given), so a burst — 61 approval cards, a day's notices — is spread out, never refused.
 */
export type Window = { ms: number; max: number };

export const PER_CONVERSATION: Window[] = [
  { ms: 1_000, max: 7 },
  { ms: 2_000, max: 8 },
  { ms: 30_000, max: 60 },
  { ms: 3_600_000, max: 1_800 },
];
export const PER_TENANT: Window[] = [{ ms: 1_000, max: 50 }];

/** The windows with each limit scaled down to `perSecond` over its first window (never above Teams'). */
export function scaled(windows: Window[], perSecond: number): Window[] {
  const first = windows[0]!;
  const factor = Math.min(1, perSecond / (first.max * (1_000 / first.ms)));
  return windows.map((w) => ({ ms: w.ms, max: Math.max(1, Math.floor(w.max * factor)) }));
}

export class Throttle {
  private readonly logs = new Map<string, number[]>();

  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** How long until `key` may be used again under `windows`. */
  private wait(key: string, windows: Window[], at: number): number {
    const log = this.logs.get(key) ?? [];
    let wait = 0;
    for (const w of windows) {
      // The slot frees when the oldest of the last `max` uses leaves the window.
      if (log.length >= w.max) {
        const oldest = log[log.length - w.max]!;
        wait = Math.max(wait, oldest + w.ms - at);
      }
    }
    return wait;
  }

  private use(key: string, windows: Window[], at: number): void {
    const log = this.logs.get(key) ?? [];
    log.push(at);
    const longest = Math.max(...windows.map((w) => w.ms));
    const keep = Math.max(...windows.map((w) => w.max));
    while (log.length > keep || (log.length && log[0]! <= at - longest)) log.shift();
    this.logs.set(key, log);
  }

  /** Resolves when a slot is free under every (key, windows) pair, and takes it. Callers for the same first
   * key are served in order. */
  async take(limits: [key: string, windows: Window[]][]): Promise<void> {
    const order = limits[0]![0];
    const before = this.tails.get(order) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    this.tails.set(order, mine);
    await before;
    try {
      for (;;) {
        const at = this.now();
        const wait = Math.max(...limits.map(([k, w]) => this.wait(k, w, at)));
        if (wait <= 0) {
          for (const [k, w] of limits) this.use(k, w, at);
          return;
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      release();
      if (this.tails.get(order) === mine) this.tails.delete(order);
    }
  }
}
