import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { validateManifest } from '../../scripts/package-app';
import { runCli } from '../cli/run';
import { tempDirs } from '../store/temp-dirs';
import { AUDIENCE, BOT_APP, TENANT } from './council';

/**
 * issue 19: every command of the README's "Running it for your council", read from the README itself, runs in
 * order as written — no placeholder filled in. The section's files (```json people.json, ```csv case-list.csv) are
 * written as shown; each ```sh council line is run: `npm run graph:local` (left running, its URL and CA file
 * taken as the guide says), `export`, `npx overt …` (in-process), `npm run package -- --env prod` (with the
 * values `provision` would write, given in the environment) and `npm run serve` (left running until it answers
 * /healthz, then a demo persona is refused). Only ```sh azure blocks (Azure tools) are not run, and the section
 * may have no other kind of block, so a command cannot be added to the guide without being run here.
 */
const ROOT = join(__dirname, '../..');
const dirs = tempDirs('readme');
const saved = { ...process.env };
const started: ChildProcess[] = [];
afterAll(() => {
  process.env = saved;
  // Each was started in its own process group (npm, and the node it runs).
  for (const p of started)
    if (p.exitCode === null && p.pid)
      try {
        process.kill(-p.pid, 'SIGTERM');
      } catch {
        // The group ended before its exit was seen here (ESRCH): nothing is left to stop.
      }
  dirs.cleanup();
});

function section(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const from = readme.indexOf('## Running it for your council');
  expect(from).toBeGreaterThan(0);
  const to = readme.indexOf('\n## ', from + 1);
  return readme.slice(from, to < 0 ? undefined : to);
}

interface Block {
  lang: string;
  tag: string;
  body: string;
}
const blocksOf = (text: string): Block[] =>
  [...text.matchAll(/^```(\w+)(?: ([^\n]+))?\n([^]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    tag: (m[2] ?? '').trim(),
    body: m[3]!,
  }));

/** Shell words: double- and single-quoted strings kept whole. */
const words = (line: string) =>
  (line.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((a) => a.replace(/^(["'])(.*)\1$/, '$2'));

/** Starts a long-running command in its own process group; resolves with the first output line matching. */
function startUntil(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ match: RegExpExecArray; proc: ChildProcess }> {
  const proc = spawn('npm', args, { cwd: ROOT, env, detached: true });
  started.push(proc);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm ${args.join(' ')}: not ready:\n${out}`)), 90_000);
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ match, proc });
      }
    };
    proc.stdout!.on('data', seen);
    proc.stderr!.on('data', seen);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

it('the section has only files, commands run here, and commands that need Azure', () => {
  const blocks = blocksOf(section());
  for (const b of blocks)
    expect(`${b.lang} ${b.tag}`).toMatch(/^(sh council|sh azure|json people\.json|csv case-list\.csv)$/);
  for (const b of blocks.filter((b) => b.tag === 'azure'))
    for (const line of b.body.trim().split('\n')) expect(line).toMatch(/^az /);
  expect(blocks.filter((b) => b.tag === 'council').length).toBeGreaterThanOrEqual(4);
});

it('its pictures are there, each made by a test (named in it), not by hand', () => {
  const pictures = [...section().matchAll(/!\[[^\]]*\]\((docs\/screenshots\/[^)]+)\)/g)].map((m) => m[1]!);
  expect(pictures).toEqual(
    expect.arrayContaining(['docs/screenshots/approval-card.png', 'docs/screenshots/dashboard-1280.png']),
  );
  const tests = ['test/bot/cards.test.ts', 'test/tab/tab.test.ts', 'test/tab/organisation.test.ts']
    .map((f) => readFileSync(join(ROOT, f), 'utf8'))
    .join('\n');
  for (const picture of pictures) {
    expect(readFileSync(join(ROOT, picture)).subarray(1, 4).toString()).toBe('PNG');
    const name = picture.split('/').pop()!;
    // The organisation test writes `${name}-${width}.png`; the others name the file whole.
    expect({
      picture,
      made: tests.includes(name) || tests.includes(name.replace(/-(1280|400)\.png$/, '')),
    }).toEqual({
      picture,
      made: true,
    });
  }
});

