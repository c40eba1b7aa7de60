import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Staff } from '../store/records';
import type { Deps, Failure, Outcome } from '../workflow';
import { FORM_AT_FAULT } from '../workflow/input';
import { changesRefused } from '../workflow';
import type { AuditProjection } from '../workflow/audit-projection';
import type { Caller } from './auth';
import { answerRecorded, unsignedRefusals, type Refused } from '../workflow/refusals';
import { fromFailure, problem, sendProblem, type Problem } from './problem';
import { onlyRoles } from '../vocabulary';

/**
 * A typed table of routes. Each route names its method and path, the roles that may call it (checked
 * against the staff record, never the token), and zod schemas for its query and body; the handler gets the
 * parsed values and calls one workflow function. Bad input is a 400 naming the field, before any work.
 */

export type Role = Staff['role'];
export type Reply =
  | { status?: number; json: unknown }
  | { status?: number; file: Buffer | string; type: string; filename: string };

export interface Ctx<Q, B> {
  deps: Deps;
  projection: AuditProjection;
  staff: Staff;
  params: Record<string, string>;
  query: Q;
  body: B;
  /** The command's idempotency key: the `Idempotency-Key` header, or a fresh one for a read. */
  key: string;
}

export interface Route<Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  roles: readonly Role[] | 'any';
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The largest body this route takes, in bytes (default 256 KB): the case list is larger. */
  maxBody?: number;
  /** Why a body over maxBody is refused, in the words of what it carries (given the request's size). */
  tooLarge?: (bytes: number) => string;
  /**
   * Its command decides who may act on the route's target (a request, an authorisation, an objection) before
   * it reads the form (`parseGiven`): a body or an Idempotency-Key at fault is given to it as the form's
   * problem (`FORM_AT_FAULT`, in the body it is handed), so someone it refuses is told that, never what is
   * wrong with what they sent. Without it, the route's roles are its whole authority (checked first).
   */
  formAfterStanding?: true;
  handle: (ctx: Ctx<Q, B>) => Promise<Reply | Problem>;
}

export const route = <Q = undefined, B = undefined>(r: Route<Q, B>): Route => r as unknown as Route;

/** A workflow outcome as a reply: its value rendered, or its failure as a problem. */
export function reply<T>(o: Outcome<T>, render: (v: T) => Reply = (v) => ({ json: v })): Reply | Problem {
  return o.ok ? render(o.value) : fromFailure(o.error);
}

const isProblem = (r: Reply | Problem): r is Problem => 'type' in r && 'detail' in r && 'code' in r;

/** Query strings: repeated or comma-separated values become arrays where the schema wants one. */
export const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

const MAX_BODY = 256 * 1024;
const KeyHeader = z.string().trim().min(8, 'at least 8 characters').max(200);

async function readBody(
  req: IncomingMessage,
  max = MAX_BODY,
  tooLarge = (_bytes: number) => `the body is over ${max} bytes`,
): Promise<{ ok: true; value: unknown } | { ok: false; problem: Problem }> {
  const type = req.headers['content-type'] ?? '';
  const chunks: Buffer[] = [];
  let size = 0;
  // Refused before it is read when its length is declared, else as soon as it passes the limit.
  const declared = Number(req.headers['content-length']);
  const over = (bytes: number) => ({
    ok: false as const,
    problem: problem(413, 'BODY_TOO_LARGE', tooLarge(bytes)),
  });
  if (declared > max) {
    req.resume();
    return over(declared);
  }
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return over(size);
    chunks.push(chunk as Buffer);
  }
  if (!size) return { ok: true, value: undefined };
  if (!/^application\/json\b/.test(type))
    return {
      ok: false,
      problem: problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'),
    };
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, problem: problem(400, 'INVALID_JSON', 'the body is not valid JSON') };
  }
}

/** The fields an object schema takes (for naming them when a body has others). */
function fieldsOf(schema: z.ZodType | undefined): string[] {
  return schema instanceof z.ZodObject ? Object.keys(schema.shape as object) : [];
}

