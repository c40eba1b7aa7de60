/**
 * `POST /api/messages`: the thin HTTP adapter over botbuilder's CloudAdapter. The body is parsed and its
 * envelope checked with zod here (a 400 with the reason otherwise); CloudAdapter authenticates it — unsigned
 * activities are accepted only when no app id is configured, else a missing or bad token is a 401 — and runs
 * the turn. Work for other people runs once the turn has been answered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  type AuthenticateRequestResult,
} from 'botframework-connector';
import { z } from 'zod';
import type { Handler } from '../server/health';
import type { Deps } from '../workflow';
import { StoreUnavailableError } from '../workflow';
import { ActivityEnvelope } from './activity';
import { KeptClientsAuthentication } from './auth';
import { answerFailure, onTurn } from './bot';
import { followNotices } from './notices';
import { installerOf, type GraphPort } from './install';
import { Outbox, type Task } from './outbox';
import { auditRefusal, refusalOf, type Seen } from './identity';
import { unsignedRefusals, type UnsignedKind } from '../workflow/refusals';
import { certificateKey, serviceRuleOf, tabLinkOf, tenantsOf, type BotSettings } from './settings';

const MAX_BODY = 512 * 1024;
/** A Teams activity, card and all, nests some twenty levels; anything past this is not an activity. */
export const MAX_DEPTH = 64;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function problem(res: ServerResponse, status: number, detail: string, retryAfterSeconds?: number): void {
  res.writeHead(status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
    ...(retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) }),
  });
  res.end(JSON.stringify({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail }));
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

/** The sender's id an activity's text claims (`"from": { … "id": "…" }`), read without parsing from its first
 * 64 KB: recorded as claimed, never trusted (nothing proved it). */
function claimedSender(text: string): string | undefined {
  return /"from"\s*:\s*\{[^{}]*?"id"\s*:\s*"([^"\\]{1,100})"/.exec(text.slice(0, 65_536))?.[1];
}

/** How deep the JSON text nests (objects and arrays), scanned without parsing, stopping past `max`. */
export function depthOf(text: string, max = MAX_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 125 || c === 93) depth--;
  }
  return deepest;
}

/**
 * The adapter, entered below its HTTP layer: this endpoint has read the body and checked its envelope, so the
 * activity goes straight to authentication and the turn, and the invoke's answer comes back as a value.
 * (CloudAdapter.process would parse the same body and a response object again, then write through them.)
 */
class Adapter extends CloudAdapter {
  turn(auth: AuthenticateRequestResult, activity: Activity, logic: (ctx: TurnContext) => Promise<void>) {
    return this.processActivity(auth, withDates(activity), logic);
  }
}

/** An activity's times as Dates, the raw text kept beside them (what botbuilder's own HTTP layer does). */
function withDates(activity: Activity): Activity {
  const a = activity as unknown as Record<string, unknown>;
  for (const [field, raw] of [
    ['timestamp', 'rawTimestamp'],
    ['expiration', 'rawExpiration'],
    ['localTimestamp', 'rawLocalTimestamp'],
  ] as const) {
    const value = a[field];
    if (typeof value === 'string') {
      a[raw] = value;
      a[field] = new Date(value);
    }
  }
  return activity;
}

