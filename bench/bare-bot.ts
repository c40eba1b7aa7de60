import { createHash } from 'node:crypto';
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
 * SQLite with `synchronous=FULL` and answers the invoke with a static card. With `audited` (for
 * `invokeRatioAudited`), what an approve on the record must do at least: in one transaction, the decision
 * row and an audit row chained to the one before by a SHA-256 of its content and the previous hash, then
 * an answer card built from the decision. Not product code: the bench's yardsticks.
 */
const CARD = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'Approved.' }],
};

export async function startBareBot(
  file: string,
  options: { audited?: boolean } = {},
): Promise<{ url: string; stop: () => Promise<void> }> {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS decisions (id INTEGER PRIMARY KEY, request TEXT NOT NULL, at TEXT NOT NULL)',
  );
  db.exec(
    'CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL)',
  );
  const insert = db.prepare('INSERT INTO decisions (request, at) VALUES (?, ?)');
  const tail = db.prepare('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1');
  const append = db.prepare('INSERT INTO audit (body, prev, hash) VALUES (?, ?, ?)');
  const decide = db.transaction((requestId: string, actor: string, at: string) => {
    const decision = { requestId, outcome: 'approve', by: actor, at };
    const { lastInsertRowid } = insert.run(requestId, at);
    const prev = (tail.get() as { hash: string } | undefined)?.hash ?? '0'.repeat(64);
    const body = JSON.stringify({
      action: 'request.approve',
      actor,
      target: requestId,
      decision: Number(lastInsertRowid),
      at,
    });
    append.run(body, prev, createHash('sha256').update(prev).update(body).digest('hex'));
    return decision;
  });
  const decisionCard = (d: { requestId: string; by: string; at: string }) => ({
    type: 'AdaptiveCard',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: 'Approved', weight: 'Bolder' },
      {
        type: 'FactSet',
        facts: [
          { title: 'Request', value: d.requestId },
          { title: 'By', value: d.by },
          { title: 'When', value: new Date(d.at).toLocaleString('en-GB', { timeZone: 'Europe/London' }) },
        ],
      },
    ],
  });
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
          const at = new Date().toISOString();
          let card: unknown = CARD;
          if (options.audited)
            card = decisionCard(decide(String(data?.requestId ?? ''), ctx.activity.from.id, at));
          else insert.run(String(data?.requestId ?? ''), at);
          await ctx.sendActivity({
            type: ActivityTypes.InvokeResponse,
            value: {
              status: 200,
              body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card },
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
