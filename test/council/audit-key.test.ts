import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PEOPLE, SITE, startCouncil, type Council } from './council';
import { tempDirs } from '../store/temp-dirs';
import { overt } from './overt-run';

/**
 * issue 19 (the walk's finding 1): the `overt` commands and `npm run serve` sign the audit trail with one key.
 * Before, a command run without OVERT_AUDIT_KEY made a key of its own beside the data folder, and the service,
 * given the guide's key, found the trail signed by another and refused every write. Now a command that changes
 * a SharePoint store refuses without OVERT_AUDIT_KEY, and none makes a new key where checkpoints signed with another are kept (as serve refuses to).
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
  const made = await overt(env, 'demo');
  expect({ code: made.status, stderr: made.stderr }).toEqual({ code: 0, stderr: '' });
  // The administrator forgets the key: the command refuses instead of signing with one of its own.
  const r = await overt({ ...env, OVERT_AUDIT_KEY: undefined }, 'jobs', 'run-once', '--wait', '0');
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(
    /^overt: OVERT_AUDIT_KEY: no signing key at .*signing-key\.pem, but checkpoints signed with one are at /,
  );
  expect(existsSync(join(`${data}.audit`, 'signing-key.pem'))).toBe(false);
  // With the key it was made with, the trail verifies.
  const v = await overt(env, 'audit', 'verify', '--data', data);
  expect({ code: v.status, stderr: v.stderr }).toEqual({ code: 0, stderr: '' });
}, 120_000);
