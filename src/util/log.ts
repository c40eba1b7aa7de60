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

export function createLogger(destination?: DestinationStream): Logger {
  return pino(
    {
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
