import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../src/server/main';
import { tempDirs } from '../store/temp-dirs';

/**
 * Issue 12, fault 5: demo personas in production. `npm start` forced OVERT_DEMO_AUTH=on, so with
 * `OVERT_DEMO_AUTH=off npm start` a request naming `x-overt-demo-persona: demo-sm` was the service manager.
 * Demo personas now only when the operator asks for the demo (`npm start`, the local demo, unless
 * `OVERT_DEMO_AUTH=off`), never by the service's own default, never beside real sign-in settings (the start
 * is refused, naming both), and the mode is logged at start.
 */

const dirs = tempDirs('sign-in');
afterAll(dirs.cleanup);

const scripts = (
  JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/** Runs a package.json script as npm would (after its build step, which `npm test` has already done). */
function runScript(
  name: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; bot: number; tab: number; out: string[] }> {
  const command = scripts[name]!.replace(/^npm run build && /, '');
  const child = spawn('sh', ['-c', command], {
    cwd: join(__dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const out: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in 60 s:\n${out.join('')}`)), 60_000);
    const seen = (chunk: Buffer) => {
      out.push(chunk.toString());
      const m = /localhost:(\d+) \(bot\), http:\/\/localhost:(\d+) \(tab/.exec(out.join(''));
      if (m) {
        clearTimeout(timer);
        resolve({ child, bot: Number(m[1]), tab: Number(m[2]), out });
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}:\n${out.join('')}`));
    });
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((r) => {
    child.removeAllListeners('exit');
    child.on('exit', () => r());
    process.kill(-child.pid!, 'SIGTERM');
  });

const asPersona = (tab: number) =>
  fetch(`http://localhost:${tab}/api/v1/me`, { headers: { 'x-overt-demo-persona': 'demo-sm' } });

describe('sign-in mode', () => {
  it('`OVERT_DEMO_AUTH=off npm start`: a demo persona is refused (401), and the mode is logged', async () => {
    const s = await runScript('start', {
      OVERT_DEMO_AUTH: 'off',
      OVERT_DEMO: 'off',
      OVERT_DATA: dirs.make(),
      BOT_PORT: '0',
      TAB_PORT: '0',
    });
    try {
      expect(s.out.join('')).toMatch(/sign-in: Teams SSO only.*demo personas off/);
      const res = await asPersona(s.tab);
      expect(res.status).toBe(401);
      const page = await (await fetch(`http://localhost:${s.tab}/`)).text();
      expect(page).not.toMatch(/"demo":true/);
    } finally {
      await stop(s.child);
    }
  }, 90_000);

  it('the service itself, with nothing set, is not the demo', async () => {
    const logs: string[] = [];
    const running = await start(
      { OVERT_DATA: dirs.make(), OVERT_DEMO: 'off', BOT_PORT: '0', TAB_PORT: '0' },
      (s) => logs.push(s),
    );
    try {
      const tab = (running.servers[1]!.address() as { port: number }).port;
      expect((await asPersona(tab)).status).toBe(401);
      expect(JSON.parse(logs[0]!)).toMatchObject({
        level: 'info',
        auth: 'sso',
        msg: expect.stringMatching(/^sign-in: Teams SSO only/),
      });
    } finally {
      await running.stop();
    }
  }, 60_000);

  it('`npm start` asks for the demo: personas work, and the log says so', async () => {
    const s = await runScript('start', { OVERT_DATA: dirs.make(), BOT_PORT: '0', TAB_PORT: '0' });
    try {
      expect(s.out.join('')).toMatch(/sign-in: DEMO personas \(OVERT_DEMO_AUTH=on\)/);
      // The demo's start makes its signing key, as the README says, and its log says so in words.
      expect(s.out.join('')).toMatch(
        /"newKey":true.*audit trail anchored outside the store, with a signing key made now \(only the local demo’s start makes one/,
      );
      const res = await asPersona(s.tab);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: 'demo-sm', role: 'service-manager' });
    } finally {
      await stop(s.child);
    }
  }, 90_000);

  it('`MicrosoftAppId=… MicrosoftAppPassword=… npm start` (OVERT_DEMO_AUTH never set) says what to run instead', async () => {
    // As npm runs it: npm names the script in npm_lifecycle_event; the person set only the bot's sign-in.
    const started = runScript('start', {
      npm_lifecycle_event: 'start',
      OVERT_DATA: dirs.make(),
      BOT_PORT: '0',
      TAB_PORT: '0',
      MicrosoftAppId: '00000000-0000-0000-0000-0000000000bb',
      MicrosoftAppPassword: 'fictional-secret',
    });
    const failed = await started.then(
      async (s) => {
        await stop(s.child);
        throw new Error('it started');
      },
      (e: Error) => e.message,
    );
    expect(failed).toMatch(/^exited [1-9]/);
    expect(failed).toMatch(/`npm start` is the local demo/);
    expect(failed).toMatch(/MicrosoftAppId, MicrosoftAppPassword/);
    expect(failed).toMatch(/For real sign-in run `npm run serve` \(or `OVERT_DEMO_AUTH=off npm start`\)/);
    expect(failed).not.toMatch(/unset OVERT_DEMO_AUTH/);
  }, 90_000);

  it.each([
    ['OVERT_AUTH_AUDIENCE', 'api://overt.example/00000000-0000-0000-0000-0000000000aa'],
    ['OVERT_AUTH_TENANTS', '11111111-1111-1111-1111-111111111111'],
    ['OVERT_AUTH_STAFF_MAP', '{"oid-1":"sm"}'],
    ['MicrosoftAppId', '00000000-0000-0000-0000-0000000000bb'],
  ])('refuses to start with demo personas and %s, naming both', async (setting, value) => {
    const data = dirs.make();
    await expect(
      start(
        { OVERT_DATA: data, BOT_PORT: '0', TAB_PORT: '0', OVERT_DEMO_AUTH: 'on', [setting]: value },
        () => undefined,
      ),
    ).rejects.toThrow(new RegExp(`OVERT_DEMO_AUTH=on.*${setting}`));
  });
});
