// The local Graph lists server: HTTPS on localhost, Graph-shaped errors, bearer token required, fault
// injection on whole requests and inner $batch requests, resource-unit accounting.
import { lookup } from 'node:dns/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { runBatch, validateBatch, type InnerRequest } from './batch';
import type { z } from 'zod';
import { localhostCertificate } from './certificate';
import { DEFAULT_APP_PERMISSIONS, DirectorySeed } from './directory';
import { TeamworkSeed } from './teamwork';
import type { Ctx } from './context';
import { badRequest, graphError, type GraphResponse } from './errors';
import { FaultInjector, type Fault, type FaultSettings, type FaultTarget } from './faults';
import { resourceUnits } from './resource-units';
import { route } from './routes';
import { seedSites } from './sites';
import { loadState, saveState } from './state';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type GraphServerOptions = {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Added to every HTTP request before it is answered. */
  delayMs?: number;
  faultRate?: number;
  faultStatuses?: number[];
  retryAfterSeconds?: number;
  seed?: number;
  faultTarget?: FaultTarget;
  /** Default page size of item queries when the client sends no $top. Graph's is reported as 200. [U] */
  pageSize?: number;
  /** Sites the app has a Sites.Selected grant on, as `host:/path`. Others → 403 accessDenied. */
  grantedSites?: string[];
  /** Further sites that exist but are not granted (resolving them gives 403, unknown ones 404). */
  otherSites?: string[];
  listViewThreshold?: number;
  /** Entra ID users and groups served at /users and /groups (directory.ts). */
  directory?: z.input<typeof DirectorySeed>;
  /** The application permissions granted to the app, as its token's roles (default: what Overt asks for,
   * Sites.Selected, User.Read.All and GroupMember.Read.All). /users and /groups check them (directory.ts). */
  appPermissions?: string[];
  /** Teams apps in the tenant's catalog, users the app is blocked for, installations (teamwork.ts). */
  teamwork?: z.input<typeof TeamworkSeed>;
  /** Optional JSON snapshot: loaded at start if present, written at stop. */
  snapshotPath?: string;
  /** Probability (0..1) that a request's connection is dropped without an answer: half of them before it
   * runs, half after it ran (the answer lost), as a network does. */
  dropRate?: number;
  /** The TLS key and certificate to serve with (PEM); made afresh when not given. A server restarted with
   * the ones it had keeps being trusted by clients that loaded its CA before (main.ts keeps them). */
  certificate?: { key: string; cert: string };
};

export type GraphStats = {
  /** HTTP requests received under /v1.0 with a token (a $batch counts once here). */
  requests: number;
  /** Inner $batch requests. */
  batchItems: number;
  /** Resource units charged (inner batch requests individually; throttled requests too). */
  ru: number;
  /** Requests and inner requests answered with an injected 429/503. */
  throttled: number;
  /** Requests whose connection was dropped on purpose (dropRate). */
  dropped: number;
  byMethod: Record<string, number>;
  byStatus: Record<string, number>;
};

export type GraphServer = {
  url: string;
  ca: string;
  /** The TLS private key (PEM), to start again with the same certificate. */
  key: string;
  stats: GraphStats;
  resetStats(): void;
  setFaults(patch: Partial<FaultSettings>): void;
  /** Changes the delay added to every request from now on. */
  setDelay(ms: number): void;
  /** Changes the rate of dropped connections from now on. */
  setDropRate(rate: number): void;
  stop(): Promise<void>;
};

export const DEFAULT_SITE = 'contoso.sharepoint.com:/sites/overt';

function emptyStats(): GraphStats {
  return { requests: 0, batchItems: 0, ru: 0, throttled: 0, dropped: 0, byMethod: {}, byStatus: {} };
}