function invalid(where: 'query' | 'body', error: z.ZodError, schema?: z.ZodType): Problem {
  const issue = error.issues[0]!;
  const field = issue.path.join('.') || undefined;
  // A field the route does not take is named, with the ones it does: never dropped in silence.
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const valid = fieldsOf(schema);
    return problem(
      400,
      'INVALID_INPUT',
      `${field ?? where}: ${keys.length > 1 ? 'these fields are' : 'this field is'} not taken here: ${keys
        .map((k) => `"${k}"`)
        .join(', ')}${valid.length ? `; the fields are ${valid.join(', ')}` : ''}`,
      { field: keys[0]! },
    );
  }
  // Every problem, one per field, so a form hears them all at once.
  const errors: { field: string; detail: string }[] = [];
  for (const x of error.issues) {
    const f = x.path.join('.') || where;
    if (!errors.some((e) => e.field === f)) errors.push({ field: f, detail: x.message });
  }
  // Messages written as sentences for people (the audit export's days) are said as they are, all of them,
  // without a field's name before them.
  const sentences = errors.map((e) => e.detail).filter((d) => /^[A-Z].*\.$/.test(d));
  const detail =
    sentences.length === errors.length ? sentences.join(' ') : `${field ?? where}: ${issue.message}`;
  return problem(400, 'INVALID_INPUT', detail, {
    ...(field ? { field } : {}),
    errors,
  });
}

function compile(path: string): RegExp {
  return new RegExp(`^${path.replace(/:([A-Za-z]+)/g, (_m, n: string) => `(?<${n}>[^/]+)`)}$`);
}