/** The turn's answer: an invoke's body as JSON, a bare status otherwise. */
function answer(res: ServerResponse, status: number, body: unknown): void {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

export interface BotEndpoint {
  handler: Handler;
  outbox: Outbox;
  adapter: CloudAdapter;
  /** Delivers the timers' notices now, rather than at the next tick; how many messages were sent. */
  deliverNotices: () => Promise<number>;
  stop: () => void;
}

/** What only a test gives the endpoint: where the Bot Framework channel's signing keys are published (an
 * OpenID configuration), so that tokens signed by a key set of the test's own are checked exactly as Teams'
 * are. Never read from the environment: the service always trusts Microsoft's. */
export interface BotEndpointTrust {
  channelOpenIdMetadataUrl: string;
}

export function botEndpoint(
  deps: Deps,
  settings: BotSettings,
  log: (s: string) => void = console.log,
  graph?: GraphPort,
  trust?: BotEndpointTrust,
): BotEndpoint {
  const auth = new ConfigurationBotFrameworkAuthentication({
    // Bot Framework's public cloud, whole (one setting given makes the library expect them all), with the
    // channel's key set from where the test publishes its own.
    ...(trust
      ? {
          ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
          ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
          ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
          OAuthUrl: AuthenticationConstants.OAuthUrl,
          ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
          CallerId: CallerIdConstants.PublicAzureChannel,
          ToBotFromChannelOpenIdMetadataUrl: trust.channelOpenIdMetadataUrl,
        }
      : {}),
    MicrosoftAppId: settings.MicrosoftAppId,
    MicrosoftAppPassword: settings.MicrosoftAppPassword,
    MicrosoftAppTenantId: settings.MicrosoftAppTenantId,
    MicrosoftAppType: settings.MicrosoftAppType,
    ...(settings.MicrosoftAppCertificatePath
      ? {
          CertificateThumbprint: settings.MicrosoftAppCertificateThumbprint,
          CertificatePrivateKey: certificateKey(settings),
        }
      : {}),
  });
  const service = serviceRuleOf(settings);
  const authentication = new KeptClientsAuthentication(auth, service);
  const adapter = new Adapter(authentication);
  const tenants = tenantsOf(settings);
  if (!tenants.length)
    log('bot: no tenant is configured (OVERT_BOT_TENANTS or OVERT_AUTH_TENANTS): every activity is refused');
  adapter.onTurnError = async (ctx, err) => {
    // The store not answering is no fault of the turn: the endpoint answers it 503 with Retry-After.
    if (err instanceof StoreUnavailableError) throw err;
    log(`bot: turn failed: ${err.stack ?? err.message}`);
    await answerFailure(ctx, err).catch((e: Error) => log(`bot: the failure was not told: ${e.message}`));
  };
  const outbox = new Outbox(adapter, settings.MicrosoftAppId, log);
  const tab = tabLinkOf(settings);
  const install = installerOf(settings, graph, log);
  if (install) outbox.install = install;
  const notices = followNotices(
    deps,
    outbox,
    settings.OVERT_NOTICES_EVERY * 1000,
    log,
    settings.OVERT_NOTICES_LEASE * 1000,
  );
  outbox.notices = notices.deliver;

  // Refused before anyone is known: counted, one summary event per kind and window (refusals.ts).
  const unsigned = unsignedRefusals(deps, { log });
  const refuseUnsigned = (
    res: ServerResponse,
    kind: UnsignedKind,
    status: number,
    detail: string,
    text?: string,
  ): true => {
    unsigned.note('bot', kind, status, text === undefined ? undefined : claimedSender(text));
    problem(res, status, detail);
    return true;
  };

  const handler: Handler = async (req, res) => {
    if (req.url?.split('?')[0] !== '/api/messages') return false;
    if (req.method !== 'POST') {
      problem(res, 405, 'POST an activity to /api/messages');
      return true;
    }
    const text = await readBody(req);
    if (text === undefined)
      return refuseUnsigned(res, 'too-large', 413, `an activity is at most ${MAX_BODY} bytes`);
    if (depthOf(text) > MAX_DEPTH)
      return refuseUnsigned(res, 'too-deep', 400, `the activity nests deeper than ${MAX_DEPTH} levels`, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return refuseUnsigned(res, 'not-json', 400, 'the body is not JSON', text);
    }
    const envelope = ActivityEnvelope.safeParse(json);
    if (!envelope.success)
      return refuseUnsigned(res, 'not-an-activity', 400, z.prettifyError(envelope.error), text);
    const activity = envelope.data as unknown as Activity;
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await authentication.authenticateRequest(activity, req.headers.authorization ?? '');
    } catch (err) {
      // Whatever fails while a token is checked (a forged signature, `alg: none`, HS256, keys that could not
      // be fetched) means the sender is not authenticated: 401, never the turn's 500. The body says so plainly;
      // what failed (a library's wording, a host that could not be reached) goes to the log only.
      log(`bot: authentication failed: ${(err as Error).message}`);
      return refuseUnsigned(
        res,
        'not-authenticated',
        401,
        err instanceof AuthenticationError
          ? 'the request is not authenticated'
          : 'the request is not authenticated: the sign-in could not be checked',
        text,
      );
    }
    const refused = refusalOf(envelope.data as Seen, tenants, service);
    if (refused) {
      await auditRefusal(deps, envelope.data as Seen, refused);
      log(`bot: refused an activity: ${refused.message}`);
      problem(res, 403, refused.message);
      return true;
    }
    // A broken audit trail is not a 503 here: the store refuses every unit, and the turn answers the person
    // with a card saying Overt has stopped taking changes (bot.ts, failureCard), whatever the verb.
    const after: Task[] = [];
    try {
      const r = await adapter.turn(authenticated, activity, (ctx) =>
        onTurn(ctx, deps, outbox, after, log, settings.OVERT_AUTH_STAFF_MAP, tab),
      );
      answer(res, r?.status ?? 200, r?.body);
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        log(`bot: the store did not answer: ${err.message}`);
        problem(
          res,
          503,
          'the records could not be reached just now: try again shortly',
          err.retryAfterSeconds,
        );
        return true;
      }
      log(`bot: turn failed: ${(err as Error).stack ?? String(err)}`);
      problem(res, 500, 'the turn failed');
      return true;
    }
    outbox.run(after);
    return true;
  };
  return { handler, outbox, adapter, deliverNotices: notices.deliver, stop: notices.stop };
}
