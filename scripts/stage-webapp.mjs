// `npm run stage:webapp`: the folder `deploy` (m365agents.yml) installs production dependencies in and
// zip-deploys, build/webapp, made from the built checkout. Only what the service needs is copied: the
// compiled service (dist/src), the tab's bundle (dist/tab), the `overt` command (bin/), the app's icon, and
// the package files, with no `prepare` (the staged folder is never built). The checkout itself is only
// read: its dev dependencies, data folders, case lists and secrets stay where they are, and nothing there
// is pruned. `.webappignore` then allows only the same things into the zip, whatever folder it is given.
// Plain Node (no TypeScript, no dev dependency), so it runs wherever `npm run build` did.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const checkout = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const stage = join(checkout, 'build', 'webapp');

/** What the service needs, relative to the checkout (and to the staged folder). */
export const SHIPPED = ['dist/src', 'dist/tab', 'bin', 'appPackage/color.png', 'package-lock.json'];

const missing = ['dist/src/server/serve.js', 'dist/tab/tab.js', 'package.json', 'package-lock.json'].filter(
  (p) => !existsSync(join(checkout, p)),
);
if (missing.length) {
  process.stderr.write(
    `stage:webapp: ${missing.join(', ')} missing in ${checkout}: run npm run build first\n`,
  );
  process.exit(1);
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const p of SHIPPED)
  cpSync(join(checkout, p), join(stage, p), {
    recursive: true,
    // Source maps are not needed to run, and name the sources.
    filter: (src) => !src.endsWith('.map'),
  });
const pkg = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8'));
// devDependencies stay listed (npm ci checks the lock file against them) but `--omit=dev` leaves them out.
const staged = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  description: pkg.description,
  license: pkg.license,
  engines: pkg.engines,
  bin: pkg.bin,
  scripts: { serve: pkg.scripts.serve, start: pkg.scripts.serve },
  dependencies: pkg.dependencies,
  devDependencies: pkg.devDependencies,
};
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
process.stdout.write(`staged the service in ${stage}\n`);
