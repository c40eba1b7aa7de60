/**
 * A second server process for the race tests: `npm start`'s `start()` on the store named by the environment
 * it is sent (the same SQLite folder or Graph site as the test's own server), on free ports. It answers
 * with its bot port, and stops when told.
 */
import { start } from '../../src/server/main';

process.once('message', (env: Record<string, string>) => {
  void (async () => {
    const running = await start({ ...env, BOT_PORT: '0', TAB_PORT: '0' }, () => undefined);
    const port = (running.servers[0]!.address() as { port: number }).port;
    process.send?.({ port });
    process.once('message', () => {
      void running.stop().finally(() => process.exit(0));
    });
  })().catch((err: unknown) => {
    process.send?.({ error: String(err) }, () => process.exit(1));
  });
});