it('the guide’s commands pass, in order, as written', async () => {
  const dir = dirs.make();
  const blocks = blocksOf(section());
  const files = new Map<string, string>();
  for (const b of blocks.filter((b) => b.lang !== 'sh')) {
    const file = join(dir, b.tag);
    writeFileSync(file, b.body);
    files.set(b.tag, file);
  }
  // The files the commands name are where the administrator wrote them (here, the temp folder).
  // …and the folder the guide keeps the audit signing key in is a folder of the temp folder.
  // The guide keeps them outside the checkout, in /srv/overt-onboarding, and names them by that path: a bare
  // name (a file in the checkout, where a deploy or a copy of the repository could take it) is not accepted.
  const onboarding = '/srv/overt-onboarding/';
  const local = (args: string[]) =>
    args.map((a) => {
      if (files.has(a)) throw new Error(`the guide names ${a} in the checkout; name it ${onboarding}${a}`);
      if (a.startsWith(onboarding) && files.has(a.slice(onboarding.length)))
        return files.get(a.slice(onboarding.length))!;
      return a.replace(/^\/srv\/overt-audit\//, `${join(dir, 'srv-overt-audit')}/`);
    });
  // The settings of the guide's table, as the administrator has them in the environment, except those the
  // guide's commands set or print (the store, the site, the first administrator, the local Graph server's).
  // The audit signing key is one of those: were the guide to leave it out, its first `overt` command that writes
  // would refuse, naming OVERT_AUDIT_KEY (before, each command made a key of its own and `npm run serve`, with
  // the guide's, found the trail broken).
  for (const name of [
    'OVERT_STORE',
    'OVERT_GRAPH_SITE',
    'OVERT_FIRST_ADMIN',
    'OVERT_GRAPH_URL',
    'OVERT_AUDIT_KEY',
    'OVERT_AUDIT_CHECKPOINTS',
  ])
    delete process.env[name];
  delete process.env.OVERT_GRAPH_CA_FILE;
  Object.assign(process.env, {
    OVERT_DATA: join(dir, 'data'),
    OVERT_LISTEN_HOST: '127.0.0.1',
    BOT_PORT: '0',
    TAB_PORT: '0',
    MicrosoftAppId: BOT_APP,
    MicrosoftAppPassword: 'fictional-bot-secret',
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: TENANT,
    OVERT_AUTH_AUDIENCE: AUDIENCE,
    OVERT_AUTH_TENANTS: TENANT,
    OVERT_AUTH_STAFF_MAP: 'entra',
  });
  const caFile = join(dir, 'graph-ca.pem');
  const ran: string[] = [];

  for (const line of blocks
    .filter((b) => b.tag === 'council')
    .flatMap((b) => b.body.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean)) {
    const args = local(words(line));
    if (line.startsWith('export ')) {
      const [, name, value] = /^export (\w+)=(.*)$/.exec(line)!;
      process.env[name!] = local(words(value!))[0];
    } else if (args[0] === 'npx' && args[1] === 'overt') {
      const r = await runCli(...args.slice(2));
      expect({ line, code: r.code, stderr: r.stderr }).toEqual({ line, code: 0, stderr: '' });
    } else if (line.startsWith('npm run graph:local')) {
      // A free port instead of 53100, and the CA file in the temp folder: what it prints is what the guide uses.
      const { match } = await startUntil(
        args.slice(1),
        { ...process.env, GRAPH_LOCAL_PORT: '0', GRAPH_LOCAL_CA_FILE: caFile },
        /listening on (\S+)[^]*CA certificate written to (\S+)/,
      );
      Object.assign(process.env, { OVERT_GRAPH_URL: match[1], OVERT_GRAPH_CA_FILE: match[2] });
    } else if (line === 'npm run package -- --env prod') {
      // The values `provision` writes to env/.env.prod, given in the environment.
      const host = 'overt.contoso-council.gov.uk';
      const r = spawnSync('npm', ['run', '--silent', ...args.slice(2)], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          ...process.env,
          TEAMS_APP_ID: '0d3c5a71-4e2b-4f69-8a1d-2c7e9b5f3a60',
          BOT_ID: BOT_APP,
          AAD_APP_CLIENT_ID: AUDIENCE.split('/').pop()!,
          BOT_DOMAIN: host,
          // The service's audience as provision sets it beside them: the SSO app on the tab's host.
          OVERT_AUTH_AUDIENCE: `api://${host}/${AUDIENCE.split('/').pop()!}`,
          BOT_ENDPOINT: `https://${host}`,
          TAB_ENDPOINT: `https://${host}`,
          APP_WEBSITE_URL: `https://${host}/`,
          APP_PRIVACY_URL: `https://${host}/privacy`,
          APP_TERMS_URL: `https://${host}/terms`,
        },
      });
      expect({ line, code: r.status, stderr: r.stderr }).toEqual({ line, code: 0, stderr: '' });
      const zip = await JSZip.loadAsync(readFileSync(join(ROOT, 'build/appPackage.prod.zip')));
      expect(validateManifest(JSON.parse(await zip.file('manifest.json')!.async('string')))).toEqual([]);
    } else if (line === 'npm run serve') {
      const { match, proc } = await startUntil(args.slice(1), process.env, /"tabPort":(\d+)/);
      const tab = `http://127.0.0.1:${match[1]}`;
      const health = await fetch(`${tab}/healthz`);
      expect(health.status).toBe(200);
      // The people onboarded above: the administrator, three from the group and by name, the manager.
      expect(await health.json()).toMatchObject({ status: 'ok', staff: 5 });
      const persona = await fetch(`${tab}/api/v1/me`, { headers: { 'x-overt-demo-persona': 'demo-admin' } });
      expect(persona.status).toBe(401);
      process.kill(-proc.pid!, 'SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    } else {
      throw new Error(`the guide has a command this test does not know how to run: ${line}`);
    }
    ran.push(line);
  }
  expect(ran).toContain('npm run serve');

  // What the commands made, as the administrator would look at it.
  const teams = await runCli('teams', 'list');
  expect(teams.stdout).toContain('east\tEast Youth Justice\tnottinghamshire-yjs\tMorgan Marsh (fictional)');
  expect(teams.stdout).toContain('west\tWest Youth Justice\tkent-ics');
  const staff = await runCli('staff', 'list');
  for (const name of ['Alex Adair', 'Morgan Marsh', 'Wren Walker', 'Casey Cole', 'Drew Dale'])
    expect(staff.stdout).toContain(`${name} (fictional)`);
  const children = await runCli('children', 'list');
  expect(children.stdout).toContain(
    'EX-0001\tA.B. (fictional)\tEast Youth Justice\tCasey Cole (fictional)\tinstagram:@example_fictional\n',
  );
  expect(children.stdout).toMatch(/^EX-0003\tE\.F\. \(fictional\)\tWest Youth Justice\t/m);
  expect(children.stdout).toMatch(/\n3 children\n$/);
}, 300_000);
