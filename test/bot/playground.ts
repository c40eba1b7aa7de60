/**
 * Drives the Microsoft 365 Agents Playground headlessly (../shared/PLAYGROUND.md): started once per file on
 * a free port with a config of exactly five users mapped to demo staff ids, offline, no browser; messages and
 * invokes through its HTTP API, the bot's messages from its websocket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { BOT_ID, TENANT, playgroundConfig } from '../../scripts/playground';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export type Frame = { action: string; actionConversationId: string; message: Json };

export { TENANT, BOT_ID };
export const PERSONAL = 'personal-demo-cm-north-1';
export const GROUP = 'group-north-demo';

/** The config `npm run playground` uses, as the case manager, with the people these tests need. */
const config = () =>
  playgroundConfig('case-manager', [
    'team-manager',
    'second-case-manager',
    'authorised-officer',
    'information-governance',
    'other-team-manager',
  ]);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export interface Playground {
  base: string;
  frames: Frame[];
  waitFrame: (pred: (f: Frame) => boolean, ms?: number) => Promise<Frame>;
  /** Posts a message as a member; its id in the conversation. */
  message: (conversationId: string, from: string, text: string, mentionBot?: boolean) => Promise<string>;
  invoke: (
    conversationId: string,
    from: string,
    replyToId: string,
    verb: string,
    data: Json,
  ) => Promise<Json>;
  custom: (activity: Json) => Promise<void>;
  stop: () => Promise<void>;
}

export async function startPlayground(botUrl: string): Promise<Playground> {
  const dir = mkdtempSync(join(tmpdir(), 'overt-playground-'));
  writeFileSync(join(dir, '.m365agentsplayground.yml'), config()); // YAML is a superset of JSON
  const port = await freePort();
  const bin = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const child: ChildProcess = spawn(
    process.execPath,
    [bin, '-e', `${botUrl}/api/messages`, '-c', 'msteams', '--dt', '-p', String(port)],
    {
      cwd: dir,
      env: {
        ...process.env,
        TEAMSAPPTESTER_BROWSER: 'none',
        M365_AGENTS_PLAYGROUND_CONFIG_PATH: join(dir, '.m365agentsplayground.yml'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const base = `http://127.0.0.1:${port}`;
  // A minute: it is a large program, and on a loaded two-core machine it once took more than 20 s to answer
  // (stop 27's fresh-clone run, load average 18).
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the Playground exited (${child.exitCode}): ${output}`);
    try {
      if ((await fetch(`${base}/_debug/ping`)).ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      // Not left running behind the failed suite (one outlived stop 27's fresh-clone run).
      child.kill('SIGKILL');
      throw new Error(`the Playground did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const cfg = await (await fetch(`${base}/_internal/v1/config`)).json();
  if (!cfg.config) throw new Error('the Playground has no config');
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/_ws_conversation/v1/conversations/stream`);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error('websocket failed')));
  });
  ws.addEventListener('message', (e) => {
    frames.push(JSON.parse(String(e.data)) as Frame);
    waiters.splice(0).forEach((w) => w());
  });
  const waitFrame = (pred: (f: Frame) => boolean, ms = 10_000) =>
    new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no such frame within ${ms} ms; frames: ${frames.map((f) => f.action).join(',')}`),
          ),
        ms,
      );
      const check = () => {
        const f = frames.find(pred);
        if (f) {
          clearTimeout(timer);
          resolve(f);
        } else waiters.push(check);
      };
      check();
    });
  const json = async (path: string, body: Json) => {
    const send = () =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // A kept-alive socket the Playground closed while idle fails on reuse ("other side closed") before the
    // request reached it: sent once more, on a new connection.
    const res = await send().catch((err: Error & { cause?: { code?: string } }) => {
      if (!/ECONNRESET|UND_ERR_SOCKET/.test(err.cause?.code ?? '')) throw err;
      return send();
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    base,
    frames,
    waitFrame,
    message: async (conversationId, from, text, mentionBot = false) => {
      const posted = await json(`/_conversation/v1/conversations/${conversationId}/messages`, {
        from: { id: from },
        text: mentionBot ? `<at>Overt</at> ${text}` : text,
        textFormat: 'plain',
        ...(mentionBot ? { mentions: [{ mentioned: { id: BOT_ID }, text: '<at>Overt</at>' }] } : {}),
      });
      return String(posted?.messageId ?? '');
    },
    invoke: (conversationId, from, replyToId, verb, data) =>
      json('/_conversation/v1/invoke', {
        name: 'adaptiveCard/action',
        from: { id: from },
        conversation: { id: conversationId },
        replyToId,
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      }),
    custom: async (activity) => {
      await json('/_internal/v1/customActivities', activity);
    },
    stop: async () => {
      ws.close();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
