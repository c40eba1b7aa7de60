/**
 * A second server process for the race tests: `npm start`'s `start()` on the store named by the environment
 * it is sent (the same SQLite folder or Graph site as the test's own server), on free ports. It answers
 * with its bot port, and stops when told. Its warnings and errors go to stderr (the parent's), so a failing
 * round shows what this process said, not only a socket closed.
 */
import { start } from '../../src/server/main';

const loud = (line: string) => {
  try {
    if ((JSON.parse(line) as { level?: number }).level! >= 40) process.stderr.write(`[second] ${line}\n`);
  } catch {
    process.stderr.write(`[second] ${line}\n`);
  }
};

process.once('message', (env: Record<string, string>) => {
  void (async () => {
    const running = await start({ ...env, BOT_PORT: '0', TAB_PORT: '0' }, loud);
    const port = (running.servers[0]!.address() as { port: number }).port;
    process.send?.({ port });
    process.once('message', () => {
      void running.stop().finally(() => process.exit(0));
    });
  })().catch((err: unknown) => {
    process.send?.({ error: String(err) }, () => process.exit(1));
  });
});
