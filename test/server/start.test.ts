import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { start } from '../../src/server/main';
import { sqliteFile } from '../../src/store/open';
import { bootstrapAdministrator } from '../../src/workflow';
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
    // Only overt audit keygen makes the audit signing key (issue 19): made first.
    expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
    const demo = await runCli('demo', '--data', data);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(
      /^demo service created: 3 teams, 16 staff, 40 children, \d+ requests, \d+ checks, \d+ refusals, \d+ audit events\n$/,
    );
    const verify = await runCli('audit', 'verify', '--data', data);
    expect(verify.stdout).toMatch(/^audit chain intact: \d+ events?/);
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

describe('/healthz tells the truth about the audit trail (issue 12 fault 7)', () => {
  it('re-verifies on every call: a live edit is a 503, and from then on the store and the API take no changes', async () => {
    const base = dirs.make();
    const data = join(base, 'data');
    const env = {
      OVERT_DATA: data,
      OVERT_DEMO: 'off',
      OVERT_AUDIT_KEY: join(base, 'anchor', 'key.pem'),
      OVERT_AUDIT_CHECKPOINTS: join(base, 'anchor', 'checkpoints.jsonl'),
      OVERT_DEMO_AUTH: 'on',
      BOT_PORT: '0',
      TAB_PORT: '0',
    };
    const logs: string[] = [];
    const running = await start(env, (l) => logs.push(l));
    try {
      for (const id of ['demo-admin', 'admin2', 'admin3'])
        expect((await bootstrapAdministrator(running.deps, { id, name: `${id} (demo)` })).ok).toBe(true);
      const port = (running.servers[1]!.address() as { port: number }).port;
      const healthz = async () => {
        const res = await fetch(`http://localhost:${port}/healthz`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect(await healthz()).toMatchObject({ status: 200, body: { audit: { ok: true, count: 3 } } });

      // Someone edits event 2 in the live file (dropping the trigger that forbids it).
      const db = new Database(sqliteFile(data));
      db.exec('DROP TRIGGER audit_no_update');
      db.prepare("UPDATE audit SET outcome = 'refused' WHERE seq = 2").run();
      db.close();

      // Anyone may ask /healthz: it says the trail is broken, never which event or why (the log does).
      const broken = await healthz();
      expect(broken).toMatchObject({ status: 503, body: { status: 'degraded', audit: { ok: false } } });
      expect(JSON.stringify(broken.body)).not.toMatch(/event 2|hash|admin/);
      expect(logs.join('\n')).toMatch(/the audit trail is broken at event 2: .*hash does not match/);
      await expect(
        running.store.commit({ key: 'after', at: new Date().toISOString(), writes: [], audit: [] }),
      ).rejects.toThrow(
        /Overt will not write while the audit trail is broken \(at event 2: hash does not match/,
      );
      // Who is asking comes first (the walk's finding 7): a stranger is refused as before, and learns nothing
      // of the trail; a member of staff is told changes are not taken.
      const stranger = await fetch(`http://localhost:${port}/api/v1/review`, { method: 'POST', body: '{}' });
      expect(stranger.status).toBe(401);
      expect(await stranger.text()).not.toMatch(/audit trail/);
      const put = await fetch(`http://localhost:${port}/api/v1/review`, {
        method: 'POST',
        body: '{}',
        headers: { 'x-overt-demo-persona': 'demo-admin' },
      });
      expect(put.status).toBe(503);
      expect(await put.json()).toMatchObject({ code: 'AUDIT_TRAIL_BROKEN' });
      // Still broken on the next call: the state does not flap back.
      expect((await healthz()).status).toBe(503);
    } finally {
      await running.stop();
    }
  }, 60_000);

  it('finds the end of the trail cut while running, and a broken trail at start', async () => {
    const base = dirs.make();
    const data = join(base, 'data');
    const env = {
      OVERT_DATA: data,
      OVERT_DEMO: 'off',
      OVERT_AUDIT_KEY: join(base, 'anchor', 'key.pem'),
      OVERT_AUDIT_CHECKPOINTS: join(base, 'anchor', 'checkpoints.jsonl'),
      BOT_PORT: '0',
      TAB_PORT: '0',
    };
    const first: string[] = [];
    const running = await start(env, (l) => first.push(l));
    const port = (running.servers[0]!.address() as { port: number }).port;
    try {
      for (const id of ['admin', 'admin2'])
        expect((await bootstrapAdministrator(running.deps, { id, name: `${id} (demo)` })).ok).toBe(true);
      expect((await fetch(`http://localhost:${port}/healthz`)).status).toBe(200);
      // The head signed (within a second of the write): a broken trail is never signed, at stop either.
      for (let i = 0; i < 100 && !/"count":2,/.test(readIfAny(env.OVERT_AUDIT_CHECKPOINTS)); i++)
        await new Promise((r) => setTimeout(r, 50));
      const db = new Database(sqliteFile(data));
      db.exec('DROP TRIGGER audit_no_delete');
      db.prepare('DELETE FROM audit WHERE seq = 2').run();
      db.close();
      const res = await fetch(`http://localhost:${port}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ audit: { ok: false } });
      expect(first.join('\n')).toMatch(
        /the audit trail is broken at event 2: event 2, verified before, is gone/,
      );
    } finally {
      await running.stop();
    }
    const logs: string[] = [];
    const again = await start(env, (s) => logs.push(s));
    try {
      expect(logs.join('\n')).toMatch(
        /triggers were missing or altered and have been put back: audit_no_delete/,
      );
      expect(logs.join('\n')).toMatch(
        /the audit trail is broken at event 2: the trail ends at event 1, but a checkpoint .* counts 2 events/,
      );
      const res = await fetch(
        `http://localhost:${(again.servers[0]!.address() as { port: number }).port}/healthz`,
      );
      expect(res.status).toBe(503);
    } finally {
      await again.stop();
    }
  }, 60_000);
});

function readIfAny(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}
