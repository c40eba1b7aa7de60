import type { ServerResponse } from 'node:http';
import type { Failure, FailureCode } from '../workflow';

/** Errors as RFC 9457 problem details: a stable type per code, a plain detail, the field at fault. */

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  field?: string;
  /** Every problem of the input, each by its field (the first is `field` and `detail`): a form hears them all
   * at once. */
  errors?: { field: string; detail: string }[];
  clauses?: string[];
}

const STATUS: Record<FailureCode, number> = {
  INVALID_INPUT: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  POLICY_REFUSED: 403,
  ALREADY_DECIDED: 409,
  WRONG_STATE: 409,
  CONFLICT: 409,
};

const TITLE: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

export function problem(status: number, code: string, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `https://overt.invalid/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLE[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

export function fromFailure(f: Failure): Problem {
  const clauses = (f.verdict as { cites?: string[] } | undefined)?.cites;
  const errors = f.problems?.length
    ? f.problems.map((p) => ({ field: p.field, detail: p.message }))
    : f.code === 'INVALID_INPUT' && f.field
      ? [{ field: f.field, detail: f.message.replace(/^[\w.]+: /, '') }]
      : undefined;
  return problem(STATUS[f.code], f.code, f.message, {
    ...(f.field ? { field: f.field } : {}),
    ...(errors ? { errors } : {}),
    ...(clauses ? { clauses: [...clauses] } : {}),
  });
}

export function sendProblem(res: ServerResponse, p: Problem, headers: Record<string, string> = {}): void {
  res.writeHead(p.status, {
    'content-type': 'application/problem+json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(p));
}
