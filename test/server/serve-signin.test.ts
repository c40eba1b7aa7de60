import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { startCouncil, TENANT, SSO_CLIENT, type Council } from '../council/council';
import { tempDirs } from '../store/temp-dirs';

/**
 * issue 19 (the walk's finding 3): `npm run serve` with OVERT_TENANT_ID, OVERT_CLIENT_ID and
 * OVERT_CLIENT_SECRET while Entra ID's token endpoint does not answer used to wait for ever, saying nothing.
 * Now the sign-in fails after OVERT_GRAPH_SIGNIN_TIMEOUT_MS (default 30 s), is never retried as a dropped
 * connection, and the start exits 1 naming the settings to check. Run as a process (`dist/`, as
 * `npm run serve` does), with the token endpoint a local port that accepts connections and never answers.
 */
const ROOT = join(__dirname, '../..');
const dirs = tempDirs('serve-signin');
let council: Council;
let silent: Server;
const sockets: Socket[] = [];
let silentUrl: string;
beforeAll(async () => {
  council = await startCouncil(dirs.make());
  silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `https://127.0.0.1:${(silent.address() as { port: number }).port}`;
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await council.stop();
  dirs.cleanup();
});

function serveProcess(env: Record<string, string>) {
  const p = spawn(process.execPath, ['dist/src/server/serve.js'], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const started = Date.now();
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    // Were it to hang as before, the test fails (and the process is stopped) rather than waiting on.
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

it('a sign-in that never answers stops the start within its time, naming the settings', async () => {
  const r = await serveProcess({
    PATH: process.env.PATH ?? '',
    ...council.env(dirs.make()),
    OVERT_TENANT_ID: TENANT,
    OVERT_CLIENT_ID: SSO_CLIENT,
    OVERT_CLIENT_SECRET: 'fictional-graph-secret',
    OVERT_GRAPH_SIGNIN_TIMEOUT_MS: '3000',
    // Entra ID's token endpoint, as the Azure identity library is told where it is: a port that never answers.
    AZURE_AUTHORITY_HOST: silentUrl,
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(
      `^overt: Graph sign-in failed for OVERT_CLIENT_ID ${SSO_CLIENT} in OVERT_TENANT_ID ${TENANT}: no answer from Entra ID within 3 s\\. Check both ids, OVERT_CLIENT_SECRET, `,
    ),
  );
  // Against the local Graph server, the settings it does not need are named.
  expect(r.stderr).toContain(
    'the local Graph server needs no OVERT_TENANT_ID, OVERT_CLIENT_ID or OVERT_CLIENT_SECRET (remove them)',
  );
  // Said once, not once per retry, and no retry of a sign-in as if a connection had dropped.
  expect(r.stderr.match(/Graph sign-in failed/g)).toHaveLength(1);
  expect(r.ms).toBeLessThan(30_000);
}, 90_000);
