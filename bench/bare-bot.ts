import { createServer, type Server } from 'node:http';
import Database from 'better-sqlite3';
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Response,
} from 'botbuilder';

/**
 * The least any correct approve must do, for `invokeRatio`: a bare botbuilder bot that commits one row to
 * SQLite with `synchronous=FULL` and answers the invoke with a static card. Not product code: the
 * bench's yardstick.
 */
const CARD = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'Approved.' }],
};

export async function startBareBot(file: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS decisions (id INTEGER PRIMARY KEY, request TEXT NOT NULL, at TEXT NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO decisions (request, at) VALUES (?, ?)');
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let status = 200;
      let body: unknown;
      const response: Response = {
        socket: res.socket,
        status: (code: unknown) => (status = Number(code)),
        header: () => undefined,
        send: (b: unknown) => (body = b),
        end: () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(body === undefined ? undefined : JSON.stringify(body));
        },
      };
      void adapter.process(
        {
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          headers: req.headers as never,
          method: 'POST',
        },
        response,
        async (ctx) => {
          if (ctx.activity.type !== ActivityTypes.Invoke) return;
          const data = (ctx.activity.value as { action?: { data?: { requestId?: string } } }).action?.data;
          insert.run(String(data?.requestId ?? ''), new Date().toISOString());
          await ctx.sendActivity({
            type: ActivityTypes.InvokeResponse,
            value: {
              status: 200,
              body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: CARD },
            },
          });
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      db.close();
    },
  };
}
