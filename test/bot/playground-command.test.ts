/**
 * `npm run playground` talks to the bot where `npm start` put it: `BOT_PORT` (as the README says), or
 * `-- --port N`, or a whole `BOT_ENDPOINT`; a port that is not one is refused with its name (issue 13).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { playgroundCommand } from '../../scripts/playground';

const endpointOf = (args: string[]) => args[args.indexOf('-e') + 1];

describe('npm run playground: the bot it talks to', () => {
  it('follows BOT_PORT', () => {
    const c = playgroundCommand([], { BOT_PORT: '4131' });
    expect(c.bot).toBe('http://127.0.0.1:4131/api/messages');
    expect(endpointOf(c.args)).toBe('http://127.0.0.1:4131/api/messages');
  });

  it('takes --port over BOT_PORT and BOT_ENDPOINT, and BOT_ENDPOINT over BOT_PORT', () => {
    expect(
      endpointOf(playgroundCommand(['--as', 'team-manager', '--port', '4132'], { BOT_PORT: '4131' }).args),
    ).toBe('http://127.0.0.1:4132/api/messages');
    expect(
      playgroundCommand([], { BOT_PORT: '4131', BOT_ENDPOINT: 'http://10.0.0.5:9000/api/messages' }).bot,
    ).toBe('http://10.0.0.5:9000/api/messages');
  });

  it('uses 3978, the default of npm start, when nothing is set', () => {
    expect(playgroundCommand([], {}).bot).toBe('http://127.0.0.1:3978/api/messages');
  });

  it('refuses a port that is not one, naming where it came from', () => {
    expect(() => playgroundCommand([], { BOT_PORT: 'abc' })).toThrow(/BOT_PORT: a port number/);
    expect(() => playgroundCommand(['--port', '70000'], {})).toThrow(/--port: a port number/);
  });

  it('is what the npm script runs, and the README says so', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    expect(pkg.scripts.playground).toBe('tsx scripts/playground.ts');
    expect(readFileSync(join(__dirname, '../../README.md'), 'utf8')).toMatch(
      /BOT_PORT=\d+ npm run playground/,
    );
  });
});

describe('npm run playground: the port of its own page', () => {
  it('takes --playground-port or PLAYGROUND_PORT, and passes it to the Playground as -p', () => {
    const c = playgroundCommand(['--port', '4220', '--playground-port', '4221'], {});
    expect(c.bot).toBe('http://127.0.0.1:4220/api/messages');
    expect(c.args.slice(c.args.indexOf('-p'), c.args.indexOf('-p') + 2)).toEqual(['-p', '4221']);
    expect(playgroundCommand([], { PLAYGROUND_PORT: '4222' }).args).toEqual(
      expect.arrayContaining(['-p', '4222']),
    );
    expect(playgroundCommand([], {}).args).not.toContain('-p');
    expect(() => playgroundCommand(['--playground-port', 'eighty'], {})).toThrow(
      /--playground-port: a port number from 1 to 65535, not "eighty"/,
    );
  });
});

describe('npm run playground -- --help', () => {
  it('prints its usage and exits, starting nothing (issue 13 walk 13b, finding 7)', () => {
    const r = spawnSync(
      process.execPath,
      [require.resolve('tsx/cli'), join(__dirname, '../../scripts/playground.ts'), '--help'],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, BOT_PORT: '4219' } },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^Usage: npm run playground -- \[--as ROLE\] \[--port N\] \[--playground-port N\]/,
    );
    expect(r.stdout).toMatch(/--playground-port N/);
    expect(r.stdout).not.toMatch(/Agents Playground as/);
  }, 30_000);
});
