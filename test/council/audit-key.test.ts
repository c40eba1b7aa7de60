import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PEOPLE, SITE, startCouncil, type Council } from './council';
import { tempDirs } from '../store/temp-dirs';
import { overt } from './overt-run';
import { openStore } from '../../src/store/open';
import { anchorPaths } from '../../src/store/anchor';
import { bootstrapAdministrator, createDeps } from '../../src/workflow';

/**
 * issue 19 (the walk's finding 1): the `overt` commands and `npm run serve` sign the audit trail with one key.
 * Before, a command run without OVERT_AUDIT_KEY made a key of its own beside the data folder, and the service,
 * given the guide's key, found the trail signed by another and refused every write. Now a command that changes
 * a SharePoint store refuses without OVERT_AUDIT_KEY, and none makes a new key where checkpoints signed with another are kept (as serve refuses to).
 * And no command but `overt audit keygen` makes a key at all: each that touches the trail refuses, naming keygen.
 * Run as `overt` itself, a process.
 */
const dirs = tempDirs('audit-key');
let council: Council;
beforeAll(async () => {
  council = await startCouncil(dirs.make());
}, 60_000);
afterAll(async () => {
  await council.stop();
  dirs.cleanup();
});

it('a command that changes a SharePoint store refuses without OVERT_AUDIT_KEY, naming it, and makes no key', async () => {
  const data = dirs.make();
  const env = { ...council.env(data), OVERT_AUDIT_KEY: undefined };
  const made = await overt(env, 'provision', '--site', SITE);
  expect({ code: made.status, stderr: made.stderr }).toEqual({ code: 0, stderr: '' });
  const r = await overt(env, 'admin', 'init');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/^overt: OVERT_AUDIT_KEY: not set\. .*the same OVERT_AUDIT_KEY as npm run serve/);
  expect(existsSync(`${data}.audit`)).toBe(false);
  // With it, the same command works, and a reading command (no signature) needs no key.
  const withKey = await overt(council.env(data), 'admin', 'init');
  expect({ code: withKey.status, stderr: withKey.stderr }).toEqual({ code: 0, stderr: '' });
  expect(withKey.stdout).toContain(PEOPLE.admin.displayName);
}, 120_000);

it('no command makes a new key where checkpoints signed with another are kept', async () => {
  const data = dirs.make();
  const env = { OVERT_STORE: 'sqlite', OVERT_DATA: data, OVERT_AUDIT_KEY: join(dirs.make(), 'key.pem') };
  const key = await overt(env, 'audit', 'keygen');
  expect({ code: key.status, stderr: key.stderr }).toEqual({ code: 0, stderr: '' });
  const made = await overt(env, 'demo');
  expect({ code: made.status, stderr: made.stderr }).toEqual({ code: 0, stderr: '' });
  // The administrator forgets the key: the command refuses instead of signing with one of its own.
  const r = await overt({ ...env, OVERT_AUDIT_KEY: undefined }, 'jobs', 'run-once', '--wait', '0');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(
    /^overt: OVERT_AUDIT_KEY: no signing key at .*signing-key\.pem, but checkpoints signed with one are at /,
  );
  expect(existsSync(join(`${data}.audit`, 'signing-key.pem'))).toBe(false);
  // A second key made for the same checkpoints is refused: it could not vouch for them (the walk of issue 19:
  // keygen at another path, then a command signed with it, broke the running service's trail).
  const other = join(dirs.make(), 'other.pem');
  const again = await overt({ ...env, OVERT_AUDIT_KEY: other }, 'audit', 'keygen');
  expect(again.status).toBe(1);
  expect(again.stderr).toMatch(
    /checkpoints signed with another key are already at .*: a new key could not vouch/,
  );
  expect(existsSync(other)).toBe(false);
  // A key made for another store, pointed at these checkpoints, writes nothing (the walk: it broke the running
  // service's trail).
  const kept = anchorPaths(data, env).checkpointsFile;
  const elsewhere = {
    ...env,
    OVERT_AUDIT_KEY: other,
    OVERT_AUDIT_CHECKPOINTS: join(dirs.make(), 'cp.jsonl'),
  };
  expect((await overt(elsewhere, 'audit', 'keygen')).status).toBe(0);
  const wrong = await overt(
    { ...env, OVERT_AUDIT_KEY: other, OVERT_AUDIT_CHECKPOINTS: kept },
    'jobs',
    'run-once',
    '--wait',
    '0',
  );
  expect(wrong.status).toBe(2);
  expect(wrong.stderr).toMatch(
    /did not sign the checkpoints at .*: point OVERT_AUDIT_KEY at the key that signed them/,
  );
  // With the key it was made with, the trail verifies.
  const v = await overt(env, 'audit', 'verify', '--data', data);
  expect({ code: v.status, stderr: v.stderr }).toEqual({ code: 0, stderr: '' });
}, 120_000);

