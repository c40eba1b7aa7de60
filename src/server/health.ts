import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuditTrailBrokenError, type AuditGuard } from '../store/integrity';
import { StoreUnavailableError, type Store } from '../store/store';

/**
 * `GET /healthz`: the store answers, and the audit trail is intact now — verified at start and re-verified
 * incrementally on every call (`AuditGuard.check`); a broken trail is a 503, and the store then takes no
 * units. It answers
 * within `withinMs` whatever the store does: a store that has not answered by then is reported as not
 * answering (503), and a service that is shutting down says so (503), so a load balancer moves on.
 */
/** What `/healthz` says of a broken trail, to anyone. */
export const TRAIL_BROKEN_HEALTH =
  'the audit trail is broken: Overt takes no changes; the details are in the service log and `overt audit verify`';

export async function health(
  store: Store,
  service: string,
  guard: AuditGuard,
  options: {
    withinMs?: number;
    draining?: boolean;
    /** Told the details of a broken trail (which event, which record, why): the service logs them. */
    onBroken?: (chain: { seq?: number; reason: string }) => void;
  } = {},
): Promise<{ status: number; body: unknown }> {
  if (options.draining)
    return { status: 503, body: { status: 'down', service, problems: ['shutting down'] } };
  const withinMs = options.withinMs ?? 800;
  let timer: NodeJS.Timeout | undefined;
  try {
    // A broken trail answers no read (integrity.ts), the count included: /healthz then says the break, as
    // `degraded`, never the refusal's details.
    const staffCount = store
      .count('staff')
      .catch((err: unknown) => (err instanceof AuditTrailBrokenError ? [] : Promise.reject(err)));
    const answered = Promise.all([staffCount, guard.check()]);
    answered.catch(() => undefined); // a late failure after the timeout is nobody's to hear
    const [staff, chain] = await Promise.race([
      answered,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the store did not answer within ${withinMs / 1000} s`)),
          withinMs,
        );
      }),
    ]);
    if (!chain.ok) options.onBroken?.(chain);
    // Anyone may ask /healthz: a broken trail is said, never which event or record (those name staff and
    // records). The details go to the service's log (`onBroken`) and `overt audit verify`.
    return {
      status: chain.ok ? 200 : 503,
      body: {
        status: chain.ok ? 'ok' : 'degraded',
        service,
        staff: staff[0]?.count ?? 0,
        audit: chain.ok ? chain : { ok: false },
        ...(chain.ok ? {} : { problems: [TRAIL_BROKEN_HEALTH] }),
      },
    };
  } catch (err) {
    // A store known not to answer (the Graph breaker is open) fails at once: said the same way as a stall.
    const message =
      err instanceof StoreUnavailableError
        ? `the store did not answer: ${err.message}`
        : (err as Error).message;
    return {
      status: 503,
      body: { status: 'down', service, problems: [message], error: message },
    };
  } finally {
    clearTimeout(timer);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
