import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { graphConfig } from '../../src/store/graph/config';
import { listKeys } from '../../src/store/graph/lists';
import { runCli } from './run';

/** issue 19, item 7: messages an administrator can act on — settings named by their environment variable. */
const message = (env: Record<string, string>) => {
  const r = graphConfig(env);
  return r.ok ? '' : r.error.message;
};

it('names missing Graph settings by their environment variable, not a field path', () => {
  const m = message({
    OVERT_GRAPH_SITE: 'https://wyverncouncil.sharepoint.com/sites/overt',
    OVERT_TENANT_ID: 't',
  });
  expect(m).toContain('OVERT_CLIENT_ID: not set');
  expect(m).toContain('OVERT_CLIENT_SECRET (or OVERT_CLIENT_CERTIFICATE_PATH): not set');
  expect(m).not.toMatch(/auth\.|clientSecret/);
});

it('says when a URL lacks https:// and when the certificate file is missing', () => {
  expect(message({ OVERT_GRAPH_SITE: 'wyverncouncil.sharepoint.com/sites/overt' })).toContain(
    'OVERT_GRAPH_SITE (or --site): "wyverncouncil.sharepoint.com/sites/overt" must be a full URL starting https://',
  );
  expect(
    message({
      OVERT_GRAPH_SITE: 'https://wyverncouncil.sharepoint.com/sites/overt',
      OVERT_TENANT_ID: 't',
      OVERT_CLIENT_ID: 'c',
      OVERT_CLIENT_CERTIFICATE_PATH: '/nowhere/overt.pem',
    }),
  ).toBe(
    'OVERT_CLIENT_CERTIFICATE_PATH: no certificate file at /nowhere/overt.pem (a PEM holding the private key)',
  );
});

it('`overt … | head` exits quietly when the reader stops early', () => {
  // `true` reads nothing and exits at once, so every write meets a closed pipe (EPIPE), as `| head` does.
  const r = spawnSync(
    'sh',
    ['-c', '(node bin/overt.js policy show nottinghamshire-yjs; echo "exit $?" >&2) | true'],
    { cwd: join(__dirname, '../..'), encoding: 'utf8' },
  );
  expect(r.stderr).toBe('exit 0\n');
}, 30_000);

describe('provision --dry-run with no Graph credentials', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    for (const name of [
      'OVERT_TENANT_ID',
      'OVERT_CLIENT_ID',
      'OVERT_CLIENT_SECRET',
      'OVERT_CLIENT_CERTIFICATE_PATH',
      'OVERT_GRAPH_URL',
      'OVERT_GRAPH_CA_FILE',
    ])
      delete process.env[name];
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('prints the whole plan for a site without Overt’s lists, saying the site was not read', async () => {
    const r = await runCli(
      'provision',
      '--site',
      'https://wyverncouncil.sharepoint.com/sites/overt',
      '--dry-run',
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(
      /no Graph credentials \(OVERT_TENANT_ID, OVERT_CLIENT_ID, OVERT_CLIENT_SECRET\)/,
    );
    expect(r.stdout).toContain(`provision would make ${listKeys.length} change(s)`);
    expect(r.stdout).toContain('create list OvertRequest with columns ovRecordId');
  });

  it('still names a site URL without https://, and without --dry-run still needs the credentials', async () => {
    const bad = await runCli('provision', '--site', 'wyverncouncil.sharepoint.com/sites/overt', '--dry-run');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/must be a full URL starting https:\/\//);
    const real = await runCli('provision', '--site', 'https://wyverncouncil.sharepoint.com/sites/overt');
    expect(real.code).toBe(2);
    expect(real.stderr).toContain('OVERT_TENANT_ID: not set');
  });

  it('`overt provision --dry-run | head -1` exits quietly', () => {
    const r = spawnSync(
      'sh',
      [
        '-c',
        '(node bin/overt.js provision --site https://wyverncouncil.sharepoint.com/sites/overt --dry-run; echo "exit $?" >&2) | head -1',
      ],
      { cwd: join(__dirname, '../..'), encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(r.stderr).toBe('exit 0\n');
    expect(r.stdout).toMatch(/^https:\/\/wyverncouncil.sharepoint.com\/sites\/overt: no Graph credentials/);
  }, 30_000);
});

it('a failed sign-in to Graph says so, naming the settings to check', async () => {
  const saved = { ...process.env };
  try {
    delete process.env.OVERT_GRAPH_URL;
    delete process.env.OVERT_GRAPH_CA_FILE;
    // Entra ID cannot be reached here, so the sign-in fails as it does with a wrong secret: before any request.
    Object.assign(process.env, {
      OVERT_TENANT_ID: '7d1c3a52-6f0e-4b8a-9c21-5e4f3a2b1c0d',
      OVERT_CLIENT_ID: '2b8e4f61-0c3d-4a7e-8f19-6d5c4b3a2e1f',
      OVERT_CLIENT_SECRET: 'not-the-secret',
    });
    const r = await runCli(
      'provision',
      '--site',
      'https://wyverncouncil.sharepoint.com/sites/overt',
      '--dry-run',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /Graph sign-in failed for OVERT_CLIENT_ID 2b8e4f61-0c3d-4a7e-8f19-6d5c4b3a2e1f in OVERT_TENANT_ID 7d1c3a52-6f0e-4b8a-9c21-5e4f3a2b1c0d: .*Check both ids, OVERT_CLIENT_SECRET/,
    );
  } finally {
    process.env = saved;
  }
}, 120_000);
