// Graph-shaped error bodies and the response type every handler returns.
import { randomUUID } from 'node:crypto';

export type GraphResponse = {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
};

export const JSON_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function errorBody(code: string, message: string): unknown {
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID() },
    },
  };
}

export function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): GraphResponse {
  return {
    status,
    headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers },
    body: errorBody(code, message),
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): GraphResponse {
  return { status, headers: { 'Content-Type': JSON_CONTENT_TYPE, ...headers }, body };
}

export const badRequest = (message: string): GraphResponse => graphError(400, 'BadRequest', message);
export const invalidRequest = (message: string): GraphResponse => graphError(400, 'invalidRequest', message);
export const notFound = (message: string): GraphResponse => graphError(404, 'itemNotFound', message);

/** Thrown inside handlers for an expected failure; the router turns it into its response. */
export class GraphFailure extends Error {
  constructor(readonly response: GraphResponse) {
    super(`graph-local ${response.status}`);
  }
}

export function fail(response: GraphResponse): never {
  throw new GraphFailure(response);
}
