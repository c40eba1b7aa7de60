/**
 * A record edited in the live SQLite file of a running service, as the demo's `npm start` runs it (its own
 * process, the fictional demo service made at start, demo personas), with the `sqlite3` shell: a declined request
 * made approved (issue 12 walk, finding 3: `/healthz` stayed ok until someone read the request,
 * about 10 s and more). The service notices another connection's commit by SQLite's `data_version` (read every
 * second) and sweeps every kind of record against the trail: the break is logged, and changes are refused,
 * within a few seconds though nobody asks `/healthz` or reads the request; `/healthz` then says 503.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { sqliteFile } from '../../src/store/open';
import { tempDirs } from '../store/temp-dirs';
import { byMsg, startInstance, type Instance } from './instances';

const dirs = tempDirs('live-record-edit');
afterAll(dirs.cleanup);

/** Found by the service within this, though nobody asks it anything (the watch looks every second). */
const WITHIN_MS = 4_000;

const sqlite3 = (file: string, sql: string) =>
  execFileSync('sqlite3', [file, sql], { encoding: 'utf8' }).trim();

describe('a record edited live with sqlite3 under the demo start', () => {
  let s: Instance | undefined;
  afterEach(async () => {
    if (s && s.child.exitCode === null) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
  });

  it('is found within seconds with nobody reading it: logged, changes refused, /healthz 503', async () => {
    const data = join(dirs.make(), 'data');
    s = await startInstance({ OVERT_DATA: data, OVERT_DEMO: 'auto', OVERT_DEMO_AUTH: 'on' }, 120_000);
    const tab = `http://localhost:${s.ports.tab}`;
    const file = sqliteFile(data);
    expect((await fetch(`${tab}/healthz`)).status).toBe(200);
    // The demo start made its signing key and said so (the README: only it does).
    expect(s.lines.some((l) => l.newKey === true)).toBe(true);

    const id = sqlite3(
      file,
      "SELECT id FROM request WHERE json_extract(body, '$.status') = 'declined' ORDER BY id LIMIT 1",
    );
    expect(id).not.toBe('');
    const events = Number(sqlite3(file, 'SELECT count(*) FROM audit'));
    const from = s.lines.length;
    const editedAt = Date.now();
    sqlite3(file, `UPDATE request SET body = json_set(body, '$.status', 'approved') WHERE id = '${id}'`);

    // Nobody asks /healthz or reads the request: the service finds it itself.
    const line = await s.waitFor(byMsg(/^the audit trail is broken/), WITHIN_MS + 2_000, from);
    const foundMs = Date.now() - editedAt;
    expect(String(line.reason)).toMatch(
      new RegExp(`request ${id} differs from what event \\d+ wrote \\(changed outside Overt\\)`),
    );
    expect(foundMs).toBeLessThan(WITHIN_MS);

    // A change is refused (a member of staff is told; the store takes no unit), and /healthz says so.
    const review = await fetch(`${tab}/api/v1/review`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', 'x-overt-demo-persona': 'demo-admin' },
    });
    expect(review.status).toBe(503);
    expect(await review.json()).toMatchObject({ code: 'AUDIT_TRAIL_BROKEN' });
    const health = await fetch(`${tab}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.text()).not.toContain(id);
    expect(Number(sqlite3(file, 'SELECT count(*) FROM audit'))).toBe(events);
    process.stdout.write(`live record edit found in ${foundMs} ms (bound ${WITHIN_MS} ms)\n`);
  }, 180_000);
});
