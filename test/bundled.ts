import { build, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..');
/** Inside the repository, so that the bundle's `require` of a package finds node_modules from any cwd. */
const OUT = join(ROOT, 'node_modules', '.cache', 'overt-test-bundles');

/**
 * The current sources of one entry (a `.ts` file a test runs as its own process: `overt`, the service, a worker)
 * bundled into one CommonJS file by esbuild (the compiler tsx uses), packages left to node_modules. A child
 * process started from it loads one file instead of tsx compiling and hooking each of our modules: about half
 * the CPU of `node --import tsx` per process. Each module keeps its own `__dirname` (files are found where they
 * are), and only the entry counts as the main module (`require.main === module` elsewhere is false, as it is
 * when that module is imported). Made once per test file (the sources may have changed between runs).
 */
const made = new Map<string, Promise<string>>();
export function bundled(entry: string): Promise<string> {
  const file = join(ROOT, entry);
  let p = made.get(file);
  if (!p) {
    p = bundle(file);
    made.set(file, p);
  }
  return p;
}

async function bundle(entry: string): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const name = relative(ROOT, entry)
    .replace(/[/\\]/g, '+')
    .replace(/\.tsx?$/, '.js');
  const out = join(OUT, name);
  // Written beside, then renamed: another worker may be running the bundle it made of the same entry.
  const partial = `${out}.${process.pid}.${basename(entry)}.partial`;
  const ownModule: Plugin = {
    name: 'own-module',
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, (args) => {
        let contents = readFileSync(args.path, 'utf8').replace(
          /\b__dirname\b/g,
          JSON.stringify(dirname(args.path)),
        );
        if (args.path !== entry) contents = contents.replace(/require\.main === module/g, 'false');
        return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
      });
    },
  };
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    outfile: partial,
    sourcemap: 'inline',
    logLevel: 'error',
    plugins: [ownModule],
  });
  renameSync(partial, out);
  return out;
}
