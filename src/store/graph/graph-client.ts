import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  type AuthenticationProvider,
  type ClientOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
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

export const DEFAULT_GRAPH_TIMEOUT_MS = 10_000;

export type GraphClientOptions = {
  /** `https://graph.microsoft.com` in production; the local server's URL in tests. */
  graphUrl: string;
  authProvider: AuthenticationProvider;
  /** PEM of a CA to trust (the local server's); production uses the system store. */
  ca?: string;
  /** How long one request may take before it is abandoned (default 10 s). */
  timeoutMs?: number;
};

export type GraphTransport = {
  client: Client;
  counter: RequestCounter;
  /** Abandons the requests under way, fails every later one, and closes the connections. */
  close: () => Promise<void>;
};

export function graphClient(options: GraphClientOptions): GraphTransport {
  const counter: RequestCounter = { requests: 0 };
  const closing = new AbortController();
  const url = new URL(options.graphUrl);
  const agent = options.ca ? new Agent({ connect: { ca: options.ca } }) : undefined;
  const middleware: Middleware[] = [
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
  return {
    client: Client.initWithMiddleware(init),
    counter,
    close: async () => {
      closing.abort();
      await agent?.destroy();
    },
  };
}
