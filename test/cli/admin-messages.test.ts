import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { graphConfig } from '../../src/store/graph/config';

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
