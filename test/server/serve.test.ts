import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../src/server/main';
import { productionProblems, serve } from '../../src/server/serve';
import { runCli } from '../cli/run';
import { PEOPLE, SITE, startCouncil, type Council } from '../council/council';
import { tempDirs } from '../store/temp-dirs';

/** issue 19: `npm run serve`, the production start — safe by default, refusing to start half set up. */
const dirs = tempDirs('serve');
let council: Council;
beforeAll(async () => {
  council = await startCouncil(dirs.make());
  const made = await runCli(
    'provision',
    '--site',
    SITE,
    '--graph-url',
    council.graph.url,
    '--ca-file',
    council.caFile,
  );
  expect(made.code).toBe(0);
}, 60_000);
afterAll(async () => {
  await council.stop();
  dirs.cleanup();
});

const REQUIRED = [
  'OVERT_LISTEN_HOST',
  'MicrosoftAppId',
  'MicrosoftAppPassword',
  'MicrosoftAppTenantId',
  'OVERT_AUTH_AUDIENCE',
  'OVERT_AUTH_TENANTS',
  'OVERT_AUTH_STAFF_MAP',
  'OVERT_STORE',
  'OVERT_GRAPH_SITE',
  'OVERT_AUDIT_KEY',
  'OVERT_AUDIT_CHECKPOINTS',
];

