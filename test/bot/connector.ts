/**
 * A fake Bot Framework connector: the serviceUrl the bot writes to for proactive messages and card updates.
 * It records every activity sent (POST) or updated (PUT) under `/v3/conversations/{id}/activities[/{id}]`
 * and answers with a new message id, as the real connector does.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Sent {
  method: 'POST' | 'PUT';
  conversationId: string;
  /** For a PUT, the message updated; for a POST, the id the connector gave the new message. */
  messageId: string;
  activity: Json;
  /** The size of the request body as received, in bytes. */
  bytes: number;
}

export interface FakeConnector {
  serviceUrl: string;
  sent: Sent[];
  /** Paths it answered with 404 (a conversation that has gone). */
  refused: string[];
  /** Requests answered 429 (throttled), and with 413 (an activity over Teams' size limit). */
  throttled: string[];
  tooLarge: string[];
  /** The next `n` sends or updates are answered 429 with Retry-After `seconds`, as Teams throttles. */
  throttle: (n: number, seconds?: number) => void;
  /** From now on, sends and updates to this conversation are refused as Teams does when the person blocked
   * the bot (403 ConversationBlockedByUser) or the bot is no longer in it (403 BotNotInConversationRoster),
   * or the conversation is gone (404 ConversationNotFound); or, to fail every send there, a message too large
   * (413) or the service failing (500, 503). `unblock` lifts it. */
  block: (conversationId: string, status: 403 | 404 | 413 | 500 | 502 | 503 | 504, code: string) => void;
  unblock: (conversationId: string) => void;
  /** Users with whom a personal chat may not be opened (POST /v3/conversations answers 403). */
  noPersonalChat: Set<string>;
  /** Personal chats the bot opened (POST /v3/conversations): the new conversation's id per user id. */
  opened: Map<string, string>;
  /** When each message was received, per conversation (for the rate limits). */
  times: Map<string, number[]>;
  /** After `after` more sends or updates are taken, the next one is held: not answered and not taken (an
   * instance killed while Teams holds its message). A held request whose client goes away is dropped, as a
   * message the connector never accepted; `release()` takes the ones still held. */
  hold: (after?: number) => void;
  /** The next `n` sends to this conversation are taken (visible, as a message Teams delivered) and yet
   * answered `status` (a 5xx after delivery). */
  takeThenFail: (conversationId: string, n: number, status: 500 | 502 | 503 | 504) => void;
  /** Sends that carried a client activity id already taken in their conversation: the same message asked for
   * again, answered with its id and not shown twice. */
  repeats: Sent[];
  /** Every request to a conversation's activities, as answered: the conversation, the message's client
   * activity id (the same for every attempt at one message) and the status. */
  requests: { method: string; conversationId: string; clientId?: string; status: number }[];
  /** Requests held (their paths), in order. */
  held: string[];
  release: () => void;
  /** The first activity, from `from` on, that matches; waits for it up to `ms`. */
  waitFor: (match: (s: Sent) => boolean, ms?: number, from?: number) => Promise<Sent>;
  close: () => Promise<void>;
}

const PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;

/** Teams refuses a bot's message over about 28 KB (the whole activity as sent) with 413. */
export const MAX_ACTIVITY_BYTES = 28 * 1024;

