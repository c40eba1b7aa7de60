/* global fetch, setTimeout */
// A probe for docs/RELIABILITY.md ("other side closed" in the soak): does a client (Node's fetch) that
// reuses a keep-alive connection just as a Node server's 5 s keep-alive closes it fail? Two ways to land
// on the edge: the client's event loop busy across the 5 s mark, or the server's busy across it.
// Run: node scripts/keepalive-probe.mjs. Loopback only; about three minutes; prints the tries and failures.
import { fork } from 'node:child_process';
import { stat } from 'node:fs';
import { createServer } from 'node:http';

const busy = (ms) => {
  const t = Date.now();
  while (Date.now() - t < ms);
};

if (process.argv[2] === 'server') {
  const s = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      res.end('ok');
      // The server busy with other work (in an I/O callback) from 2.4 s to 5.6 s after this answer.
      if (req.url === '/busy') setTimeout(() => stat('/', () => busy(3200)), 2400);
    });
  });
  s.listen(0, '127.0.0.1', () => process.send(s.address().port));
} else {
  const child = fork(process.argv[1], ['server']);
  const port = await new Promise((r) => child.once('message', r));
  const url = (path) => `http://127.0.0.1:${port}${path}`;
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  const tally = { clientBusy: { tries: 0, failed: 0 }, serverBusy: { tries: 0, failed: 0 } };
  const second = async (which) => {
    tally[which].tries += 1;
    try {
      await (await fetch(url('/'), { method: 'POST', body: 'y' })).text();
    } catch (err) {
      tally[which].failed += 1;
      console.log(which, 'failed:', err.message, err.cause?.message ?? '');
    }
  };
  for (let ms = 4900; ms <= 5100; ms += 10) {
    await (await fetch(url('/'), { method: 'POST', body: 'x' })).text();
    busy(ms); // the client's event loop busy, as the soak's in-process server makes it
    await second('clientBusy');
    await pause(6000);
  }
  for (let i = 0; i < 10; i++) {
    await (await fetch(url('/busy'), { method: 'POST', body: 'x' })).text();
    await pause(2500);
    await second('serverBusy');
    await pause(4000);
  }
  console.log(JSON.stringify(tally));
  child.kill();
}
