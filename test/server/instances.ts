import { fork, type ChildProcess } from 'node:child_process';
import { bundled } from '../bundled';

/** A service started as its own process (`src/server/main.ts`), its JSON log lines kept as they come. */
export interface Instance {
  child: ChildProcess;
  pid: number;
  lines: Record<string, unknown>[];
  /** The first line from `from` on that matches; waits up to `ms`. */
  waitFor: (
    match: (l: Record<string, unknown>) => boolean,
    ms?: number,
    from?: number,
  ) => Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  ports: { bot: number; tab: number };
}

export async function startInstance(env: Record<string, string>, readyMs = 90_000): Promise<Instance> {
  // The current sources, bundled (test/bundled.ts).
  const child = fork(await bundled('src/server/main.ts'), [], {
    execArgv: [],
    env: { ...process.env, BOT_PORT: '0', TAB_PORT: '0', OVERT_DEMO: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const p of parts) {
      if (!p.trim()) continue;
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ notJson: p });
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const waitFor = async (match: (l: Record<string, unknown>) => boolean, ms = 20_000, from = 0) => {
    const until = Date.now() + ms;
    for (;;) {
      const found = lines.slice(from).find(match);
      if (found) return found;
      if (Date.now() > until || child.exitCode !== null)
        throw new Error(
          `no matching log line from ${child.pid} within ${ms} ms (exit ${child.exitCode}); stderr: ${stderr.slice(-2000)}; last: ${JSON.stringify(lines.slice(-5))}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const running = await waitFor(
    (l) => typeof l.msg === 'string' && l.msg.startsWith('Overt is running'),
    readyMs,
  );
  return {
    child,
    pid: child.pid!,
    lines,
    waitFor,
    exited,
    ports: { bot: running.botPort as number, tab: running.tabPort as number },
  };
}

export const byMsg = (msg: string | RegExp) => (l: Record<string, unknown>) =>
  typeof l.msg === 'string' && (typeof msg === 'string' ? l.msg === msg : msg.test(l.msg));