describe('npm run serve', () => {
  /** Every required setting, each from a whole set (some are required only with another's value). */
  const ROWS: [string, Record<string, string>][] = [
    ...REQUIRED.map((name): [string, Record<string, string>] => [name, {}]),
    ['OVERT_DATA', { OVERT_STORE: 'sqlite' }],
    [
      'MicrosoftAppCertificateThumbprint',
      { MicrosoftAppPassword: '', MicrosoftAppCertificatePath: __filename },
    ],
  ];

  it.each(ROWS)('without %s does not start, naming it', async (name, over) => {
    const env: Record<string, string | undefined> = { ...council.env(dirs.make()), ...over };
    delete env[name];
    const problems = productionProblems(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: `));
    await expect(serve(env, () => undefined)).rejects.toThrow(new RegExp(`\\n  ${name}: `));
  });

  it('as a process, without any one required setting exits 1, naming it and only it', () => {
    for (const [name, over] of ROWS) {
      const env: Record<string, string | undefined> = {
        PATH: process.env.PATH ?? '',
        ...council.env(dirs.make()),
        ...over,
      };
      delete env[name];
      const r = spawnSync(process.execPath, ['dist/src/server/serve.js'], { env, encoding: 'utf8' });
      expect({ name, status: r.status, stdout: r.stdout }).toEqual({ name, status: 1, stdout: '' });
      const named = r.stderr.split('\n').filter((l) => /^ {2}\w+: /.test(l));
      expect({ name, named: named.map((l) => l.trim().split(':')[0]) }).toEqual({ name, named: [name] });
    }
  }, 120_000);

  it('as a process, an unsigned bot on 0.0.0.0 exits 1 naming both settings, and listens nowhere', () => {
    const r = spawnSync(process.execPath, ['dist/src/server/serve.js'], {
      env: {
        PATH: process.env.PATH ?? '',
        ...council.env(dirs.make()),
        OVERT_LISTEN_HOST: '0.0.0.0',
        MicrosoftAppId: '',
        MicrosoftAppPassword: '',
        MicrosoftAppTenantId: '',
        MicrosoftAppType: 'MultiTenant',
        OVERT_BOT_UNSIGNED: 'on',
      },
      encoding: 'utf8',
    });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
    expect(r.stderr).toMatch(/\n {2}OVERT_BOT_UNSIGNED: is on, but OVERT_LISTEN_HOST is 0\.0\.0\.0: /);
  });

  it('as a process with nothing set exits 1, naming every setting it needs', () => {
    const r = spawnSync(process.execPath, ['dist/src/server/serve.js'], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    for (const name of [
      'OVERT_LISTEN_HOST',
      'MicrosoftAppId',
      'OVERT_AUTH_AUDIENCE',
      'OVERT_AUTH_TENANTS',
      'OVERT_AUTH_STAFF_MAP',
      'OVERT_STORE',
    ])
      expect(r.stderr).toContain(`\n  ${name}: `);
    expect(r.stdout).toBe('');
  });

  it('refuses a signing key inside the data folder, and a key gone that signed the trail', async () => {
    const data = dirs.make();
    const base = council.env(data);
    for (const key of [join(data, 'signing-key.pem'), join(data, 'sub', 'key.pem'), data]) {
      const env = { ...base, OVERT_AUDIT_KEY: key };
      expect(productionProblems(env).join('\n')).toMatch(
        /^OVERT_AUDIT_KEY: .* is inside the data folder \(OVERT_DATA\)/m,
      );
      await expect(serve(env, () => undefined)).rejects.toThrow(/OVERT_AUDIT_KEY: .* inside the data folder/);
    }
    expect(
      productionProblems({ ...base, OVERT_AUDIT_CHECKPOINTS: join(data, 'checkpoints.jsonl') }).join('\n'),
    ).toMatch(/^OVERT_AUDIT_CHECKPOINTS: .* is inside the data folder/m);
    // A key that signed checkpoints and is now missing: refused, not silently replaced by a new one.
    const checkpoints = join(dirs.make(), 'checkpoints.jsonl');
    writeFileSync(checkpoints, '{"count":1}\n');
    expect(
      productionProblems({
        ...base,
        OVERT_AUDIT_KEY: join(dirs.make(), 'gone.pem'),
        OVERT_AUDIT_CHECKPOINTS: checkpoints,
      }).join('\n'),
    ).toMatch(/^OVERT_AUDIT_KEY: no key at .* but checkpoints signed with one are at/m);
  });

  it('names the other mistakes an administrator makes', () => {
    const base = council.env(dirs.make());
    const problems = (over: Record<string, string>) => productionProblems({ ...base, ...over }).join('\n');
    expect(problems({ OVERT_GRAPH_SITE: 'wyverncouncil.sharepoint.com/sites/overt' })).toMatch(
      /OVERT_GRAPH_SITE: .* is not a URL; write it in full, starting https:\/\//,
    );
    expect(problems({ OVERT_GRAPH_SITE: 'http://wyverncouncil.sharepoint.com/sites/overt' })).toMatch(
      /OVERT_GRAPH_SITE: .* must start with https:\/\//,
    );
    expect(problems({ OVERT_DEMO_AUTH: 'on' })).toMatch(
      /OVERT_DEMO_AUTH: demo personas are for the local demo/,
    );
    expect(problems({ OVERT_DEMO: 'auto' })).toMatch(/OVERT_DEMO: the fictional demo service/);
    expect(problems({ MicrosoftAppId: 'overt-bot' })).toMatch(/MicrosoftAppId: "overt-bot" is not an app id/);
    expect(problems({ MicrosoftAppPassword: '', MicrosoftAppCertificatePath: '/nowhere/bot.pem' })).toMatch(
      /MicrosoftAppCertificatePath: no certificate file at \/nowhere\/bot.pem[^]*MicrosoftAppCertificateThumbprint: not set/,
    );
    expect(problems({ OVERT_AUTH_TENANTS: 'wyverncouncil' })).toMatch(
      /OVERT_AUTH_TENANTS: "wyverncouncil" is not a tenant id/,
    );
    expect(problems({ OVERT_AUTH_JWKS_URL: 'http://login.example.test/keys' })).toMatch(
      /OVERT_AUTH_JWKS_URL: .* must start with https:\/\//,
    );
    // The walk's finding 6: http sign-in settings were accepted. Never http, but to this machine when asked for.
    const AUDIENCE_WORDS =
      "is not an SSO audience: write the SSO app registration's Application ID URI, api://<host>/<client id> (the host the tab is served on, the client id a GUID), or the client id alone";
    for (const bad of [
      'http://overt.wyvern-council.test/2b8e4f61-0c3d-4a7e-8f19-6d5c4b3a2e1f',
      'https://overt.wyvern-council.test/2b8e4f61-0c3d-4a7e-8f19-6d5c4b3a2e1f',
      'api://overt.wyvern-council.test/2b8e4f61',
      'api://overt.wyvern-council.test',
      'api://https://overt.wyvern-council.test/2b8e4f61-0c3d-4a7e-8f19-6d5c4b3a2e1f',
      'overt-sso',
    ])
      expect(problems({ OVERT_AUTH_AUDIENCE: bad })).toBe(`OVERT_AUTH_AUDIENCE: "${bad}" ${AUDIENCE_WORDS}`);
    expect(
      problems({
        OVERT_AUTH_AUDIENCE: `${base.OVERT_AUTH_AUDIENCE},9a4c2e71-3b5d-4f8a-a1c6-0e2d4f6b8a9c`,
      }),
    ).toMatch(
      /^OVERT_AUTH_AUDIENCE: ".*" names 2 different apps; every entry names the one SSO app registration/,
    );
    expect(
      problems({ OVERT_AUTH_AUDIENCE: `${base.OVERT_AUTH_AUDIENCE},2b8e4f61-0c3d-4a7e-8f19-6d5c4b3a2e1f` }),
    ).toBe('');
    expect(problems({ OVERT_AUTH_ISSUERS: 'http://login.example.test/{tenantid}/v2.0' })).toBe(
      'OVERT_AUTH_ISSUERS: "http://login.example.test/{tenantid}/v2.0" must start with https://',
    );
    expect(
      problems({ OVERT_ALLOW_LOCAL_HTTP: 'on', OVERT_AUTH_JWKS_URL: 'http://login.example.test/keys' }),
    ).toMatch(/^OVERT_AUTH_JWKS_URL: "http:\/\/login.example.test\/keys" must start with https:\/\/$/);
    expect(problems({ OVERT_ALLOW_LOCAL_HTTP: '' })).toBe(
      `OVERT_AUTH_JWKS_URL: "${base.OVERT_AUTH_JWKS_URL}" must start with https:// (http to this machine only with OVERT_ALLOW_LOCAL_HTTP=on, for a local trial)`,
    );
    expect(problems({})).toBe('');
    expect(problems({ OVERT_STORE: 'sqlite', OVERT_DATA: '' })).toMatch(/^OVERT_DATA: not set/);
    // A bot with no app id is unsigned only when that is asked for, and never with an app id.
    expect(
      problems({
        MicrosoftAppId: '',
        MicrosoftAppPassword: '',
        MicrosoftAppType: 'MultiTenant',
        OVERT_BOT_UNSIGNED: 'on',
      }),
    ).toBe('');
    expect(
      problems({
        MicrosoftAppId: '',
        MicrosoftAppPassword: '',
        MicrosoftAppTenantId: '',
        OVERT_BOT_UNSIGNED: 'on',
      }),
    ).toMatch(/^MicrosoftAppType: SingleTenant needs MicrosoftAppId; for an unsigned local bot, remove it$/);
    expect(problems({ OVERT_BOT_UNSIGNED: 'on' })).toMatch(
      /OVERT_BOT_UNSIGNED: is on, but MicrosoftAppId is set/,
    );
    // issue 19 walk: an unsigned bot on every interface answered anyone. Only on a loopback address.
    const unsigned = {
      MicrosoftAppId: '',
      MicrosoftAppPassword: '',
      MicrosoftAppTenantId: '',
      MicrosoftAppType: 'MultiTenant',
      OVERT_BOT_UNSIGNED: 'on',
    };
    for (const host of ['0.0.0.0', '::', '10.1.2.3', 'overt.wyvern-council.test'])
      expect(problems({ ...unsigned, OVERT_LISTEN_HOST: host })).toBe(
        `OVERT_BOT_UNSIGNED: is on, but OVERT_LISTEN_HOST is ${host}: an unsigned bot listens only on this machine (OVERT_LISTEN_HOST=127.0.0.1 or ::1); for Teams, set MicrosoftAppId and its secret and remove OVERT_BOT_UNSIGNED`,
      );
    for (const host of ['127.0.0.1', '::1', 'localhost'])
      expect(problems({ ...unsigned, OVERT_LISTEN_HOST: host })).toBe('');
  });

  it('with every setting, makes the first administrator from OVERT_FIRST_ADMIN, serves, and refuses demo personas', async () => {
    const data = dirs.make();
    const logs: string[] = [];
    const running = await serve(council.env(data), (s) => logs.push(s));
    try {
      expect(logs.join('\n')).toContain(`first administrator: ${PEOPLE.admin.displayName}`);
      expect(logs.join('\n')).toMatch(/sign-in: Teams SSO only/);
      expect(logs.join('\n')).not.toMatch(/DEMO personas|demo service/);
      const base = `http://127.0.0.1:${(running.servers[1]!.address() as { port: number }).port}`;
      expect((running.servers[0]!.address() as { address: string }).address).toBe('127.0.0.1');
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', staff: 1 });
      const persona = await fetch(`${base}/api/v1/me`, { headers: { 'x-overt-demo-persona': 'demo-admin' } });
      expect(persona.status).toBe(401);
      const me = await fetch(`${base}/api/v1/me`, {
        headers: { authorization: `Bearer ${await council.token(PEOPLE.admin.id)}` },
      });
      expect(me.status).toBe(200);
      expect(JSON.stringify(await me.json())).toContain(PEOPLE.admin.displayName);
      // The bot has an app id: an unsigned activity is refused.
      const botBase = `http://127.0.0.1:${(running.servers[0]!.address() as { port: number }).port}`;
      const unsigned = await fetch(`${botBase}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          text: 'hi',
          channelId: 'msteams',
          serviceUrl: 'https://smba.trafficmanager.net/uk/',
          from: { id: '29:x', aadObjectId: PEOPLE.admin.id },
          recipient: { id: `28:bot` },
          conversation: { id: 'a:1' },
        }),
      });
      expect(unsigned.status).toBe(401);
    } finally {
      await running.stop();
    }
    // Started again, the administrator is there and nothing is made twice.
    const again = await serve(council.env(data), () => undefined);
    expect((await again.store.count('staff'))[0]!.count).toBe(1);
    await again.stop();
  }, 60_000);

  it('without OVERT_FIRST_ADMIN on a service with no staff, does not start, naming it', async () => {
    const site = 'https://wyverncouncil.sharepoint.com/sites/overt';
    const env = {
      ...council.env(dirs.make()),
      OVERT_STORE: 'sqlite',
      OVERT_FIRST_ADMIN: '',
      OVERT_GRAPH_SITE: site,
    };
    await expect(serve(env, () => undefined)).rejects.toThrow(
      /^OVERT_FIRST_ADMIN: not set, and Overt has no staff yet/,
    );
    const unknown = { ...env, OVERT_FIRST_ADMIN: 'nobody@wyverncouncil.test' };
    await expect(serve(unknown, () => undefined)).rejects.toThrow(
      /^OVERT_FIRST_ADMIN: user nobody@wyverncouncil.test: no such account in Entra ID/,
    );
  });

  it('as a process on SQLite, OVERT_FIRST_ADMIN as an email without Graph settings: exits 1 naming each, as Entra ID settings', () => {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH ?? '',
      ...council.env(dirs.make()),
      OVERT_STORE: 'sqlite',
      OVERT_FIRST_ADMIN: PEOPLE.admin.userPrincipalName,
    };
    // A council's own tenant: Graph at graph.microsoft.com, and none of its sign-in settings given.
    for (const name of ['OVERT_GRAPH_URL', 'OVERT_GRAPH_CA_FILE', 'OVERT_GRAPH_SITE']) delete env[name];
    const r = spawnSync(process.execPath, ['dist/src/server/serve.js'], { env, encoding: 'utf8' });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: '' });
    const named = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('  '))
      .map((l) => l.trim().split(':')[0]);
    expect(named).toEqual([
      'OVERT_TENANT_ID',
      'OVERT_CLIENT_ID',
      'OVERT_CLIENT_SECRET (or OVERT_CLIENT_CERTIFICATE_PATH)',
    ]);
    expect(r.stderr).toContain(
      `  OVERT_TENANT_ID: not set: the Entra ID (Graph) settings are needed to look the first administrator (OVERT_FIRST_ADMIN, ${PEOPLE.admin.userPrincipalName}) up in Entra ID`,
    );
    expect(r.stderr).not.toMatch(/SharePoint/);
    // Given them (here the local Graph server, which takes no sign-in), the same start passes the check.
    const given = { ...env, OVERT_GRAPH_URL: council.graph.url, OVERT_GRAPH_CA_FILE: council.caFile };
    expect(productionProblems(given)).toEqual([]);
    // A SharePoint store names the same settings itself, for the store.
    expect(productionProblems({ ...env, OVERT_STORE: 'graph', OVERT_GRAPH_SITE: SITE })).toEqual([]);
  });

  it('keeps the SQLite file readable by its owner only', async () => {
    const data = dirs.make();
    const running = await serve({ ...council.env(data), OVERT_STORE: 'sqlite' }, () => undefined);
    try {
      expect(statSync(join(data, 'overt.sqlite')).mode & 0o777).toBe(0o600);
      expect(statSync(join(data, 'overt.sqlite-wal')).mode & 0o777).toBe(0o600);
    } finally {
      await running.stop();
    }
  }, 30_000);
});

describe('any start', () => {
  it('stops on an unknown OVERT_DEFAULT_PROFILE, naming it and the profiles there are', async () => {
    await expect(
      start(
        { OVERT_DATA: dirs.make(), OVERT_DEFAULT_PROFILE: 'wyvern', BOT_PORT: '0', TAB_PORT: '0' },
        () => undefined,
      ),
    ).rejects.toThrow(
      /^OVERT_DEFAULT_PROFILE: no profile "wyvern"; the profiles are nottinghamshire-yjs, camden-cfs/,
    );
  });

  it('stops on a single-tenant bot with no app id, naming MicrosoftAppType (not a botbuilder assertion)', async () => {
    await expect(
      start(
        {
          OVERT_DATA: dirs.make(),
          OVERT_DEMO: 'off',
          MicrosoftAppType: 'SingleTenant',
          BOT_PORT: '0',
          TAB_PORT: '0',
        },
        () => undefined,
      ),
    ).rejects.toThrow(/^MicrosoftAppType: SingleTenant needs MicrosoftAppId/);
  });

  it('listens on loopback unless told otherwise, and on one port when BOT_PORT and TAB_PORT are the same', async () => {
    const probe = await start(
      { OVERT_DATA: dirs.make(), OVERT_DEMO: 'off', BOT_PORT: '0', TAB_PORT: '0' },
      () => undefined,
    );
    const free = (probe.servers[0]!.address() as { port: number }).port;
    expect((probe.servers[0]!.address() as { address: string }).address).toBe('127.0.0.1');
    await probe.stop();
    const one = await start(
      { OVERT_DATA: dirs.make(), OVERT_DEMO: 'off', BOT_PORT: String(free), TAB_PORT: String(free) },
      () => undefined,
    );
    try {
      expect(one.servers).toHaveLength(1);
      expect((await fetch(`http://127.0.0.1:${free}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${free}/api/messages`)).status).toBe(405);
      expect((await fetch(`http://127.0.0.1:${free}/api/v1/me`)).status).toBe(401);
    } finally {
      await one.stop();
    }
  }, 30_000);

  it('OVERT_AUTH_AUDIENCE is what a token must be for: another host’s resource or another app’s id is 401', async () => {
    const { AUDIENCE, SSO_CLIENT } = await import('../council/council');
    const data = dirs.make();
    // `npm start` refuses a malformed audience too, naming it.
    await expect(
      start(
        { ...council.env(data), OVERT_STORE: 'sqlite', OVERT_AUTH_AUDIENCE: 'overt-sso' },
        () => undefined,
      ),
    ).rejects.toThrow(/OVERT_AUTH_AUDIENCE: "overt-sso" is not an SSO audience/);
    const running = await start(
      { ...council.env(data), OVERT_STORE: 'sqlite', OVERT_AUTH_AUDIENCE: `${AUDIENCE},${SSO_CLIENT}` },
      () => undefined,
    );
    try {
      const base = `http://127.0.0.1:${(running.servers[1]!.address() as { port: number }).port}`;
      const me = async (aud: string) => {
        const r = await fetch(`${base}/api/v1/me`, {
          headers: { authorization: `Bearer ${await council.token(PEOPLE.admin.id, aud)}` },
        });
        return { status: r.status, detail: ((await r.json()) as { detail?: string }).detail };
      };
      // Signed in (no member of staff yet: 403), for the resource and for the client id alike.
      for (const aud of [AUDIENCE, SSO_CLIENT]) expect((await me(aud)).status).toBe(403);
      for (const aud of [
        `api://overt.othercouncil.test/${SSO_CLIENT}`,
        '9a4c2e71-3b5d-4f8a-a1c6-0e2d4f6b8a9c',
        'https://graph.microsoft.com',
      ])
        expect(await me(aud)).toEqual({ status: 401, detail: "the token's aud claim is not accepted" });
    } finally {
      await running.stop();
    }
  }, 60_000);
});
