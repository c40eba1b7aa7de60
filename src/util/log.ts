import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The service's log: JSON lines through pino (time as ISO 8601, level as a word, `msg`). Whatever runs
 * inside `withRequest` (an HTTP call, a bot turn, a timer pass) carries its `reqId`, so every line about
 * one call can be found together. Only ids, names of steps, counts and durations are logged: never a
 * child's details, a token or a secret — and in case a caller slips, the usual places for secrets are
 * redacted.
 */

type RequestContext = { reqId: string };
const context = new AsyncLocalStorage<RequestContext>();

const REDACT = [
  'authorization',
  'token',
  'secret',
  'password',
  '*.authorization',
  '*.token',
  '*.secret',
  '*.password',
  'headers.authorization',
  'req.headers.authorization',
];

/** An error as pino's serializer gives it (type, message, stack, cause), whatever was passed as `err`: an
 * Error, or something that is not one (its message kept, its type named as what it is). */
function errOf(e: unknown): unknown {
  if (e instanceof Error) return pino.stdSerializers.err(e);
  const o = (typeof e === 'object' && e !== null ? e : {}) as { name?: unknown; message?: unknown };
  return {
    type: typeof o.name === 'string' ? o.name : typeof e === 'object' ? 'unknown' : typeof e,
    message: typeof o.message === 'string' ? o.message : String(e),
  };
}

/** Fields that differ between otherwise identical lines, left out when lines are compared. */
const VOLATILE = new Set(['reqId', 'durationMs', 'afterMs', 'time']);

/**
 * Repeated identical warnings and errors (same level, message and fields but the request id and durations —
 * a stalled store answers every call alike) are logged once in each window; the next after the window, or
 * the window's end, gives one line with how many were left out (`repeated`).
 */
function repeatsFolded(windowMs: number) {
  const seen = new Map<string, { first: number; count: number; timer?: NodeJS.Timeout }>();
  return function logMethod(
    this: Logger,
    args: Parameters<pino.LogFn>,
    method: pino.LogFn,
    level: number,
  ): void {
    if (level < 40 || windowMs <= 0) return method.apply(this, args);
    const [first, second] = args as unknown[];
    const fields = typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : {};
    const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
    const same = Object.entries(fields)
      .filter(([k]) => !VOLATILE.has(k))
      .map(([k, v]) => [k, v instanceof Error ? v.message : v]);
    let key: string;
    try {
      key = `${level}|${msg}|${JSON.stringify(same)}`;
    } catch {
      return method.apply(this, args);
    }
    const now = Date.now();
    const s = seen.get(key);
    if (s && now - s.first < windowMs) {
      s.count++;
      return;
    }
    const summarise = (t: { first: number; count: number }) => {
      if (t.count === 0) return;
      method.apply(this, [
        {
          ...Object.fromEntries(same),
          repeated: t.count,
          overSeconds: Math.round((Date.now() - t.first) / 1000),
        },
        `${msg} (and ${t.count} more times like it)`,
      ] as unknown as Parameters<pino.LogFn>);
      t.count = 0;
    };
    if (s) {
      clearTimeout(s.timer);
      summarise(s);
    }
    const entry: { first: number; count: number; timer?: NodeJS.Timeout } = { first: now, count: 0 };
    entry.timer = setTimeout(() => {
      summarise(entry);
      if (seen.get(key) === entry) seen.delete(key);
    }, windowMs);
    entry.timer.unref();
    seen.set(key, entry);
    return method.apply(this, args);
  };
}

/** `repeatWindowMs`: the window in which identical warnings and errors are folded (OVERT_LOG_REPEAT_SECONDS,
 * default 60 s; 0 logs every one). */
export function createLogger(
  destination?: DestinationStream,
  options: { repeatWindowMs?: number } = {},
): Logger {
  const repeatWindowMs = options.repeatWindowMs ?? Number(process.env.OVERT_LOG_REPEAT_SECONDS ?? 60) * 1000;
  return pino(
    {
      serializers: { err: errOf },
      hooks: { logMethod: repeatsFolded(Number.isFinite(repeatWindowMs) ? repeatWindowMs : 60_000) },
      base: { service: 'overt', pid: process.pid },
      level: process.env.OVERT_LOG_LEVEL ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
      mixin: () => {
        const c = context.getStore();
        return c ? { reqId: c.reqId } : {};
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

let root: Logger | undefined;

/** The process's logger (stdout unless `useLogger` gave another). */
export function log(): Logger {
  return (root ??= createLogger());
}

/** Sends the process's log elsewhere (tests give a stream that keeps the lines). */
export function useLogger(logger: Logger): void {
  root = logger;
}

/** Runs `fn` as one request: every line logged inside carries the request id (given, or a new one). */
export function withRequest<T>(fn: () => T, reqId: string = randomUUID()): T {
  return context.run({ reqId }, fn);
}

export function currentRequestId(): string | undefined {
  return context.getStore()?.reqId;
}

/** A request id from a caller's header, if it is a plain token; else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v && /^[A-Za-z0-9._:-]{1,100}$/.test(v) ? v : randomUUID();
}

export type { Logger };
