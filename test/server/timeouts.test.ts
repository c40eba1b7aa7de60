import { connect } from 'node:net';
import { start, type Running } from '../../src/server/main';
import { tempDirs } from '../store/temp-dirs';

/**
 * Issue 12, fault 10: uploads that stall were never closed. Both ports now answer a request whose headers
 * or body stop arriving with 408 and close the connection, within the configured bounds.
 */

const dirs = tempDirs('timeouts');
let running: Running;
beforeAll(async () => {
  running = await start(
    {
      OVERT_DATA: dirs.make(),
      OVERT_DEMO: 'off',
      BOT_PORT: '0',
      TAB_PORT: '0',
      OVERT_REQUEST_TIMEOUT_SECONDS: '1.5',
      OVERT_HEADERS_TIMEOUT_SECONDS: '1',
    },
    () => undefined,
  );
}, 60_000);
afterAll(async () => {
  await running.stop();
  dirs.cleanup();
});

/** Sends `data` and then nothing: what the server answers, and how long until it closes the socket. */
function stall(port: number, data: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    let answer = '';
    socket.on('data', (b) => (answer += b.toString()));
    // Cleared once the socket closes: a pending 10 s timer kept Jest from exiting after the run.
    const limit = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept a stalled connection open for 10 s'));
    }, 10_000);
    socket.on('close', () => {
      clearTimeout(limit);
      resolve({ answer, closedAfterMs: Date.now() - startedAt });
    });
    socket.on('error', reject);
  });
}

const ports = () => running.servers.map((s) => (s.address() as { port: number }).port);

describe('stalled requests are closed', () => {
  it('a body that stops arriving at the bot is answered 408 and closed', async () => {
    const r = await stall(
      ports()[0]!,
      'POST /api/messages HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"type":',
    );
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeLessThan(5_000);
  });

  it('a body that stops arriving at the API is closed (answered first: no token, 401)', async () => {
    const r = await stall(
      ports()[1]!,
      'POST /api/v1/review HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"year":',
    );
    expect(r.answer).toMatch(/^HTTP\/1\.1 (401|408)/);
    expect(r.closedAfterMs).toBeLessThan(5_000);
  });

  it.each([0, 1])('headers that stop arriving are answered 408 and closed (port %i)', async (i) => {
    const r = await stall(ports()[i]!, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeLessThan(5_000);
  });

  it('a bad timeout setting stops the start, naming it', async () => {
    await expect(
      start({ OVERT_DATA: dirs.make(), OVERT_REQUEST_TIMEOUT_SECONDS: 'never' }, () => undefined),
    ).rejects.toThrow(/OVERT_REQUEST_TIMEOUT_SECONDS/);
  });
});