export async function fakeConnector(): Promise<FakeConnector> {
  const sent: Sent[] = [];
  const refused: string[] = [];
  const throttled: string[] = [];
  const tooLarge: string[] = [];
  const throttling = { left: 0, seconds: 1 };
  const blocked = new Map<string, { status: number; code: string }>();
  const noPersonalChat = new Set<string>();
  const opened = new Map<string, string>();
  const times = new Map<string, number[]>();
  const holding = { after: -1 };
  const held: string[] = [];
  const repeats: Sent[] = [];
  const byClientId = new Map<string, string>();
  const failing = new Map<string, { left: number; status: number }>();
  const waiting = new Set<() => void>();
  const requests: FakeConnector['requests'] = [];
  const server = createServer((req, res) => {
    const asked = PATH.exec(decodeURIComponent(req.url?.split('?')[0] ?? ''));
    const request: FakeConnector['requests'][number] = {
      method: req.method ?? '',
      conversationId: asked?.[1] ?? '',
      status: 0,
    };
    if (asked)
      res.once('finish', () => {
        request.status = res.statusCode;
        requests.push(request);
      });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent(req.url?.split('?')[0] ?? '');
      if (req.method === 'POST' && path === '/v3/conversations') {
        // Opening a personal chat: Teams allows it where the app is installed for the user or their team.
        const params = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { members?: { id: string }[] };
        const user = params.members?.[0]?.id ?? '';
        if (!user || noPersonalChat.has(user)) {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: { code: 'Forbidden', message: 'The bot is not installed for the user' },
            }),
          );
          return;
        }
        const id = `a:opened-${user}`;
        opened.set(user, id);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id }));
        return;
      }
      const m = PATH.exec(path);
      if (!m || (req.method !== 'POST' && req.method !== 'PUT')) {
        refused.push(req.url ?? '');
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      try {
        const clientId = (JSON.parse(body.toString('utf8')) as Json)?.channelData?.clientActivityID;
        if (typeof clientId === 'string') request.clientId = clientId;
      } catch {
        // not JSON: answered below as the connector would
      }
      const gone = blocked.get(m[1]!);
      if (gone) {
        refused.push(req.url ?? '');
        res.writeHead(gone.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { code: gone.code, message: `The conversation refused the bot (${gone.code})` },
          }),
        );
        return;
      }
      if (throttling.left > 0) {
        throttling.left--;
        throttled.push(req.url ?? '');
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(throttling.seconds) });
        res.end(JSON.stringify({ error: { code: 'Throttled', message: 'Too many requests' } }));
        return;
      }
      if (body.length > MAX_ACTIVITY_BYTES) {
        tooLarge.push(req.url ?? '');
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'MessageSizeTooBig', message: 'Message size too big' } }));
        return;
      }
      // A message asked for again by its client activity id: the one already taken, not a second.
      const activity = JSON.parse(body.toString('utf8')) as Json;
      const clientId =
        req.method === 'POST' ? (activity?.channelData?.clientActivityID as string) : undefined;
      const known = clientId ? byClientId.get(`${m[1]}\n${clientId}`) : undefined;
      const fail = failing.get(m[1]!);
      const failNow = req.method === 'POST' && !!fail && fail.left > 0;
      if (failNow) fail!.left--;
      const answer = (messageId: string) => {
        if (failNow) {
          res.writeHead(fail!.status, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ error: { code: 'BadGateway', message: 'The service failed after taking it' } }),
          );
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: messageId }));
      };
      if (known) {
        repeats.push({
          method: 'POST',
          conversationId: m[1]!,
          messageId: known,
          activity,
          bytes: body.length,
        });
        answer(known);
        return;
      }
      const take = () => {
        const messageId = req.method === 'PUT' ? m[2]! : randomUUID();
        if (clientId) byClientId.set(`${m[1]}\n${clientId}`, messageId);
        times.set(m[1]!, [...(times.get(m[1]!) ?? []), Date.now()]);
        sent.push({
          method: req.method as 'POST' | 'PUT',
          conversationId: m[1]!,
          messageId,
          activity,
          bytes: body.length,
        });
        answer(messageId);
      };
      if (holding.after >= 0 && holding.after-- === 0) {
        held.push(req.url ?? '');
        const resume = () => {
          waiting.delete(resume);
          take();
        };
        waiting.add(resume);
        res.once('close', () => waiting.delete(resume));
        return;
      }
      take();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const waitFor = async (match: (s: Sent) => boolean, ms = 8000, from = 0): Promise<Sent> => {
    const until = Date.now() + ms;
    for (;;) {
      const found = sent.slice(from).find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching activity reached the connector in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    serviceUrl: `http://127.0.0.1:${port}/`,
    sent,
    refused,
    throttled,
    tooLarge,
    hold: (after = 0) => (holding.after = after),
    takeThenFail: (conversationId, n, status) => failing.set(conversationId, { left: n, status }),
    repeats,
    requests,
    held,
    release: () => [...waiting].forEach((r) => r()),
    throttle: (n, seconds = 1) => Object.assign(throttling, { left: n, seconds }),
    block: (conversationId, status, code) => blocked.set(conversationId, { status, code }),
    unblock: (conversationId) => blocked.delete(conversationId),
    noPersonalChat,
    opened,
    times,
    waitFor,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** The Adaptive Card an activity carries, if any. */
export const cardOf = (s: Sent): Json => s.activity?.attachments?.[0]?.content;
