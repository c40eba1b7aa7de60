/**
 * A separate process for the SQLite race test: opens the store on the data folder it is given, waits
 * for "go", then commits `attempts` units on one record with the same ifVersion and reports how many
 * committed, conflicted or replayed.
 */
import { openStore } from '../../src/store/open';
import { samples } from './fixtures';

type Go = { dataDir: string; worker: number; attempts: number; ifVersion: string; sharedKey: boolean };

process.once('message', (message: Go) => {
  void (async () => {
    const opened = await openStore({ dataDir: message.dataDir, kind: 'sqlite' });
    if (!opened.ok) throw new Error(opened.error.message);
    const store = opened.value;
    process.send?.({ ready: true });
    await new Promise<void>((resolve) => process.once('message', () => resolve()));
    const tally = { committed: 0, conflict: 0, replayed: 0 };
    const results = await Promise.all(
      Array.from({ length: message.attempts }, (_, i) =>
        store.commit({
          key: message.sharedKey ? 'same-click' : `w${message.worker}-${i}`,
          at: new Date().toISOString(),
          writes: [
            {
              kind: 'request',
              record: { ...samples.request, status: 'approved', decidedBy: `w${message.worker}-${i}` },
              ifVersion: message.ifVersion,
            },
          ],
          audit: [
            {
              actor: { id: `w${message.worker}-${i}` },
              action: 'request.decide',
              target: { kind: 'request', id: samples.request.id },
              outcome: 'allow',
            },
          ],
          result: { by: `w${message.worker}-${i}` },
        }),
      ),
    );
    for (const r of results) tally[r.status] += 1;
    await store.close();
    process.send?.({ tally }, () => process.exit(0));
  })().catch((err: unknown) => {
    process.send?.({ error: String(err) }, () => process.exit(1));
  });
});
