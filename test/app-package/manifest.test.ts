/**
 * The Teams app package, checked offline: the manifest filled for each environment in env/ passes the
 * Teams v1.22 JSON schema (as Microsoft ships it in @microsoft/app-manifest), carries the bot with its commands, and the
 * icons have the sizes and colours Teams requires. A broken manifest or icon is named with its problem.
 */
import JSZip from 'jszip';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colorIcon, outlineIcon } from '../../scripts/make-icons';
import {
  APP_PACKAGE_DIR,
  buildManifest,
  checkIcons,
  ENV_DIR,
  fillPlaceholders,
  manifestAgreement,
  packageApp,
  parseEnvFile,
  readEnv,
  validateManifest,
} from '../../scripts/package-app';
import { encodePng } from '../../scripts/png';

const ENVIRONMENTS = readdirSync(ENV_DIR)
  .map((name) => /^\.env\.([a-z][a-z0-9-]*)$/.exec(name)?.[1])
  .filter((name): name is string => name !== undefined);

type Bot = {
  botId: string;
  scopes: string[];
  commandLists: { scopes: string[]; commands: { title: string }[] }[];
};

describe('Teams app manifest', () => {
  it('has an environment file for local and dev', () => {
    expect(ENVIRONMENTS).toEqual(expect.arrayContaining(['local', 'dev']));
  });

  it.each(ENVIRONMENTS)(
    'filled for %s, passes the Teams v1.22 schema with the bot and its commands',
    (env) => {
      const manifest = buildManifest(env, { allowPlaceholders: true });
      const values = readEnv(env);
      expect(JSON.stringify(manifest)).not.toContain('${{');
      expect(validateManifest(manifest)).toEqual([]);
      expect(manifest['manifestVersion']).toBe('1.22');
      expect(manifest['$schema']).toBe(
        'https://developer.microsoft.com/en-us/json-schemas/teams/v1.22/MicrosoftTeams.schema.json',
      );
      expect(manifest['id']).toBe(values['TEAMS_APP_ID']);
      expect(manifest['validDomains']).toEqual([values['BOT_DOMAIN']]);
      const [bot] = manifest['bots'] as Bot[];
      expect(bot?.botId).toBe(values['BOT_ID']);
      expect(bot?.scopes).toEqual(['personal', 'team']);
      const personal = bot?.commandLists.find((list) => list.scopes.includes('personal'));
      expect(personal?.commands.map((c) => c.title)).toEqual([
        'help',
        'new request',
        'my requests',
        'child summary',
        'record consent',
        'record objection',
      ]);
    },
  );

  it('the schema rejects a broken manifest, naming the field', () => {
    const manifest = buildManifest('local', { allowPlaceholders: true });
    const broken = {
      ...manifest,
      id: 'not-a-guid',
      accentColor: 'blue',
      colour: 'extra',
      bots: [{ ...(manifest['bots'] as Bot[])[0], scopes: ['everywhere'] }],
    };
    const problems = validateManifest(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        '/: must NOT have additional properties ("colour")',
        '/id: must match pattern "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$"',
        '/accentColor: must match pattern "^#[0-9a-fA-F]{6}$"',
        '/bots/0/scopes/0: must be equal to one of the allowed values',
      ]),
    );
    const { manifestVersion: _dropped, ...withoutVersion } = manifest;
    expect(validateManifest(withoutVersion)).toContain("/: must have required property 'manifestVersion'");
  });

  it('placeholders without a value are reported, and values are escaped for JSON', () => {
    expect(fillPlaceholders('{"a":"${{A}}","b":"${{ B }}","c":"${{C}}"}', { A: 'say "hi"', B: 'x' })).toEqual(
      {
        text: '{"a":"say \\"hi\\"","b":"x","c":"${{C}}"}',
        missing: ['C'],
      },
    );
    expect(parseEnvFile('# comment\nA=1\nB = "two words"\n\nC=\'x=y\'\n')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x=y',
    });
    expect(() => parseEnvFile('not a line')).toThrow('line 1 is not KEY=VALUE');
  });

  it('the committed icons are the right size and colour, and are what scripts/make-icons.ts draws', () => {
    expect(checkIcons()).toEqual([]);
    expect(readFileSync(join(APP_PACKAGE_DIR, 'color.png')).equals(encodePng(colorIcon()))).toBe(true);
    expect(readFileSync(join(APP_PACKAGE_DIR, 'outline.png')).equals(encodePng(outlineIcon()))).toBe(true);
  });

  it('a wrong-sized colour icon and a coloured outline icon are refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'overt-icons-'));
    try {
      const small = colorIcon();
      writeFileSync(
        join(dir, 'color.png'),
        encodePng({ width: 32, height: 32, rgba: small.rgba.slice(0, 32 * 32 * 4) }),
      );
      writeFileSync(join(dir, 'outline.png'), encodePng(colorIcon()));
      const problems = checkIcons(dir);
      expect(problems).toContain('color.png: must be 192×192, is 32×32');
      expect(problems).toContain('outline.png: must be 32×32, is 192×192');
      expect(problems.some((p) => p.startsWith('outline.png: must be white on transparent'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm run package builds build/appPackage.<env>.zip with the three files at its root', async () => {
    const out = mkdtempSync(join(tmpdir(), 'overt-package-'));
    try {
      const zip = await packageApp('local', out, { allowPlaceholders: true });
      expect(zip).toBe(join(out, 'appPackage.local.zip'));
      const archive = await JSZip.loadAsync(readFileSync(zip));
      expect(Object.keys(archive.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
      const manifest = JSON.parse(await archive.file('manifest.json')!.async('string')) as unknown;
      expect(validateManifest(manifest)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  describe('refuses placeholders (issue 19)', () => {
    /** `npm run package -- --env dev`, as an administrator types it, with these values in the environment. */
    const npmPackage = (given: Record<string, string> = {}) =>
      spawnSync('npm', ['run', '--silent', 'package', '--', '--env', 'dev'], {
        cwd: join(__dirname, '../..'),
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...given },
      });

    it('npm run package -- --env dev fails, naming each placeholder id and example domain', () => {
      const r = npmPackage();
      expect(r.status).toBe(1);
      const values = readEnv('dev');
      for (const name of ['TEAMS_APP_ID', 'BOT_ID', 'AAD_APP_CLIENT_ID'])
        expect(r.stderr).toContain(`${name}=${values[name]} is a placeholder id`);
      for (const name of [
        'BOT_DOMAIN',
        'TAB_ENDPOINT',
        'APP_WEBSITE_URL',
        'APP_PRIVACY_URL',
        'APP_TERMS_URL',
        // Not in the manifest, but the bot's address and the API's audience (the walk of issue 19 found these
        // named only on a second run, as a mismatch).
        'BOT_ENDPOINT',
        'OVERT_AUTH_AUDIENCE',
      ])
        expect(r.stderr).toContain(`${name}=${values[name]} is on the example domain overt-dev.example.org`);
      expect(r.stderr).toContain('--allow-placeholders');
    }, 60_000);

    it('npm run package -- --env dev with the real values given passes validation and writes the package', async () => {
      const host = 'overt.wyverncouncil.gov.uk';
      const r = npmPackage({
        TEAMS_APP_ID: '3f2a9c41-7b6e-4d15-a8c2-91e0f4b7d6a3',
        BOT_ID: 'b7e41d02-5c9a-4f3b-8e61-2a0d9c7f4e18',
        AAD_APP_CLIENT_ID: '6a0c8e53-2d4f-4b9a-9c17-e5f3a1b8d204',
        BOT_DOMAIN: host,
        BOT_ENDPOINT: `https://${host}`,
        TAB_ENDPOINT: `https://${host}`,
        APP_WEBSITE_URL: `https://${host}/`,
        APP_PRIVACY_URL: `https://${host}/privacy`,
        APP_TERMS_URL: `https://${host}/terms`,
        OVERT_AUTH_AUDIENCE: `api://${host}/6a0c8e53-2d4f-4b9a-9c17-e5f3a1b8d204`,
      });
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      const zipPath = /^wrote (.*appPackage\.dev\.zip)$/m.exec(r.stdout)?.[1];
      expect(zipPath).toBeDefined();
      const zip = await JSZip.loadAsync(readFileSync(zipPath!));
      const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as Record<
        string,
        unknown
      >;
      expect(validateManifest(manifest)).toEqual([]);
      expect(manifest['id']).toBe('3f2a9c41-7b6e-4d15-a8c2-91e0f4b7d6a3');
      expect(manifest['validDomains']).toEqual([host]);
      expect(JSON.stringify(manifest)).not.toMatch(/example\.|0000000000/);
    }, 60_000);

    it('every committed environment is refused without --allow-placeholders', () => {
      for (const env of ENVIRONMENTS) expect(() => buildManifest(env)).toThrow(/is a placeholder id/);
    });

    it('with real values the dev package passes validation and is built', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'overt-env-'));
      try {
        const values = readEnv('dev');
        const host = 'overt.wyverncouncil.gov.uk';
        const real: Record<string, string> = {
          ...values,
          TEAMS_APP_ID: '3f2a9c41-7b6e-4d15-a8c2-91e0f4b7d6a3',
          BOT_ID: 'b7e41d02-5c9a-4f3b-8e61-2a0d9c7f4e18',
          AAD_APP_CLIENT_ID: '6a0c8e53-2d4f-4b9a-9c17-e5f3a1b8d204',
          BOT_DOMAIN: host,
          BOT_ENDPOINT: `https://${host}`,
          TAB_ENDPOINT: `https://${host}`,
          APP_WEBSITE_URL: `https://${host}/`,
          APP_PRIVACY_URL: `https://${host}/privacy`,
          APP_TERMS_URL: `https://${host}/terms`,
          OVERT_AUTH_AUDIENCE: `api://${host}/6a0c8e53-2d4f-4b9a-9c17-e5f3a1b8d204,6a0c8e53-2d4f-4b9a-9c17-e5f3a1b8d204`,
        };
        writeFileSync(
          join(dir, '.env.dev'),
          Object.entries(real)
            .map(([k, v]) => `${k}=${v}`)
            .join('\n'),
        );
        const manifest = buildManifest('dev', { envDir: dir });
        expect(validateManifest(manifest)).toEqual([]);
        expect(manifest['validDomains']).toEqual([host]);
        const zip = await packageApp('dev', dir, { envDir: dir });
        expect(readFileSync(zip).length).toBeGreaterThan(1000);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('refuses values Teams would reject, or no one could sign in with (issue 19)', () => {
    const host = 'overt.wyverncouncil.gov.uk';
    const CLIENT = '6a0c8e53-2d4f-4b9a-9c17-e5f3a1b8d204';
    const real = {
      TEAMS_APP_ID: '3f2a9c41-7b6e-4d15-a8c2-91e0f4b7d6a3',
      BOT_ID: 'b7e41d02-5c9a-4f3b-8e61-2a0d9c7f4e18',
      AAD_APP_CLIENT_ID: CLIENT,
      BOT_DOMAIN: host,
      BOT_ENDPOINT: `https://${host}`,
      TAB_ENDPOINT: `https://${host}`,
      APP_WEBSITE_URL: `https://${host}/`,
      APP_PRIVACY_URL: `https://${host}/privacy`,
      APP_TERMS_URL: `https://${host}/terms`,
      OVERT_AUTH_AUDIENCE: `api://${host}/${CLIENT}`,
    };
    const refusal = (over: Record<string, string>) => {
      try {
        buildManifest('dev', { given: { ...real, ...over } });
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };

    it('agreeing values build', () => {
      expect(refusal({})).toBe('');
      expect(refusal({ OVERT_AUTH_AUDIENCE: `${CLIENT},api://${host}/${CLIENT.toUpperCase()}` })).toBe('');
    });

    it.each([
      [
        'a tab over http',
        { TAB_ENDPOINT: `http://${host}` },
        `TAB_ENDPOINT=http://${host} must start with https:// (Teams opens a tab only over https)`,
      ],
      [
        'a privacy page over http',
        { APP_PRIVACY_URL: `http://${host}/privacy` },
        `APP_PRIVACY_URL=http://${host}/privacy must start with https://`,
      ],
      [
        'a bot endpoint over http to another machine',
        { BOT_ENDPOINT: `http://${host}` },
        `BOT_ENDPOINT=http://${host} must start with https://`,
      ],
      [
        'a tab on another host than BOT_DOMAIN (validDomains and the SSO resource)',
        { TAB_ENDPOINT: 'https://overt-tab.wyverncouncil.gov.uk' },
        `TAB_ENDPOINT=https://overt-tab.wyverncouncil.gov.uk is on overt-tab.wyverncouncil.gov.uk, but BOT_DOMAIN is ${host}: Teams loads the tab only from the app's valid domain (BOT_DOMAIN)`,
      ],
      [
        'a bot endpoint on another host',
        { BOT_ENDPOINT: 'https://bot.wyverncouncil.gov.uk' },
        `BOT_ENDPOINT=https://bot.wyverncouncil.gov.uk is on bot.wyverncouncil.gov.uk, but BOT_DOMAIN is ${host}`,
      ],
      [
        'an audience on another host',
        { OVERT_AUTH_AUDIENCE: `api://overt.othercouncil.gov.uk/${CLIENT}` },
        `OVERT_AUTH_AUDIENCE=api://overt.othercouncil.gov.uk/${CLIENT} is not this package's SSO app: the service would refuse every sign-in from it. Give api://${host}/${CLIENT} (api://<BOT_DOMAIN>/<AAD_APP_CLIENT_ID>)`,
      ],
      [
        "an audience naming another app's id",
        { OVERT_AUTH_AUDIENCE: 'b7e41d02-5c9a-4f3b-8e61-2a0d9c7f4e18' },
        `OVERT_AUTH_AUDIENCE=b7e41d02-5c9a-4f3b-8e61-2a0d9c7f4e18 is not this package's SSO app`,
      ],
    ])('%s is refused, naming the setting', (_what, over, words) => {
      const message = refusal(over);
      expect(message).toMatch(
        /^env\/\.env\.dev: Teams would refuse this package, or nobody could sign in with it:\n/,
      );
      expect(message).toContain(words);
      // Never the offline try's choice.
      expect(() => buildManifest('dev', { given: { ...real, ...over }, allowPlaceholders: true })).toThrow(
        words,
      );
    });

    it('the filled manifest is checked against itself: tabs on a valid domain, the SSO resource on their host', () => {
      const manifest = buildManifest('dev', { given: real });
      expect(manifestAgreement(manifest)).toEqual([]);
      const moved = JSON.parse(
        JSON.stringify(manifest).replaceAll(`https://${host}/#`, 'https://elsewhere.gov.uk/#'),
      );
      expect(manifestAgreement(moved)).toEqual(
        expect.arrayContaining([
          "a tab's page https://elsewhere.gov.uk/#dashboard is not on a valid domain (overt.wyverncouncil.gov.uk)",
          `the SSO resource api://${host}/${CLIENT} is not on the tabs' host (elsewhere.gov.uk)`,
        ]),
      );
    });
  });
});
