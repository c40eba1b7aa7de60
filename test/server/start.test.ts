import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../src/server/main';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from '../cli/run';

const dirs = tempDirs('service');
afterAll(dirs.cleanup);

describe('npm start', () => {
  it('on an empty data folder creates the demo service, serves /healthz on both ports, and runs the timers', async () => {
    const data = dirs.make();
    const logs: string[] = [];
    const running = await start({ OVERT_DATA: data, BOT_PORT: '0', TAB_PORT: '0' }, (s) => logs.push(s));
    try {
      const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]).toMatchObject({
        level: 'info',
        auth: 'sso',
        msg: expect.stringMatching(/^sign-in: Teams SSO only/),
      });
      expect(lines[1]).toMatchObject({
        level: 'info',
        msg: 'starting',
        store: 'sqlite',
        auth: { api: 'sso' },
      });
      expect(lines[2]!.msg).toMatch(/^creating the fictional demo service/);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'demo service created', teams: 3, children: 40 }),
      );
      for (const server of running.servers) {
        const port = (server.address() as { port: number }).port;
        const res = await fetch(`http://localhost:${port}/healthz`);
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ status: 'ok', staff: 16, audit: { ok: true } });
        const missing = await fetch(`http://localhost:${port}/nowhere`);
        expect(missing.status).toBe(404);
        expect(missing.headers.get('content-type')).toMatch(/json/);
      }
    } finally {
      await running.stop();
    }
    // A second start on the same folder keeps the service as it is.
    const again = await start({ OVERT_DATA: data, BOT_PORT: '0', TAB_PORT: '0' }, () => undefined);
    expect((await again.store.count('child'))[0]!.count).toBe(40);
    await again.stop();
  }, 60_000);

  it('does not start on a bad custom profile, naming the file and the problem', async () => {
    const file = join(dirs.make(), 'ours.json');
    writeFileSync(file, JSON.stringify({ id: 'ours', rules: [] }));
    await expect(
      start(
        { OVERT_DATA: dirs.make(), OVERT_PROFILE_FILES: file, BOT_PORT: '0', TAB_PORT: '0' },
        () => undefined,
      ),
    ).rejects.toThrow(new RegExp(`^${file}: invalid profile`));
  });

  it('does not start on a bad setting, naming it', async () => {
    await expect(
      start({ OVERT_DATA: dirs.make(), OVERT_STORE: 'postgres' }, () => undefined),
    ).rejects.toThrow(/OVERT_STORE/);
  });
});

describe('overt demo, audit verify and jobs run-once', () => {
  it('create a fictional service whose audit chain verifies, and refuse a second demo in the same folder', async () => {
    const data = dirs.make();
    const demo = await runCli('demo', '--data', data);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(
      /^demo service created: 3 teams, 16 staff, 40 children, \d+ requests, \d+ checks, \d+ refusals, \d+ audit events\n$/,
    );
    const verify = await runCli('audit', 'verify', '--data', data);
    expect(verify.stdout).toMatch(/^audit chain intact: \d+ events/);
    expect(verify.code).toBe(0);
    const again = await runCli('demo', '--data', data);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds a service/);
    const jobs = await runCli(
      'jobs',
      'run-once',
      '--data',
      data,
      '--now',
      new Date(Date.now() + 10 * 86_400_000).toISOString(),
    );
    expect(jobs.code).toBe(0);
    expect(jobs.stdout).toMatch(/^\d+ expired, \d+ notices\n/);
  }, 60_000);
});

describe('settings', () => {
  it('the workflow takes its timings and the tenant profile from the environment', async () => {
    const { loadConfig, workflowSettings } = await import('../../src/config');
    const c = loadConfig({ OVERT_DECIDE_WITHIN_DAYS: '3', OVERT_DEFAULT_PROFILE: 'kent-ics' });
    expect(c.ok && workflowSettings(c.value)).toEqual({
      defaultProfileId: 'kent-ics',
      decideWithinDays: 3,
      recordWithinDays: 14,
      escalateAfterHours: 48,
    });
    const bad = loadConfig({ OVERT_DECIDE_WITHIN_DAYS: 'soon' });
    expect(!bad.ok && bad.message).toMatch(/OVERT_DECIDE_WITHIN_DAYS/);
  });
});
