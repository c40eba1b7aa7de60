import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bundled } from '../bundled';

const ROOT = join(__dirname, '../..');

/**
 * Runs `overt` (test/cli/overt-process.ts) as a process from the repository's root with only PATH, HOME and
 * `env` set (a value of undefined leaves that setting out). Not spawnSync: the local Graph server answers from
 * this process. Resolves with the exit status and everything printed.
 */
export function overt(env: Record<string, string | undefined>, ...args: string[]) {
  return overtIn(ROOT, env, ...args);
}

/** `overt` as above, run from the folder `cwd` (relative paths on its command line are read from there). */
export async function overtIn(cwd: string, env: Record<string, string | undefined>, ...args: string[]) {
  const clean = Object.fromEntries(
    Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }).filter(
      (e): e is [string, string] => e[1] !== undefined,
    ),
  );
  // The current sources, bundled (test/bundled.ts): it runs from a folder outside the repository too.
  const p = spawn(process.execPath, [await bundled('test/cli/overt-process.ts'), ...args], {
    cwd,
    env: clean,
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    p.once('close', (status) => resolve({ status, stdout, stderr })),
  );
}
