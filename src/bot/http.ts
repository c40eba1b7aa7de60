/**
 * `POST /api/messages`: the thin HTTP adapter over botbuilder's CloudAdapter. The body is parsed and its
 * envelope checked with zod here (a 400 with the reason otherwise); CloudAdapter authenticates it — unsigned
 * activities are accepted only when no app id is configured, else a missing or bad token is a 401 — and runs
 * the turn. Work for other people runs once the turn has been answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Request,
  type Response,
} from 'botbuilder';
import { z } from 'zod';
import type { Handler } from '../server/health';
import type { Deps } from '../workflow';
import { ActivityEnvelope } from './activity';
import { KeptClientsAuthentication } from './auth';
import { onTurn } from './bot';
import { followNotices } from './notices';
import { Outbox, type Task } from './outbox';
import type { BotSettings } from './settings';

const MAX_BODY = 512 * 1024;

function problem(res: ServerResponse, status: number, detail: string): void {
  res.writeHead(status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(
    JSON.stringify({
      type: 'about:blank',
      title:
        status === 401
          ? 'Unauthorized'
          : status === 405
            ? 'Method Not Allowed'
            : status === 413
              ? 'Payload Too Large'
              : 'Bad Request',
      status,
      detail,
    }),
  );
}

/** The body as text, or undefined past MAX_BODY (the rest is not buffered). Events rather than an async
 * iterator: the iterator's promise per chunk was a measurable part of a short invoke. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Node's response, as the `Response` CloudAdapter writes to. */
function responseFor(res: ServerResponse): Response {
  let status = 200;
  let body: string | undefined;
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  return {
    socket: res.socket,
    status: (code: unknown) => (status = Number(code)),
    header: (name: unknown, value: unknown) => (headers[String(name).toLowerCase()] = String(value)),
    send: (b: unknown) => {
      if (typeof b === 'string') body = b;
      else if (b !== undefined) {
        body = JSON.stringify(b);
        headers['content-type'] ??= 'application/json; charset=utf-8';
      }
    },
    end: () => {
      if (res.headersSent) return;
      if (status >= 400 && body !== undefined && !headers['content-type']) {
        body = JSON.stringify({ type: 'about:blank', status, detail: body });
        headers['content-type'] = 'application/problem+json; charset=utf-8';
      }
      res.writeHead(status, headers);
      res.end(body);
    },
  };
}

export interface BotEndpoint {
  handler: Handler;
  outbox: Outbox;
  adapter: CloudAdapter;
  /** Delivers the timers' notices now, rather than at the next tick; how many messages were sent. */
  deliverNotices: () => Promise<number>;
  stop: () => void;
}

export function botEndpoint(
  deps: Deps,
  settings: BotSettings,
  log: (s: string) => void = console.log,
): BotEndpoint {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: settings.MicrosoftAppId,
    MicrosoftAppPassword: settings.MicrosoftAppPassword,
    MicrosoftAppTenantId: settings.MicrosoftAppTenantId,
    MicrosoftAppType: settings.MicrosoftAppType,
  });
  const adapter = new CloudAdapter(new KeptClientsAuthentication(auth));
  adapter.onTurnError = async (_ctx, err) => log(`bot: turn failed: ${err.stack ?? err.message}`);
  const outbox = new Outbox(adapter, settings.MicrosoftAppId, log);
  const notices = followNotices(deps, outbox, settings.OVERT_NOTICES_EVERY * 1000, log);

  const handler: Handler = async (req, res) => {
    if (req.url?.split('?')[0] !== '/api/messages') return false;
    if (req.method !== 'POST') {
      problem(res, 405, 'POST an activity to /api/messages');
      return true;
    }
    const text = await readBody(req);
    if (text === undefined) {
      problem(res, 413, `an activity is at most ${MAX_BODY} bytes`);
      return true;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problem(res, 400, 'the body is not JSON');
      return true;
    }
    const envelope = ActivityEnvelope.safeParse(json);
    if (!envelope.success) {
      problem(res, 400, z.prettifyError(envelope.error));
      return true;
    }
    const after: Task[] = [];
    const request: Request = {
      body: json as Record<string, unknown>,
      headers: req.headers as Request['headers'],
      method: 'POST',
    };
    await adapter.process(request, responseFor(res), (ctx) => onTurn(ctx, deps, outbox, after, log));
    outbox.run(after);
    return true;
  };
  return { handler, outbox, adapter, deliverNotices: notices.deliver, stop: notices.stop };
}
