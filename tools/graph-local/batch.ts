// JSON batching: ≤20 requests, unique ids (case-insensitive), relative urls, Content-Type with a body,
// dependsOn honoured (a failed dependency gives 424), outer status 200 once the payload parses.
import { badRequest, graphError, json, type GraphResponse } from './errors';
import { BatchInput, describe } from './schemas';

export const BATCH_LIMIT = 20;

export type InnerRequest = {
  id: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
};
export type RunInner = (req: InnerRequest) => Promise<GraphResponse>;

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT']);

/** Validate a batch payload; a string is the reason for the 400. */
export function validateBatch(body: unknown): BatchInput | string {
  const parsed = BatchInput.safeParse(body);
  if (!parsed.success) return `Invalid batch payload format. ${describe(parsed.error)}`;
  const { requests } = parsed.data;
  if (requests.length > BATCH_LIMIT) return `Number of batch requests exceeds the maximum of ${BATCH_LIMIT}.`; // text [U]
  const ids = new Set<string>();
  for (const r of requests) {
    const key = r.id.toLowerCase();
    if (ids.has(key)) return `Batch request contains duplicate Id '${r.id}'.`; // text [U]
    ids.add(key);
  }
  for (const r of requests) {
    if (/^[a-z]+:\/\//i.test(r.url)) return `Request id ${r.id}: url must be relative, e.g. /sites/…`;
    const hasType = Object.keys(r.headers ?? {}).some((k) => k.toLowerCase() === 'content-type');
    // Seen verbatim from Graph (pnp/pnpcore comment): a write without body or Content-Type fails the batch.
    if (
      (r.body !== undefined || WRITE_METHODS.has(r.method.toUpperCase())) &&
      (r.body === undefined || !hasType)
    ) {
      return `Write request id : ${r.id} does not contain Content-Type header or body.`;
    }
    for (const d of r.dependsOn ?? []) {
      if (!ids.has(d.toLowerCase())) return `Request id ${r.id} depends on unknown id '${d}'.`;
    }
  }
  return parsed.data;
}

export async function runBatch(body: unknown, runInner: RunInner): Promise<GraphResponse> {
  const valid = validateBatch(body);
  if (typeof valid === 'string') return badRequest(valid);
  const pending = [...valid.requests];
  const status = new Map<string, number>();
  const responses = new Map<
    string,
    { id: string; status: number; headers: Record<string, string>; body?: unknown }
  >();
  while (pending.length > 0) {
    const i = pending.findIndex((r) => (r.dependsOn ?? []).every((d) => status.has(d.toLowerCase())));
    if (i < 0) return badRequest('The dependsOn graph of the batch has a cycle.');
    const r = pending.splice(i, 1)[0]!;
    const failedDep = (r.dependsOn ?? []).some((d) => (status.get(d.toLowerCase()) ?? 0) >= 400);
    let res: GraphResponse;
    if (failedDep) {
      res = graphError(
        424,
        'FailedDependency',
        'The request could not be run because a request it depends on failed.',
      ); // body [U]
    } else {
      const headers = Object.fromEntries(
        Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
      );
      res = await runInner({ id: r.id, method: r.method.toUpperCase(), url: r.url, headers, body: r.body });
    }
    status.set(r.id.toLowerCase(), res.status);
    // Inner header key must be exactly `Content-Type` for the SDK's BatchResponseContent to JSON-encode bodies.
    responses.set(r.id, {
      id: r.id,
      status: res.status,
      headers: res.headers,
      ...(res.body !== undefined ? { body: res.body } : {}),
    });
  }
  return json(200, { responses: valid.requests.map((r) => responses.get(r.id)!) });
}