export function router(
  routes: Route[],
  deps: Deps,
  projection: AuditProjection,
  authenticate: (req: IncomingMessage) => Promise<Caller>,
) {
  const table = routes.map((r) => ({ ...r, re: compile(r.path) }));

  /** The answer to one request from a known member of staff: a reply, or a problem (a refusal). */
  async function answer(
    deps: Deps,
    req: IncomingMessage,
    url: URL,
    staff: Staff,
  ): Promise<{ r: Reply | Problem; headers?: Record<string, string>; route?: Route }> {
    const matches = table.map((r) => ({ r, m: r.re.exec(url.pathname) })).filter((x) => x.m);
    if (!matches.length) return { r: problem(404, 'NO_ROUTE', `no route for ${req.method} ${url.pathname}`) };
    const hit = matches.find((x) => x.r.method === req.method);
    if (!hit)
      return {
        r: problem(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`),
        headers: { allow: matches.map((x) => x.r.method).join(', ') },
      };
    const r = hit.r;
    if (r.roles !== 'any' && !r.roles.includes(staff.role))
      return {
        r: problem(403, 'FORBIDDEN', onlyRoles(r.roles)),
        route: r,
      };
    const rawQuery: Record<string, string> = Object.fromEntries(url.searchParams);
    const q = r.query ? r.query.safeParse(rawQuery) : { success: true as const, data: undefined };
    if (!q.success) return { r: invalid('query', q.error), route: r };
    let params: Record<string, string>;
    try {
      params = Object.fromEntries(
        Object.entries(hit.m!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
      );
    } catch {
      return { r: problem(400, 'INVALID_INPUT', 'the path is not validly encoded'), route: r };
    }
    // The body and the key: their first problem, if any, is the form's.
    let body: unknown;
    let raw: unknown;
    let atFault: Problem | undefined;
    let key: string = randomUUID();
    if (req.method !== 'GET') {
      const read = await readBody(req, r.maxBody, r.tooLarge);
      if (!read.ok) atFault = read.problem;
      else {
        raw = read.value;
        const b = r.body ? r.body.safeParse(read.value ?? {}) : { success: true as const, data: undefined };
        if (!b.success) atFault = invalid('body', b.error, r.body);
        else body = b.data;
      }
      const k = KeyHeader.safeParse(req.headers['idempotency-key']);
      if (k.success) key = k.data;
      else
        atFault ??= problem(400, 'INVALID_INPUT', `Idempotency-Key header: ${k.error.issues[0]!.message}`, {
          field: 'Idempotency-Key',
        });
    }
    if (!atFault)
      return { r: await r.handle({ deps, projection, staff, params, query: q.data, body, key }), route: r };
    if (!r.formAfterStanding) return { r: atFault, route: r };
    // Who may act before what they sent: the command is handed what was sent with the problem marked, checks
    // who may act on its target, and only then answers the form's problem (the one found here, as found).
    const form: Failure = {
      code: 'INVALID_INPUT',
      message: atFault.detail,
      ...(atFault.field ? { field: atFault.field } : {}),
      ...(atFault.errors && atFault.errors.length > 1
        ? { problems: atFault.errors.map((e) => ({ field: e.field, message: e.detail })) }
        : {}),
    };
    const sent = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {};
    const answered = await r.handle({
      deps,
      projection,
      staff,
      params,
      query: q.data,
      body: { ...sent, [FORM_AT_FAULT]: form },
      key,
    });
    // A refusal of the person is the answer; the form's own problem is answered as the router found it — or as
    // the command answered it, when that names every problem the router found and more (the rules between
    // fields: a RIPA authorisation's sentence and dates, heard with its empty boxes in one answer).
    const found = new Set((atFault.errors ?? []).map((e) => e.field));
    const more =
      isProblem(answered) &&
      atFault.code === 'INVALID_INPUT' &&
      answered.code === 'INVALID_INPUT' &&
      found.size > 0 &&
      [...found].every((f) => answered.errors?.some((e) => e.field === f));
    return {
      r: isProblem(answered) && (answered.code !== 'INVALID_INPUT' || more) ? answered : atFault,
      route: r,
    };
  }

  /** A refusal as the audit trail keeps it: who, the route asked for, and the problem they were given. */
  const refused = (
    req: IncomingMessage,
    url: URL,
    who: Refused['who'],
    p: Problem,
    route?: Route,
  ): Refused => ({
    who,
    what: {
      action: `api:${req.method ?? '?'} ${route?.path ?? url.pathname}`,
      target: { kind: 'route', id: url.pathname },
    },
    why: { code: p.code, message: p.detail, status: p.status, ...(p.field ? { field: p.field } : {}) },
    via: 'api',
  });

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/v1/')) return false;
    const send = (r: Reply | Problem, headers: Record<string, string> = {}) => {
      if (isProblem(r)) return sendProblem(res, r, headers);
      if ('json' in r) {
        res.writeHead(r.status ?? 200, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        });
        return res.end(JSON.stringify(r.json));
      }
      const body = typeof r.file === 'string' ? Buffer.from(r.file, 'utf8') : r.file;
      res.writeHead(r.status ?? 200, {
        'content-type': r.type,
        'content-length': String(body.length),
        'content-disposition': `attachment; filename="${r.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
    };
    // Who is asking comes first: every refusal after this names them on the audit trail. A 401 names
    // nobody (the token proved nothing) and is not recorded, so strangers cannot fill the trail.
    const caller = await authenticate(req);
    if (!caller.ok) {
      const p = problem(
        caller.status,
        caller.status === 401 ? 'UNAUTHENTICATED' : 'NOT_MAPPED',
        caller.detail,
      );
      if (caller.status === 403 && caller.subject)
        await answerRecorded(
          deps,
          async () => p,
          () => refused(req, url, { id: caller.subject! }, p),
        );
      // A 401 names nobody: counted, one summary event per window (refusals.ts, unsignedRefusals), the
      // persona or token it claimed never trusted.
      if (caller.status === 401) {
        const persona = req.headers['x-overt-demo-persona'];
        unsignedRefusals(deps).note(
          'api',
          'no-sign-in',
          401,
          typeof persona === 'string' ? persona : undefined,
        );
      }
      send(p, caller.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
      return true;
    }
    const found = await deps.store.get('staff', caller.staffId);
    if (!found) {
      const p = problem(403, 'UNKNOWN_STAFF', `"${caller.staffId}" is not a member of staff known to Overt`);
      await answerRecorded(
        deps,
        async () => p,
        () => refused(req, url, { id: caller.staffId }, p),
      );
      send(p);
      return true;
    }
    const staff = found.record;
    const stopped = changesRefused(deps, req.method);
    if (stopped) {
      sendProblem(res, problem(503, 'AUDIT_TRAIL_BROKEN', stopped));
      return true;
    }
    const a = await answerRecorded(
      deps,
      (d) => answer(d, req, url, staff),
      (x) =>
        isProblem(x.r) && x.r.status < 500
          ? refused(req, url, { id: staff.id, role: staff.role }, x.r, x.route)
          : undefined,
    );
    send(a.r, a.headers);
    return true;
  };
}
