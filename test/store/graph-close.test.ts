import { freshStore, startServer } from './graph-harness';

/**
 * Issue 16: Jest reported an open handle after the server tests. A read the caller had given up on (a
 * /healthz past its second, during a Graph stall) was still under way when the service stopped; it timed
 * out, and then its retries went on connecting to a Graph that had gone. Closing the SharePoint store now
 * abandons what is under way and sends nothing more.
 */
it('closing the SharePoint store abandons the reads under way and sends nothing after', async () => {
  const server = await startServer();
  try {
    const { store } = await freshStore(server, { timeoutMs: 5_000 });
    server.setDelay(60_000);
    const began = Date.now();
    const stalled = store.count('staff');
    stalled.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    await store.close();
    await expect(stalled).rejects.toThrow(/closed/);
    expect(Date.now() - began).toBeLessThan(2_000);
    server.setDelay(0);
    server.resetStats();
    await expect(store.get('staff', 'anyone')).rejects.toThrow(/closed/);
    await new Promise((r) => setTimeout(r, 500));
    expect(server.stats.requests).toBe(0);
  } finally {
    server.setDelay(0);
    await server.stop();
  }
});
