/**
 * `npm run playground`: the local Overt bot (from `npm start`) in the Microsoft 365 Agents Playground,
 * with the demo service's people. The Playground's current user is a demo case manager; to act as someone
 * else, start it again `-- --as team-manager` (or `service-manager`, `information-governance`,
 * `authorised-officer`, `case-manager`). The others are members of the group chat and the team, so their
 * clicks on a card there act as them. These ids exist only in the fictional demo service: against a real
 * tenant's data nobody is matched, so there is no such switch outside the demo.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const person = (id: string, given: string, surname: string) => ({
  id,
  name: `${given} ${surname} (demo)`,
  userPrincipleName: `${id}@demo.invalid`, // sic: the Playground's own spelling
  aadObjectId: id,
  givenName: given,
  surname,
  email: `${id}@demo.invalid`,
});

/** The demo service's people (src/demo/demo.ts), by the role a tester may play. */
export const DEMO_PEOPLE = {
  'case-manager': person('demo-cm-north-1', 'Dara', 'Dunmore'),
  'team-manager': person('demo-tm-north', 'Arlo', 'Ashdown'),
  'service-manager': person('demo-sm', 'Sol', 'Marsh'),
  'information-governance': person('demo-ig', 'Ivy', 'Gardner'),
  'authorised-officer': person('demo-ao', 'Orla', 'Fenwick'),
  'second-case-manager': person('demo-cm-north-2', 'Eden', 'Elmstead'),
  'other-team-manager': person('demo-tm-south', 'Bryn', 'Birchwood'),
} as const;
export type DemoRole = keyof typeof DEMO_PEOPLE;

export const TENANT = 'demo-tenant';
export const BOT_ID = 'overt-bot';

/** The Playground's config (YAML, written as JSON, which YAML reads): exactly five other users, and a
 * team (without one the Playground exits silently). */
export function playgroundConfig(as: DemoRole = 'case-manager', others?: DemoRole[]): string {
  const current = DEMO_PEOPLE[as];
  const rest = (others ?? (Object.keys(DEMO_PEOPLE) as DemoRole[]).filter((r) => r !== as))
    .map((r) => DEMO_PEOPLE[r])
    .slice(0, 5);
  if (rest.length !== 5) throw new Error('the Playground needs exactly five other users');
  return JSON.stringify({
    version: '0.1.1',
    tenantId: TENANT,
    bot: { id: BOT_ID, name: 'Overt' },
    currentUser: current,
    users: rest,
    personalChat: { id: `personal-${current.id}` },
    groupChat: { id: 'group-north-demo', name: 'North team (demo)' },
    team: {
      id: 'team-north-demo',
      name: 'North Locality Team (demo)',
      aadGroupId: '00000000-0000-0000-0000-00000000d001',
      channels: [{ id: 'channel-north-demo', name: 'General' }],
    },
  });
}

/** The bot the Playground talks to: `--port N`, else `BOT_ENDPOINT`, else `BOT_PORT` (the port `npm start` uses,
 * 3978 unless set), on this machine. */
export function botEndpoint(argv: string[], env: NodeJS.ProcessEnv): string {
  const at = argv.indexOf('--port');
  const port = at >= 0 ? argv[at + 1] : undefined;
  if (port === undefined && env.BOT_ENDPOINT) return env.BOT_ENDPOINT;
  const p = port ?? env.BOT_PORT ?? '3978';
  if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535)
    throw new Error(`${at >= 0 ? '--port' : 'BOT_PORT'}: a port number from 1 to 65535, not "${p}"`);
  return `http://127.0.0.1:${p}/api/messages`;
}

/** The port the Playground itself serves its page on: `--playground-port N`, else `PLAYGROUND_PORT`, else the
 * Playground's own default (56150, or a free one if that is taken). */
export function playgroundPort(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  const at = argv.indexOf('--playground-port');
  const p = at >= 0 ? argv[at + 1] : env.PLAYGROUND_PORT || undefined;
  if (p === undefined) return undefined;
  if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535)
    throw new Error(
      `${at >= 0 ? '--playground-port' : 'PLAYGROUND_PORT'}: a port number from 1 to 65535, not "${p}"`,
    );
  return p;
}

/** The Playground's command line for a start with these arguments and environment. */
export function playgroundCommand(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { bot: string; port?: string; args: string[] } {
  const bot = botEndpoint(argv, env);
  const port = playgroundPort(argv, env);
  return {
    bot,
    ...(port ? { port } : {}),
    args: [
      require.resolve('@microsoft/m365agentsplayground/cli.js'),
      '-e',
      bot,
      '-c',
      'msteams',
      '--dt',
      ...(port ? ['-p', port] : []),
    ],
  };
}

/** What `npm run playground -- --help` prints. */
export const USAGE = [
  'Usage: npm run playground -- [--as ROLE] [--port N] [--playground-port N]',
  '',
  'Opens the Microsoft 365 Agents Playground on the local Overt bot (start it first: npm start).',
  '',
  `  --as ROLE              whom you play: ${Object.keys(DEMO_PEOPLE).join(', ')} (default case-manager)`,
  "  --port N               the bot's port (else BOT_ENDPOINT, else BOT_PORT, else 3978, as npm start)",
  '  --playground-port N    the port the Playground serves its page on (else PLAYGROUND_PORT, else 56150)',
  '  --help                 this text',
].join('\n');

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    process.exit(0);
  }
  const at = argv.indexOf('--as');
  const as = (at >= 0 ? argv[at + 1] : 'case-manager') as DemoRole;
  if (!(as in DEMO_PEOPLE)) {
    console.error(`--as: one of ${Object.keys(DEMO_PEOPLE).join(', ')}`);
    process.exit(2);
  }
  let command: ReturnType<typeof playgroundCommand>;
  try {
    command = playgroundCommand(argv, process.env);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const dir = resolve(__dirname, '..', 'build', 'playground');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '.m365agentsplayground.yml');
  writeFileSync(file, playgroundConfig(as));
  console.log(
    `Agents Playground as ${DEMO_PEOPLE[as].name}, talking to ${command.bot} (start Overt first: npm start)${command.port ? `; open http://localhost:${command.port}` : ''}`,
  );
  const child = spawn(process.execPath, command.args, {
    cwd: dir,
    env: { ...process.env, M365_AGENTS_PLAYGROUND_CONFIG_PATH: file },
    stdio: 'inherit',
  });
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (require.main === module) main(process.argv.slice(2));