it('only overt audit keygen makes a key: every other command that touches the trail refuses, naming it, and writes nothing', async () => {
  // A trail with events and no key anywhere (an unanchored store, as after a lost volume), for `audit adopt`.
  const trail = dirs.make();
  const opened = await openStore({ dataDir: trail, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const deps = createDeps(opened.value);
  expect((await bootstrapAdministrator(deps, { id: 'admin-1', name: 'Ada Admin (fictional)' })).ok).toBe(
    true,
  );
  const events = (await opened.value.audit.list()).length;
  await opened.value.close();
  const caseList = join(dirs.make(), 'case-list.csv');
  writeFileSync(caseList, 'Case reference,Name,Team,Worker\r\n');

  const commands: string[][] = [
    ['demo'],
    ['jobs', 'run-once', '--wait', '0'],
    ['retention', 'run'],
    ['admin', 'init'],
    ['teams', 'add', 'east', '--name', 'East (fictional)', '--as', 'admin-1'],
    ['teams', 'set-profile', 'east', 'kent-ics', '--as', 'admin-1'],
    ['teams', 'list'],
    ['staff', 'add', '--user', PEOPLE.cm1.userPrincipalName, '--role', 'case-manager', '--team', 'east'],
    ['staff', 'list'],
    ['children', 'import', caseList, '--as', 'admin-1'],
    ['children', 'list'],
    ['audit', 'verify'],
  ];
  const runs = await Promise.all(
    commands.map(async (args) => {
      const base = dirs.make();
      const data = join(base, 'data');
      const env = {
        OVERT_STORE: 'sqlite',
        OVERT_DATA: data,
        OVERT_FIRST_ADMIN: PEOPLE.admin.userPrincipalName,
      };
      const r = await overt(env, ...args);
      return { args, r, data, made: readdirSync(base) };
    }),
  );
  for (const { args, r, data, made } of runs) {
    expect({ args, status: r.status }).toEqual({ args, status: 2 });
    expect({ args, stderr: r.stderr }).toEqual({
      args,
      stderr: expect.stringContaining('overt audit keygen'),
    });
    // No key, no checkpoints, no store: nothing at all where the data would be.
    expect({ args, made }).toEqual({ args, made: [] });
    if (args[0] !== 'audit')
      expect(r.stderr).toBe(
        `overt: OVERT_AUDIT_KEY: no audit signing key at ${data}.audit/signing-key.pem. Make it once with overt audit keygen --data ${data}, then run this again: only keygen makes the key, and every command and the service sign with that one. Nothing was changed\n`,
      );
  }
  // `audit adopt` of a trail with no key: refused, naming keygen; no key made, nothing added to the trail.
  const adopt = await overt({ OVERT_DATA: trail }, 'audit', 'adopt', '--by', 'Ada', '--reason', 'moved');
  expect({ status: adopt.status, stderr: adopt.stderr }).toEqual({
    status: 2,
    stderr: `overt: OVERT_AUDIT_KEY: no audit signing key at ${trail}.audit/signing-key.pem: make it first with overt audit keygen --data ${trail}, then adopt the trail with it (only keygen makes a key). Nothing was adopted\n`,
  });
  expect(existsSync(`${trail}.audit`)).toBe(false);
  const after = await openStore({ dataDir: trail, kind: 'sqlite' });
  if (!after.ok) throw new Error(after.error.message);
  expect((await after.value.audit.list()).length).toBe(events);
  await after.value.close();
  // keygen --data then makes it beside the folder, where the commands look; the trail is adopted; they work.
  const keygen = await overt({ OVERT_DATA: trail }, 'audit', 'keygen', '--data', trail);
  expect({ status: keygen.status, stderr: keygen.stderr }).toEqual({ status: 0, stderr: '' });
  expect(keygen.stdout).toMatch(new RegExp(`^audit signing key made at ${trail}\\.audit/signing-key\\.pem `));
  const adopted = await overt({ OVERT_DATA: trail }, 'audit', 'adopt', '--by', 'Ada', '--reason', 'moved');
  expect({ status: adopted.status, stderr: adopted.stderr }).toEqual({ status: 0, stderr: '' });
  const listed = await overt({ OVERT_DATA: trail }, 'teams', 'list');
  expect({ status: listed.status, stderr: listed.stderr }).toEqual({ status: 0, stderr: '' });
}, 300_000);
