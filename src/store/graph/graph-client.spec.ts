import { GraphBreaker } from './graph-client';

/**
 * The breaker's probe (issue 16 walk: an instance stayed at 503 for good after a stall). A probe that ends
 * without Graph's answer and without a sign that Graph is down — the client closed, or signing in failed —
 * gives the probe back, so a later request can probe; before, every request after it failed at once for ever.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a probe abandoned (sign-in failed, client closed) lets a later request probe, and an answer closes it', async () => {
  const changes: string[] = [];
  const b = new GraphBreaker(50, (state) => changes.push(state));
  b.unanswered('timeout', 'no answer');
  expect(b.isOpen()).toBe(true);
  expect(() => b.admit()).toThrow(/not answering just now/);
  await sleep(60);
  const probe = b.admit();
  expect(probe).toBe('probe');
  // While it is under way, the others still fail at once.
  expect(() => b.admit()).toThrow(/not answering just now/);
  b.abandoned(probe);
  const next = b.admit();
  expect(next).toBe('probe');
  b.answered();
  expect(b.isOpen()).toBe(false);
  expect(b.admit()).toBe('pass');
  expect(changes).toEqual(['open', 'closed']);
});

it('a request that was not the probe, abandoned, leaves the probe under way alone', async () => {
  const b = new GraphBreaker(20);
  b.unanswered('timeout', 'no answer');
  await sleep(30);
  const probe = b.admit();
  b.abandoned('pass');
  expect(() => b.admit()).toThrow(/not answering just now/);
  b.unanswered('connection', 'fetch failed');
  expect(probe).toBe('probe');
  expect(b.isOpen()).toBe(true);
});
