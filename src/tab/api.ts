/**
 * The tab's client for /api/v1: every request carries the Teams SSO token, or, in the demo, the persona
 * chosen; failures come back as problem details, shown as plain text.
 */

export interface Problem {
  status: number;
  title: string;
  detail: string;
  /** The reason as the service sent it, quoted values kept: for a view whose quoted values are the person's
   * own input (a case list's rows), never ids. */
  sent?: string;
  field?: string;
  /** The service's code for the problem (never shown): lets a view choose its own words. */
  code?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problem: Problem };

export interface Auth {
  headers: () => Promise<Record<string, string>>;
}

import { plainDetail } from '../vocabulary';

const newKey = () => crypto.randomUUID();

/** What each kind of answer means to the person, in plain words (never "Forbidden" or "Conflict"). */
const TITLES: Record<number, string> = {
  400: 'Please check what you entered',
  401: 'Please sign in again',
  403: 'Not open to you',
  404: 'Not found',
  405: 'Not possible here',
  409: 'This has changed',
  413: 'Too large to send',
  415: 'Not possible here',
  429: 'Too many requests: try again shortly',
};
/** The title of every answer while the audit trail is broken (its detail is the service's plain sentence). */
export const STOPPED_TITLE = 'Overt is not taking changes';
const titleOf = (status: number) =>
  TITLES[status] ?? (status >= 500 ? 'Something went wrong: try again shortly' : 'That did not work');

async function problemOf(res: Response): Promise<Problem> {
  try {
    const p = (await res.json()) as Partial<Problem>;
    return {
      status: res.status,
      title: p.code === 'AUDIT_TRAIL_BROKEN' ? STOPPED_TITLE : titleOf(res.status),
      detail: p.detail ? plainDetail(p.detail) : titleOf(res.status),
      ...(p.detail ? { sent: p.detail } : {}),
      ...(p.field ? { field: p.field } : {}),
      ...(p.code ? { code: p.code } : {}),
    };
  } catch {
    return { status: res.status, title: titleOf(res.status), detail: 'Please try again.' };
  }
}

export function client(auth: Auth) {
  async function call<T>(method: string, path: string, body?: unknown): Promise<Result<T>> {
    try {
      const res = await fetch(path, {
        method,
        headers: {
          ...(await auth.headers()),
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': newKey() }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) return { ok: false, problem: await problemOf(res) };
      return { ok: true, value: (await res.json()) as T };
    } catch {
      return {
        ok: false,
        problem: {
          status: 0,
          title: 'Overt could not be reached',
          detail: 'Check the connection and try again.',
        },
      };
    }
  }

  /** Downloads a file, reporting progress (0–1, or null while the size is unknown), and saves it. */
  async function download(
    path: string,
    onProgress: (p: number | null) => void,
  ): Promise<Result<{ name: string; bytes: number }>> {
    try {
      const res = await fetch(path, { headers: await auth.headers() });
      if (!res.ok || !res.body) return { ok: false, problem: await problemOf(res) };
      const total = Number(res.headers.get('content-length')) || 0;
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
      const reader = res.body.getReader();
      const parts: Uint8Array[] = [];
      let got = 0;
      onProgress(total ? 0 : null);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        got += value.length;
        onProgress(total ? got / total : null);
      }
      const url = URL.createObjectURL(
        new Blob(parts as BlobPart[], { type: res.headers.get('content-type') ?? '' }),
      );
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      onProgress(1);
      return { ok: true, value: { name, bytes: got } };
    } catch {
      return {
        ok: false,
        problem: {
          status: 0,
          title: 'Overt could not be reached',
          detail: 'Check the connection and try again.',
        },
      };
    }
  }

  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
    put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
    download,
  };
}
export type Client = ReturnType<typeof client>;
