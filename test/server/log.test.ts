import { createLogger } from '../../src/util/log';

/** issue 16 walk, finding 3: the log's lines as an operator reads them (pino, its own serializer). */
function sink(repeatWindowMs: number) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(
    { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
    { repeatWindowMs },
  );
  return { logger, lines };
}

class GraphUnavailableError extends Error {
  override name = 'GraphUnavailableError';
}

it('an error is logged with its type and stack; identical warnings are folded with a count; others are not', async () => {
  const { logger, lines } = sink(300);
  logger.error(
    { err: new GraphUnavailableError('Graph did not answer in time') },
    'the store did not answer',
  );
  expect(lines[0]).toMatchObject({
    level: 'error',
    err: {
      type: 'GraphUnavailableError',
      message: 'Graph did not answer in time',
      stack: expect.stringMatching(/GraphUnavailableError: Graph did not answer in time\n\s+at /),
    },
  });
  // Something thrown that is not an Error: its message, and not "Object".
  logger.error({ err: { name: 'TypeError', message: 'fetch failed' } }, 'odd');
  expect(lines[1]!.err).toEqual({ type: 'TypeError', message: 'fetch failed' });

  // Five identical warnings (only the request id and duration differ): one line, then one with the count.
  for (let n = 0; n < 5; n++)
    logger.warn({ reqId: `r${n}`, durationMs: n, path: '/api/v1/me' }, 'the store did not answer');
  logger.warn({ path: '/api/v1/dashboard' }, 'the store did not answer'); // other fields: its own line
  logger.info({ path: '/api/v1/me' }, 'http');
  logger.info({ path: '/api/v1/me' }, 'http'); // information is never folded
  expect(lines.slice(2).map((l) => [l.msg, l.path, l.reqId])).toEqual([
    ['the store did not answer', '/api/v1/me', 'r0'],
    ['the store did not answer', '/api/v1/dashboard', undefined],
    ['http', '/api/v1/me', undefined],
    ['http', '/api/v1/me', undefined],
  ]);
  await new Promise((r) => setTimeout(r, 500));
  expect(lines.slice(6)).toEqual([
    expect.objectContaining({
      level: 'warn',
      msg: 'the store did not answer (and 4 more times like it)',
      path: '/api/v1/me',
      repeated: 4,
    }),
  ]);
  // After the window, the same warning is logged again.
  logger.warn({ path: '/api/v1/me' }, 'the store did not answer');
  expect(lines).toHaveLength(8);
});
