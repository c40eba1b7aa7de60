import type { IncomingMessage, ServerResponse } from 'node:http';
import type { VerifyResult } from '../store/audit';
import type { Store } from '../store/store';

/** `GET /healthz`: the store answers, and the audit chain was intact when the service started. */
export async function health(
  store: Store,
  service: string,
  chain: VerifyResult,
): Promise<{ status: number; body: unknown }> {
  try {
    const staff = await store.count('staff');
    const ok = chain.ok;
    return {
      status: ok ? 200 : 503,
      body: { status: ok ? 'ok' : 'degraded', service, staff: staff[0]?.count ?? 0, audit: chain },
    };
  } catch (err) {
    return { status: 503, body: { status: 'down', service, error: (err as Error).message } };
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
