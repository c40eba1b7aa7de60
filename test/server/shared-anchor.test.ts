import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start, type Running } from '../../src/server/main';
import { bootstrapAdministrator } from '../../src/workflow';
import { tempDirs } from '../store/temp-dirs';

/**
 * issue 16: every instance on one store anchors the audit trail in the same place. A second instance started
 * on the same store with another checkpoints file would sign checkpoints nobody else reads, so the trail's end
 * could be cut unseen: it refuses to start, saying why, and writes nothing to the store. One on the same file
 * starts.
 */
const dirs = tempDirs('shared-anchor');
afterAll(() => dirs.cleanup());

it('a second instance on the same store with another checkpoints file refuses to start and says why; one on the same file starts', async () => {
  const data = dirs.make();
  const env = { OVERT_DATA: data, OVERT_DEMO: 'off', BOT_PORT: '0', TAB_PORT: '0' };
  const lines: string[] = [];
  const first: Running = await start(env, (l) => lines.push(l));
  const second: Running[] = [];
  try {
    expect(await bootstrapAdministrator(first.deps, { id: 'admin', name: 'Ada Admin (demo)' })).toMatchObject(
      {
        ok: true,
      },
    );
    const events = async () => (await first.store.audit.list()).length;
    const before = await events();
    // An operator's slip: the second instance's checkpoints file is a new one of its own (touched, as a witness is).
    const other = join(dirs.make(), 'checkpoints.jsonl');
    writeFileSync(other, '');
    const secondLines: string[] = [];
    await expect(
      start({ ...env, OVERT_AUDIT_CHECKPOINTS: other }, (l) => secondLines.push(l)),
    ).rejects.toThrow(
      // The file holds no checkpoint at all, so the start is refused before the note is read: the trail's
      // events are vouched for by no checkpoint there (60ff810, store/open.ts), and nothing is signed over them.
      new RegExp(
        `this store's audit trail has \\d+ events? but no checkpoints here \\(${other.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): point OVERT_AUDIT_CHECKPOINTS`,
      ),
    );
    expect(await events()).toBe(before);
    // On the same checkpoints file (the default beside the data folder), a second instance starts.
    second.push(await start(env, () => undefined));
    expect(
      (await fetch(`http://localhost:${(second[0]!.servers[0]!.address() as { port: number }).port}/healthz`))
        .status,
    ).toBe(200);
  } finally {
    for (const r of second) await r.stop();
    await first.stop();
  }
}, 120_000);

it('a second instance whose checkpoints file lacks the checkpoint the others noted refuses to start, naming the file and the rule, and writes nothing', async () => {
  const data = dirs.make();
  const env = { OVERT_DATA: data, OVERT_DEMO: 'off', BOT_PORT: '0', TAB_PORT: '0' };
  const checkpoints = join(`${data}.audit`, 'checkpoints.jsonl');
  // The first instance: an administrator made, and its checkpoints signed at close.
  let running: Running = await start(env, () => undefined);
  expect(await bootstrapAdministrator(running.deps, { id: 'admin', name: 'Ada Admin (demo)' })).toMatchObject(
    {
      ok: true,
    },
  );
  await running.stop();
  // An operator keeps a copy of the checkpoints file as it is now, and points a second instance at it later.
  const stale = join(dirs.make(), 'checkpoints.jsonl');
  copyFileSync(checkpoints, stale);
  // The first instance runs on: more is written and signed, and its next start notes the newest checkpoint.
  running = await start(env, () => undefined);
  expect(
    await bootstrapAdministrator(running.deps, { id: 'admin-2', name: 'Bo Admin (demo)' }),
  ).toMatchObject({
    ok: true,
  });
  await running.stop();
  running = await start(env, () => undefined);
  try {
    const before = (await running.store.audit.list()).length;
    const staleLines = readFileSync(stale, 'utf8').trim().split('\n').length;
    expect(readFileSync(checkpoints, 'utf8').trim().split('\n').length).toBeGreaterThan(staleLines);
    const lines: string[] = [];
    const refused = start({ ...env, OVERT_AUDIT_CHECKPOINTS: stale }, (l) => lines.push(l));
    await expect(refused).rejects.toThrow(
      new RegExp(
        `^Overt does not start: the checkpoints file ${stale.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not hold the checkpoint another instance of this store noted \\(\\d+ events?, signed at [0-9T:.-]+Z\\): it writes its checkpoints elsewhere; every instance on one store must use the same signing key, checkpoints file and witnesses`,
      ),
    );
    // Nothing written to the store, and nothing signed into the stale file.
    expect((await running.store.audit.list()).length).toBe(before);
    expect(readFileSync(stale, 'utf8').trim().split('\n').length).toBe(staleLines);
    // The instance that shares the anchor still answers.
    const port = (running.servers[0]!.address() as { port: number }).port;
    expect((await fetch(`http://localhost:${port}/healthz`)).status).toBe(200);
  } finally {
    await running.stop();
  }
}, 120_000);
