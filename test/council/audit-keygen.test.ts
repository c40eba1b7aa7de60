import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '../../src/server/serve';
import { startCouncil, type Council } from './council';
import { tempDirs } from '../store/temp-dirs';
import { overt } from './overt-run';

/**
 * issue 19: in production the audit trail's signing key is made by a deliberate step, `overt audit keygen`, and
 * never by a start — before, `npm run serve` made one wherever OVERT_AUDIT_KEY pointed, so two instances
 * starting together on a shared folder could each make one. Now a start without the key is refused, naming the
 * command, and makes nothing; two keygens run at once make one key between them; a second keygen refuses to
 * replace it; and the service then starts on it. The infra (infra/azure.bicep) and the README name the same
 * file: /home/overt-audit/signing-key.pem on the web app's shared storage.
 */
const ROOT = join(__dirname, '../..');
const dirs = tempDirs('audit-keygen');
let council: Council;
beforeAll(async () => {
  council = await startCouncil(dirs.make());
}, 60_000);
afterAll(async () => {
  await council.stop();
  dirs.cleanup();
});

it('no start makes the key; two keygens at once make one; then the service starts on it', async () => {
  const data = dirs.make();
  const audit = dirs.make();
  const key = join(audit, 'signing-key.pem');
  const env = {
    ...council.env(data),
    OVERT_STORE: 'sqlite',
    OVERT_AUDIT_KEY: key,
    OVERT_AUDIT_CHECKPOINTS: join(audit, 'checkpoints.jsonl'),
  };
  // Two instances starting together on the shared folder: both refused, naming the step; no key made.
  const starts = await Promise.allSettled([serve(env, () => undefined), serve(env, () => undefined)]);
  for (const s of starts) {
    expect(s.status).toBe('rejected');
    expect(String((s as PromiseRejectedResult).reason)).toContain(
      `OVERT_AUDIT_KEY: no key at ${key}: make it once, before the first start, with overt audit keygen`,
    );
  }
  expect(existsSync(key)).toBe(false);

  // Without the setting, keygen names it.
  const none = await overt({ ...env, OVERT_AUDIT_KEY: undefined }, 'audit', 'keygen');
  expect(none.status).toBe(2);
  expect(none.stderr).toMatch(/^overt: OVERT_AUDIT_KEY: not set: /);

  // Two administrators (or two deploy steps) run keygen at the same moment: one key.
  const both = await Promise.all([overt(env, 'audit', 'keygen'), overt(env, 'audit', 'keygen')]);
  const made = both.filter((r) => r.status === 0);
  const refused = both.filter((r) => r.status !== 0);
  expect(made).toHaveLength(1);
  expect(made[0]!.stdout).toMatch(new RegExp(`^audit signing key made at ${key} \\(key id [0-9a-f]{16}\\)`));
  expect(refused).toHaveLength(1);
  expect(refused[0]!.stderr).toMatch(/^overt: OVERT_AUDIT_KEY: a key is already at .*: keep it/);
  const pem = readFileSync(key, 'utf8');
  expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  // And later: it is never replaced.
  const again = await overt(env, 'audit', 'keygen');
  expect(again.status).toBe(1);
  expect(readFileSync(key, 'utf8')).toBe(pem);

  const running = await serve(env, () => undefined);
  try {
    expect(readFileSync(key, 'utf8')).toBe(pem);
  } finally {
    await running.stop();
  }
}, 120_000);

it('infra and the README tell one story about the key: the same file, made by overt audit keygen', () => {
  const bicep = readFileSync(join(ROOT, 'infra/azure.bicep'), 'utf8');
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const file = /name: 'OVERT_AUDIT_KEY', value: '([^']+)'/.exec(bicep)?.[1];
  expect(file).toBe('/home/overt-audit/signing-key.pem');
  expect(readme).toContain(file);
  expect(readme).toContain('overt audit keygen');
  // No second story: the key is not said to come from Key Vault.
  expect(readme).not.toMatch(/key from Key Vault|signing key[^.]*Key Vault/i);
  expect(readme).not.toMatch(/made there on first start/);
});
