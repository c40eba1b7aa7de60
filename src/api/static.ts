import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/store';
import { AuditTrailBrokenError, changesRefused, TRAIL_BROKEN_SENTENCE } from '../store/integrity';

/**
 * The tab: one HTML page and the esbuild bundle from dist/tab (`npm run build:tab`), same origin as the API.
 * The page carries a strict Content-Security-Policy (scripts from this origin only; framed only by Teams)
 * and, in demo mode, the demo personas to pick from.
 */

function root(): string {
  const up = resolve(__dirname, '..', '..');
  return basename(up) === 'dist' ? resolve(up, '..') : up;
}
export const TAB_DIR = join(root(), 'dist', 'tab');

const FILES: Record<string, string> = {
  '/tab.js': 'application/javascript; charset=utf-8',
  '/tab.js.map': 'application/json; charset=utf-8',
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Griffel (Fluent UI) inserts its style rules at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // teams-js fetches the list of valid Teams domains from Microsoft's CDN.
  "connect-src 'self' https://res.cdn.office.net",
  "object-src 'none'",
  "base-uri 'none'",
  'frame-ancestors https://teams.microsoft.com https://*.teams.microsoft.com https://*.office.com https://*.cloud.microsoft',
].join('; ');

export interface Persona {
  id: string;
  name: string;
  role: string;
}

/** `stopped`: the plain sentence the tab shows instead of itself while the audit trail is broken. */
export function page(personas: Persona[] | null, stopped?: string): string {
  const config = JSON.stringify({
    demo: personas !== null,
    personas: personas ?? [],
    ...(stopped ? { stopped } : {}),
  }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Overt</title>
<link rel="icon" type="image/png" href="/favicon.png">
<script id="overt-config" type="application/json">${config}</script>
</head>
<body style="margin:0">
<noscript>Overt needs JavaScript.</noscript>
<div id="root"></div>
<script src="/tab.js"></script>
</body>
</html>
`;
}

export function staticHandler(store: Store, demo: boolean) {
  return async function serve(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/' || path === '/index.html') {
      // The demo's personas are read from the store: while the audit trail is broken it answers no read,
      // and the page says only that Overt is not taking changes (was the raw 503 JSON, to anyone).
      let personas: Persona[] | null = null;
      let stopped: string | undefined;
      if (demo)
        try {
          personas = (await store.query('staff', {}))
            .map((s) => s.record)
            .filter((s) => s.id.startsWith('demo-'))
            .map((s) => ({ id: s.id, name: s.name, role: s.role }))
            .sort((a, b) => a.id.localeCompare(b.id));
          stopped = changesRefused(store, 'POST');
          if (stopped) personas = [];
        } catch (err) {
          if (!(err instanceof AuditTrailBrokenError)) throw err;
          personas = [];
          stopped = TRAIL_BROKEN_SENTENCE;
        }
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : page(personas, stopped));
      return true;
    }
    if (path === '/favicon.png' || path === '/favicon.ico') {
      // The app's own icon (appPackage/color.png), so the browser's request for one is never a 404.
      res.writeHead(200, {
        'content-type': 'image/png',
        'x-content-type-options': 'nosniff',
        'cache-control': 'max-age=86400',
      });
      res.end(req.method === 'HEAD' ? undefined : readFileSync(join(root(), 'appPackage', 'color.png')));
      return true;
    }
    const type = FILES[path];
    if (!type) return false;
    const file = join(TAB_DIR, path.slice(1));
    if (!existsSync(file)) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('The tab is not built: run `npm run build:tab`.');
      return true;
    }
    res.writeHead(200, {
      'content-type': type,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
    return true;
  };
}
