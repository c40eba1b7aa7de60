import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
