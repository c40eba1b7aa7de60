/**
 * What `deploy` (m365agents.yml) ships, and what it does to the administrator's checkout (issue 19). A checkout
 * that holds what an administrator leaves there while onboarding — a case list, the SQLite data folder, the
 * audit key and checkpoints beside it (`.data.audit`), env files with secrets, a people file — is staged
 * (scripts/stage-webapp.mjs) as the deploy stage says, then every file the zip would hold is listed by applying
 * `.webappignore` (gitignore syntax, as the Agents Toolkit reads it) to the artifact folder. Nothing of those is
 * shipped; the service's own files are; and no step prunes or deletes anything in the checkout.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import ignore from 'ignore';
import { load } from 'js-yaml';
import { tempDirs } from '../store/temp-dirs';

const dirs = tempDirs('deploy');
afterAll(dirs.cleanup);

const ROOT = resolve(__dirname, '..', '..');

type Step = { uses: string; name?: string; with?: Record<string, string> };
const yml = load(readFileSync(join(ROOT, 'm365agents.yml'), 'utf8')) as { deploy: Step[] };

function put(root: string, file: string, text = 'x') {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), text);
}

/** Every file under `root`, as paths relative to it with forward slashes. */
function files(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(root, p).split(sep).join(posix.sep));
    }
  };
  walk(root);
  return out.sort();
}

/** What the zip would hold: the artifact folder's files that `.webappignore` does not leave out. */
function shipped(artifactFolder: string): string[] {
  const rules = ignore().add(readFileSync(join(ROOT, '.webappignore'), 'utf8'));
  return files(artifactFolder).filter((f) => !rules.ignores(f));
}

/** What an administrator's checkout holds after onboarding, besides the repository's own files. */
const LEFT_BY_THE_ADMINISTRATOR = [
  'case-list.csv',
  'people.json',
  '.data/overt.db',
  '.data/overt.db-wal',
  '.data.audit/signing-key.pem',
  '.data.audit/checkpoints.jsonl',
  'env/.env.prod',
  'env/.env.prod.user',
  'build/appPackage.prod.zip',
  'dist/case-list.csv',
  'exports/audit-2026.csv',
];

const NEVER =
  /(^|\/)(case-list|people|\.data|\.env|signing-key|checkpoints)|\.(csv|pem|db|user|jsonl|map)$|^(src|test|env|exports)\//;

function checkout(): string {
  const root = dirs.make();
  for (const f of ['package.json', 'package-lock.json', '.webappignore', 'scripts/stage-webapp.mjs'])
    cpSync(join(ROOT, f), join(root, f));
  cpSync(join(ROOT, 'appPackage'), join(root, 'appPackage'), { recursive: true });
  // The build's output (a stand-in for `npm run build`: what it writes, not what it compiles).
  for (const f of [
    'dist/src/server/serve.js',
    'dist/src/server/serve.js.map',
    'dist/src/cli/main.js',
    'dist/tab/tab.js',
    'dist/tab/tab.js.map',
    'dist/bench/run.js',
    'dist/tools/graph-local/main.js',
  ])
    put(root, f);
  put(root, 'bin/overt.js');
  put(root, 'src/server/serve.ts');
  put(root, 'test/council/onboard.test.ts');
  put(root, 'node_modules/typescript/package.json', '{}');
  put(root, 'node_modules/better-sqlite3/package.json', '{}');
  for (const f of LEFT_BY_THE_ADMINISTRATOR) put(root, f, 'fictional: must never be shipped');
  return root;
}

