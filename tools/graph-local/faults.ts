// Deterministic fault injection: 429/503 with Retry-After on whole requests and on inner $batch requests.

export type FaultTarget = 'all' | 'requests' | 'batchItems';

export type FaultSettings = {
  /** Probability (0..1) that an eligible request is throttled. */
  rate: number;
  statuses: number[];
  /** Sent as Retry-After; decimals such as 0.05 are allowed (Graph sends values like 0.249). */
  retryAfterSeconds: number;
  seed: number;
  /** Which requests are eligible: whole HTTP requests, single inner $batch requests, or both. */
  target: FaultTarget;
  /** Force the next N eligible requests to fail, whatever the rate. */
  next: number;
};

export type Fault = { status: number; retryAfter: string };

export const DEFAULT_FAULTS: FaultSettings = {
  rate: 0,
  statuses: [429, 503],
  retryAfterSeconds: 1,
  seed: 1,
  target: 'all',
  next: 0,
};

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private settings: FaultSettings;
  private random: () => number;

  constructor(initial: Partial<FaultSettings> = {}) {
    this.settings = { ...DEFAULT_FAULTS, ...initial };
    this.random = prng(this.settings.seed);
  }

  get current(): FaultSettings {
    return { ...this.settings };
  }

  /** Change settings; passing `seed` restarts the random sequence. */
  set(patch: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...patch };
    if (patch.seed !== undefined) this.random = prng(patch.seed);
    if (this.settings.statuses.length === 0) throw new Error('faultStatuses must not be empty');
  }

  decide(kind: 'request' | 'batchItem'): Fault | undefined {
    const s = this.settings;
    const eligible =
      s.target === 'all' || (kind === 'request' ? s.target === 'requests' : s.target === 'batchItems');
    if (!eligible) return undefined;
    let hit = false;
    if (s.next > 0) {
      s.next -= 1;
      hit = true;
    } else if (s.rate > 0) {
      hit = this.random() < s.rate;
    }
    if (!hit) return undefined;
    const status = s.statuses[Math.floor(this.random() * s.statuses.length)] ?? 429;
    return { status, retryAfter: String(s.retryAfterSeconds) };
  }
}
