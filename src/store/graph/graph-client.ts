import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  type AuthenticationProvider,
  type ClientOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { EventEmitter } from 'node:events';
import { Agent } from 'undici';

/**
 * The Graph client with Overt's cross-cutting concerns as middleware, once: the token, a timeout per
 * request and a request counter. Retries are not made here: every call is a `$batch`, and batch.ts retries
 * by the one policy in retry.ts (the SDK's RetryHandler would be a second layer with a budget of its own).
 */

export type RequestCounter = { requests: number };

class CountingHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly counter: RequestCounter) {}

  async execute(context: Context): Promise<void> {
    this.counter.requests += 1;
    if (!this.next) throw new Error('CountingHandler needs a next middleware');
    await this.next.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/** Every request (each send of a retry too) gets `timeoutMs` to answer: a stalled Graph fails
 * the call with a TimeoutError instead of holding it, so callers can answer 503 in time. Once the client
 * is closed, every request under way is abandoned and every later one fails at once (an AbortError, which
 * no retry sends again), so nothing a closed store started keeps calling Graph. */
class TimeoutHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly closed: AbortSignal,
  ) {}

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('TimeoutHandler needs a next middleware');
    const abandoned = () => {
      const e = new Error('the Graph client is closed');
      e.name = 'AbortError';
      return e;
    };
    if (this.closed.aborted) throw abandoned();
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = AbortSignal.any([timeout, this.closed]);
    (context.options ??= {}).signal = signal; // each attempt its own
    try {
      await this.next.execute(context);
    } catch (err) {
      if (this.closed.aborted) throw abandoned();
      if (timeout.aborted) {
        const e = new Error(`no answer from Graph within ${this.timeoutMs / 1000} s`);
        e.name = 'TimeoutError';
        throw e;
      }
      throw err;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * A short circuit breaker: once Graph is known not to answer (a request timed out, or five in a row found
 * no connection), every request fails at once for `openMs` instead of each waiting out its own timeout;
 * then one request is let through as a probe (the others still fail at once) and, when it is answered,
 * requests flow again — the service recovers by itself when Graph answers. An answer of any status counts
 * as answering (throttling is retry.ts's concern). The failure carries when to ask again (`retryAfterMs`),
 * which the surfaces send as `Retry-After`.
 */
export class GraphBreaker {
  private openUntil = 0;
  private probing = false;
  private drops = 0;
  constructor(
    readonly openMs: number,
    private readonly onChange: (state: 'open' | 'closed', detail: string) => void = (state, detail) =>
      breakerEvents.emit('change', state, detail),
  ) {}

  /** Throws a `BreakerOpenError` while open (or while another request probes); else lets the request go. */
  admit(): 'probe' | 'pass' {
    if (this.openUntil === 0) return 'pass';
    const left = this.openUntil - Date.now();
    if (left > 0 || this.probing) throw breakerOpen(Math.max(left, 1000));
    this.probing = true;
    return 'probe';
  }

  answered(): void {
    const wasOpen = this.openUntil !== 0;
    this.openUntil = 0;
    this.probing = false;
    this.drops = 0;
    if (wasOpen) this.onChange('closed', 'Graph answers again: requests go through');
  }

  /** A request that ended with neither an answer nor a sign that Graph is down (the client closed, or
   * signing in failed): if it was the probe, the next request after the open time may probe instead — a
   * probe that never reports back would otherwise hold the breaker open for good. */
  abandoned(admitted: 'probe' | 'pass'): void {
    if (admitted === 'probe') this.probing = false;
  }

  /** A request that got no answer: a timeout opens the breaker at once, a lost connection the fifth in a row. */
  unanswered(kind: 'timeout' | 'connection', detail: string): void {
    this.probing = false;
    if (kind === 'connection' && ++this.drops < 5 && this.openUntil === 0) return;
    const wasOpen = this.openUntil !== 0;
    this.openUntil = Date.now() + this.openMs;
    if (!wasOpen)
      this.onChange(
        'open',
        `Graph did not answer (${detail}): requests fail at once for ${this.openMs / 1000} s, then one is tried`,
      );
  }

  /** When to ask again, in whole seconds: what is left of the open time, else the open time. */
  retryAfterSeconds(): number {
    const left = this.openUntil - Date.now();
    return Math.max(1, Math.ceil((left > 0 ? left : this.openMs) / 1000));
  }

  /** Whether requests now fail at once (for /healthz and tests). */
  isOpen(): boolean {
    return this.openUntil !== 0;
  }
}

function breakerOpen(retryAfterMs: number): Error {
  const e = new Error(
    `Graph is not answering just now (it did not answer a moment ago); asked again within ${Math.ceil(retryAfterMs / 1000)} s`,
  );
  e.name = 'BreakerOpenError';
  return e;
}

/** Every breaker's opening and closing, for whoever logs them (the service does; a command does not). */
export const breakerEvents = new EventEmitter<{ change: [state: 'open' | 'closed', detail: string] }>();

const breakers = new WeakMap<Client, GraphBreaker>();

/** The breaker of a client made by `graphClient`, if it has one. */
export const breakerOf = (client: Client): GraphBreaker | undefined => breakers.get(client);

class BreakerHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly breaker: GraphBreaker) {}

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('BreakerHandler needs a next middleware');
    const admitted = this.breaker.admit();
    try {
      await this.next.execute(context);
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError') this.breaker.unanswered('timeout', e.message);
      else if (e.name === 'AbortError' || e.name === 'GraphSignInError')
        // The client closed, or signing in failed: not Graph's answer either way.
        this.breaker.abandoned(admitted);
      else this.breaker.unanswered('connection', e.message);
      throw err;
    }
    this.breaker.answered();
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

export const DEFAULT_GRAPH_TIMEOUT_MS = 10_000;
export const DEFAULT_BREAKER_MS = 5_000;

export type GraphClientOptions = {
  /** `https://graph.microsoft.com` in production; the local server's URL in tests. */
  graphUrl: string;
  authProvider: AuthenticationProvider;
  /** PEM of a CA to trust (the local server's); production uses the system store. */
  ca?: string;
  /** How long one request may take before it is abandoned (default 10 s). */
  timeoutMs?: number;
  /** How long requests fail at once after Graph did not answer (default 5 s; 0: no breaker). */
  breakerMs?: number;
  /** Told when the breaker opens or closes (the service logs it). */
  onBreaker?: (state: 'open' | 'closed', detail: string) => void;
};

export type GraphTransport = {
  client: Client;
  counter: RequestCounter;
  breaker?: GraphBreaker;
  /** Abandons the requests under way, fails every later one, and closes the connections. */
  close: () => Promise<void>;
};

export function graphClient(options: GraphClientOptions): GraphTransport {
  const counter: RequestCounter = { requests: 0 };
  const closing = new AbortController();
  const url = new URL(options.graphUrl);
  const agent = options.ca ? new Agent({ connect: { ca: options.ca } }) : undefined;
  const breakerMs = options.breakerMs ?? DEFAULT_BREAKER_MS;
  const breaker = breakerMs > 0 ? new GraphBreaker(breakerMs, options.onBreaker) : undefined;
  const middleware: Middleware[] = [
    ...(breaker ? [new BreakerHandler(breaker)] : []),
    new AuthenticationHandler(options.authProvider),
    new CountingHandler(counter),
    new TimeoutHandler(options.timeoutMs ?? DEFAULT_GRAPH_TIMEOUT_MS, closing.signal),
    new HTTPMessageHandler(),
  ];
  const init: ClientOptions = {
    baseUrl: `${options.graphUrl.replace(/\/+$/, '')}/`,
    middleware,
    ...(url.hostname === 'graph.microsoft.com' ? {} : { customHosts: new Set([url.hostname]) }),
    ...(agent ? { fetchOptions: { dispatcher: agent } as unknown as ClientOptions['fetchOptions'] } : {}),
  };
  const client = Client.initWithMiddleware(init);
  let closed: Promise<void> | undefined;
  if (breaker) breakers.set(client, breaker);
  return {
    client,
    counter,
    ...(breaker ? { breaker } : {}),
    close: () =>
      (closed ??= (async () => {
        closing.abort();
        await agent?.destroy();
      })()),
  };
}