describe('deploy: what ships and what is left alone', () => {
  it('ships only the service from a checkout holding a case list, .data.audit and secrets, and prunes nothing there', () => {
    const root = checkout();
    const before = files(root);
    const zip = yml.deploy.find((s) => s.uses === 'azureAppService/zipDeploy')!;
    expect(zip.with).toMatchObject({ artifactFolder: './build/webapp', ignoreFile: './.webappignore' });

    // No step removes packages from, or reinstalls, the checkout without its dev dependencies: the only
    // production install runs in the staged folder.
    const npm = yml.deploy.filter((s) => s.uses === 'cli/runNpmCommand');
    for (const s of npm) {
      const here = !s.with?.['workingDirectory'] || resolve(root, s.with['workingDirectory']) === root;
      if (here)
        expect(`${s.name}: npm ${s.with?.['args']}`).not.toMatch(/prune|omit|uninstall|\brm\b|\bci\b/);
    }
    const production = npm.find((s) => /--omit=dev/.test(s.with?.['args'] ?? ''))!;
    expect(resolve(root, production.with!['workingDirectory']!)).toBe(
      resolve(root, zip.with!['artifactFolder']!),
    );
    // The staging step is the package's own script, run as the toolkit runs it.
    const stage = npm.find((s) => s.name === 'stage')!;
    expect(stage.with!['args']).toBe('run stage:webapp');
    const script = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts['stage:webapp']!;
    expect(script).toBe('node scripts/stage-webapp.mjs');
    execFileSync(process.execPath, ['scripts/stage-webapp.mjs'], { cwd: root });
    const staged = join(root, 'build', 'webapp');
    // `npm ci --omit=dev` there (not run here: it needs the registry) puts production packages in it.
    put(staged, 'node_modules/better-sqlite3/package.json', '{}');

    const zipped = shipped(staged);
    expect(zipped).toEqual([
      'appPackage/color.png',
      'bin/overt.js',
      'dist/src/cli/main.js',
      'dist/src/server/serve.js',
      'dist/tab/tab.js',
      'node_modules/better-sqlite3/package.json',
      'package-lock.json',
      'package.json',
    ]);
    // The staged package is never built again and starts the production service.
    const pkg = JSON.parse(readFileSync(join(staged, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts).toEqual({
      serve: 'node dist/src/server/serve.js',
      start: 'node dist/src/server/serve.js',
    });

    // Pointed at the checkout itself, the allow-list still leaves out everything the administrator left there.
    const fromCheckout = shipped(root);
    expect(fromCheckout.filter((f) => NEVER.test(f))).toEqual([]);
    for (const f of LEFT_BY_THE_ADMINISTRATOR) expect(fromCheckout).not.toContain(f);

    // The checkout has lost nothing: dev dependencies, data, keys and the case list are where they were.
    expect(files(root).filter((f) => !f.startsWith('build/webapp/'))).toEqual(before);
    expect(existsSync(join(root, 'node_modules/typescript/package.json'))).toBe(true);
    expect(readFileSync(join(root, '.data.audit/signing-key.pem'), 'utf8')).toBe(
      'fictional: must never be shipped',
    );
  });

  it('the Docker build context (.dockerignore) leaves out the same things, and holds what the build reads', () => {
    const root = checkout();
    const rules = ignore().add(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    const context = files(root).filter((f) => !rules.ignores(f));
    expect(context.filter((f) => NEVER.test(f) && !f.startsWith('src/') && !f.startsWith('test/'))).toEqual(
      [],
    );
    for (const f of LEFT_BY_THE_ADMINISTRATOR) expect(context).not.toContain(f);
    expect(context).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'src/server/serve.ts', 'bin/overt.js']),
    );
    for (const f of context)
      expect(f).toMatch(
        /^(package(-lock)?\.json|tsconfig(\.build)?\.json|(src|bench|tools|bin|appPackage)\/.*)$/,
      );
  });

  it('staging refuses an unbuilt checkout, naming what is missing', () => {
    const root = dirs.make();
    for (const f of ['package.json', 'package-lock.json', 'scripts/stage-webapp.mjs'])
      cpSync(join(ROOT, f), join(root, f));
    let err = '';
    try {
      execFileSync(process.execPath, ['scripts/stage-webapp.mjs'], { cwd: root, stdio: 'pipe' });
    } catch (e) {
      err = String((e as { stderr: Buffer }).stderr);
    }
    expect(err).toMatch(
      /dist\/src\/server\/serve\.js, dist\/tab\/tab\.js missing in .*: run npm run build first/,
    );
  });
});
