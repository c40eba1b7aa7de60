import { writeFileSync } from 'node:fs';
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
        `this store's audit trail has \\d+ events but no checkpoints here \\(${other.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): point OVERT_AUDIT_CHECKPOINTS`,
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