function throttledResponse(f: Fault): GraphResponse {
  return f.status === 429
    ? graphError(429, 'TooManyRequests', 'Please retry again later.', { 'Retry-After': f.retryAfter })
    : graphError(
        f.status,
        'serviceNotAvailable',
        'The service is temporarily unavailable. Please retry later.',
        {
          'Retry-After': f.retryAfter,
        },
      );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, r: GraphResponse, clientRequestId: string | undefined): void {
  const headers: Record<string, string> = { ...r.headers, 'request-id': randomUUID() };
  if (clientRequestId) headers['client-request-id'] = clientRequestId;
  res.writeHead(r.status, headers);
  res.end(r.body === undefined ? undefined : JSON.stringify(r.body));
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

export async function startGraphServer(options: GraphServerOptions = {}): Promise<GraphServer> {
  const state = loadState(options.snapshotPath);
  seedSites(state, options.otherSites ?? [], options.grantedSites ?? [DEFAULT_SITE]);
  if (options.directory) state.directory = DirectorySeed.parse(options.directory);
  if (options.teamwork) state.teamwork = TeamworkSeed.parse(options.teamwork);
  const faults = new FaultInjector({
    rate: options.faultRate ?? 0,
    statuses: options.faultStatuses ?? [429, 503],
    retryAfterSeconds: options.retryAfterSeconds ?? 1,
    seed: options.seed ?? 1,
    target: options.faultTarget ?? 'all',
  });
  const stats = emptyStats();
  const delay = { ms: options.delayMs ?? 0 };
  const drops = { rate: options.dropRate ?? 0 };
  const { key, cert } = options.certificate ?? (await localhostCertificate());
  const ctx: Ctx = {
    state,
    settings: {
      pageSize: options.pageSize ?? 200,
      listViewThreshold: options.listViewThreshold ?? 5000,
      appPermissions: options.appPermissions ?? DEFAULT_APP_PERMISSIONS,
    },
    baseUrl: '', // set once the port is known
  };

  const runInner = async (inner: InnerRequest): Promise<GraphResponse> => {
    stats.batchItems += 1;
    bump(stats.byMethod, inner.method);
    const u = new URL(inner.url.startsWith('/') ? inner.url : `/${inner.url}`, 'https://localhost');
    const path = decodeURIComponent(u.pathname);
    stats.ru += resourceUnits(inner.method, path, u.searchParams);
    const fault = faults.decide('batchItem');
    const r = fault
      ? throttledResponse(fault)
      : route(ctx, {
          method: inner.method,
          path,
          query: u.searchParams,
          headers: inner.headers,
          body: inner.body,
        });
    if (fault) stats.throttled += 1;
    bump(stats.byStatus, String(r.status));
    return r;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    const clientRequestId = req.headers['client-request-id'] as string | undefined;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const reply = (r: GraphResponse): void => {
      bump(stats.byStatus, String(r.status));
      send(res, r, clientRequestId);
    };
    if (!url.pathname.startsWith('/v1.0/')) return reply(badRequest('Invalid version: use /v1.0.'));
    const auth = req.headers.authorization ?? '';
    if (!/^Bearer\s+\S+/i.test(auth))
      return reply(graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.'));
    stats.requests += 1;
    bump(stats.byMethod, method);
    const path = decodeURIComponent(url.pathname.slice('/v1.0'.length));
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return reply(
          badRequest(
            'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
          ),
        );
      }
    }
    const isBatch = path === '/$batch';
    // Graph refuses a request body over 4 MB (a $batch counts as one body). [U text]
    if (Buffer.byteLength(text) > MAX_BODY_BYTES)
      return reply(
        graphError(413, 'RequestEntityTooLarge', `The request body exceeds ${MAX_BODY_BYTES} bytes.`),
      );
    if (isBatch) {
      // Each inner request is charged when it runs; a throttled batch is charged for what it carried.
      const valid = validateBatch(body);
      if (typeof valid !== 'string' && faults.current.target !== 'batchItems') {
        const fault = faults.decide('request');
        if (fault) {
          for (const r of valid.requests) {
            const u = new URL(r.url.startsWith('/') ? r.url : `/${r.url}`, 'https://localhost');
            stats.ru += resourceUnits(r.method.toUpperCase(), decodeURIComponent(u.pathname), u.searchParams);
          }
          stats.throttled += 1;
          return reply(throttledResponse(fault));
        }
      }
    } else {
      stats.ru += resourceUnits(method, path, url.searchParams);
      const fault = faults.decide('request');
      if (fault) {
        stats.throttled += 1;
        return reply(throttledResponse(fault));
      }
    }
    if (delay.ms) await new Promise((r) => setTimeout(r, delay.ms).unref());
    const drop =
      drops.rate > 0 && Math.random() < drops.rate ? (Math.random() < 0.5 ? 'before' : 'after') : undefined;
    if (drop === 'before') {
      stats.dropped += 1;
      req.socket.destroy();
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [
        k.toLowerCase(),
        Array.isArray(v) ? v.join(', ') : (v ?? ''),
      ]),
    );
    if (isBatch) {
      if (method !== 'POST') return reply(graphError(405, 'BadRequest', '$batch accepts POST only.'));
      const answer = await runBatch(body, runInner);
      if (drop === 'after') {
        stats.dropped += 1;
        req.socket.destroy();
        return;
      }
      return reply(answer);
    }
    const answer = route(ctx, { method, path, query: url.searchParams, headers, body });
    if (drop === 'after') {
      stats.dropped += 1;
      req.socket.destroy();
      return;
    }
    reply(answer);
  };

  const server: Server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      send(
        res,
        graphError(500, 'generalException', `graph-local: ${e instanceof Error ? e.message : String(e)}`),
        undefined,
      );
    });
  });
  // Bind where `localhost` resolves (::1 or 127.0.0.1), so a client connecting to localhost finds it.
  const { address } = await lookup('localhost');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `https://localhost:${port}`;
  ctx.baseUrl = `${url}/v1.0`;

  return {
    url,
    ca: cert,
    key,
    stats,
    resetStats: () => Object.assign(stats, emptyStats()),
    setFaults: (patch) => faults.set(patch),
    setDelay: (ms) => (delay.ms = ms),
    setDropRate: (rate) => (drops.rate = rate),
    stop: async () => {
      saveState(options.snapshotPath, state);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
