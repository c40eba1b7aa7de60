import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `npm run build:tab`: the tab bundled by esbuild into dist/tab/tab.js (one file, minified, with a map). */

export const TAB_OUT = resolve(__dirname, '..', '..', 'dist', 'tab');

export async function buildTab(): Promise<{ bytes: number; gzipBytes: number }> {
  await build({
    entryPoints: [join(__dirname, 'main.tsx')],
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['chrome120', 'edge120', 'safari16', 'firefox120'],
    platform: 'browser',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    outfile: join(TAB_OUT, 'tab.js'),
    legalComments: 'linked',
    logLevel: 'warning',
  });
  const js = readFileSync(join(TAB_OUT, 'tab.js'));
  return { bytes: js.length, gzipBytes: gzipSync(js, { level: 9 }).length };
}

if (require.main === module)
  buildTab().then(
    (r) =>
      console.log(
        `dist/tab/tab.js: ${(r.bytes / 1024).toFixed(0)} KB, ${(r.gzipBytes / 1024).toFixed(0)} KB gzipped`,
      ),
    (err: Error) => {
      console.error(err.message);
      process.exit(1);
    },
  );
