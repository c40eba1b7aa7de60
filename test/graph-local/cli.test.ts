import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * issue 19 (a newcomer administrator): `npm run graph:local -- --help` started the server (every flag it did
 * not know was ignored); now it prints its options and exits, an unknown option is refused naming the nearest,
 * and the README names --port. Run as the README runs it, the built file.
 */
const ROOT = join(__dirname, '../..');
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/tools/graph-local/main.js', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
  });

it('--help prints every option and exits 0, starting nothing', () => {
  const r = run('--help');
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  for (const option of ['--port <n>', '--site', '--ca-file', '--snapshot', '--directory', '--permissions'])
    expect(r.stdout).toContain(option);
  expect(r.stdout).toContain('(default: 53100)');
  expect(r.stdout).not.toContain('listening');
});

it('an unknown option is refused, naming the one meant, and nothing starts', () => {
  const r = run('--prot', '53199');
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("error: unknown option '--prot'\n(Did you mean --port?)");
  expect(r.stdout).not.toContain('listening');
  expect(run('--port', 'x').stderr).toContain('port must be a non-negative number');
});

it('the README says how to choose the port', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  expect(readme).toMatch(/npm run graph:local -- --port \d+/);
  expect(readme).toContain('npm run graph:local -- --help');
});

it('a port browsers and fetch refuse (4190) is refused with the reason, and nothing starts', () => {
  for (const r of [
    run('--port', '4190'),
    spawnSync(process.execPath, ['dist/tools/graph-local/main.js'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, GRAPH_LOCAL_PORT: '4190' },
    }),
  ]) {
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("port 4190 is one that browsers and Node's fetch refuse to connect to");
    expect(r.stdout).not.toContain('listening');
  }
  // The service's own ports are checked as its settings are read: it says which setting, and does not start.
  const service = spawnSync(process.execPath, ['dist/src/server/main.js'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, TAB_PORT: '6667', OVERT_DATA: join(ROOT, '.data-never-made') },
  });
  expect(service.status).not.toBe(0);
  expect(service.stdout + service.stderr).toMatch(
    /port 6667 is one that browsers[^\n]*\\n {2}→ at TAB_PORT|port 6667 is one that browsers[\s\S]*TAB_PORT/,
  );
});

it('restarted with the same CA file, it serves the same certificate, so a service that loaded it still trusts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'graph-local-cert-'));
  const caFile = join(dir, 'ca.pem');
  const startOnce = async () => {
    const child = spawn(
      process.execPath,
      ['dist/tools/graph-local/main.js', '--port', '0', '--ca-file', caFile],
      {
        cwd: ROOT,
      },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    while (!/CA certificate written/.test(out)) await new Promise((r) => setTimeout(r, 50));
    const ca = readFileSync(caFile, 'utf8');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    return { out, ca };
  };
  try {
    const first = await startOnce();
    expect(statSync(`${caFile}.key`).mode & 0o777).toBe(0o600);
    const second = await startOnce();
    expect(second.ca).toBe(first.ca);
    expect(second.out).toContain('the same as at its last start');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
