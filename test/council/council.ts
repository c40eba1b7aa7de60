import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { startGraphServer, type GraphServer } from '../../tools/graph-local/server';
import { makeAuditKey } from '../../src/cli/audit';

/**
 * A fictional council's tenant, locally: the local Graph server with its SharePoint site and its Entra ID
 * users and groups, and a key set standing in for Entra ID's (tokens signed here, checked by Overt against a
 * JWKS over HTTP). Every name is invented.
 */

export const TENANT = '7d1c3a52-6f0e-4b8a-9c21-5e4f3a2b1c0d';
export const SSO_CLIENT = '2b8e4f61-0c3d-4a7e-8f19-6d5c4b3a2e1f';
export const AUDIENCE = `api://overt.wyvern-council.test/${SSO_CLIENT}`;
export const BOT_APP = '9a4c2e71-3b5d-4f8a-a1c6-0e2d4f6b8a9c';
export const SITE = 'https://wyverncouncil.sharepoint.com/sites/overt';

const oid = (n: number) => `0c5e${String(n).padStart(4, '0')}-1a2b-4c3d-8e4f-5a6b7c8d9e0f`;

/** The council's people in Entra ID: an administrator, two team managers, three case managers. */
export const PEOPLE = {
  admin: {
    id: oid(1),
    displayName: 'Aled Morgan (fictional)',
    userPrincipalName: 'aled.morgan@wyverncouncil.test',
  },
  tmEast: {
    id: oid(2),
    displayName: 'Bethan Rees (fictional)',
    userPrincipalName: 'bethan.rees@wyverncouncil.test',
  },
  tmWest: {
    id: oid(3),
    displayName: 'Cai Lloyd (fictional)',
    userPrincipalName: 'cai.lloyd@wyverncouncil.test',
  },
  cm1: {
    id: oid(4),
    displayName: 'Delyth Owen (fictional)',
    userPrincipalName: 'delyth.owen@wyverncouncil.test',
  },
  cm2: {
    id: oid(5),
    displayName: 'Emyr Price (fictional)',
    userPrincipalName: 'emyr.price@wyverncouncil.test',
  },
  cm3: {
    id: oid(6),
    displayName: 'Ffion Hughes (fictional)',
    userPrincipalName: 'ffion.hughes@wyverncouncil.test',
  },
} as const;
/** The East team's case managers are an Entra group. */
export const EAST_GROUP = 'e4a7c2d9-5b1f-4e3a-9c8d-7f6e5d4c3b2a';

export const DIRECTORY = {
  users: Object.values(PEOPLE).map((p) => ({ ...p, mail: p.userPrincipalName })),
  groups: [
    {
      id: EAST_GROUP,
      displayName: 'East Youth Justice case managers',
      members: [PEOPLE.cm1.id, PEOPLE.cm2.id],
    },
  ],
};

export interface Council {
  graph: GraphServer;
  caFile: string;
  jwksUrl: string;
  /** A token for `oid`, for the SSO app (or for `aud`, to show another is refused). */
  token: (oid: string, aud?: string) => Promise<string>;
  /** The environment for `npm run serve` with every setting real use needs. */
  env: (data: string) => Record<string, string>;
  stop: () => Promise<void>;
}

/** The council's settings with its audit signing key made, as its administrator makes it before the first
 * start (`overt audit keygen`; the start never makes one). A key already there is kept. */
function withAuditKey(env: Record<string, string>): Record<string, string> {
  const made = makeAuditKey(env);
  if (!made.ok && !/a key is already at/.test(made.message)) throw new Error(made.message);
  return env;
}

const listen = (s: Server) =>
  new Promise<string>((r) =>
    s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as { port: number }).port}`)),
  );

export async function startCouncil(dir: string): Promise<Council> {
  const graph = await startGraphServer({ grantedSites: [SITE], directory: DIRECTORY });
  const caFile = join(dir, 'graph-ca.pem');
  writeFileSync(caFile, graph.ca);
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'council-key', alg: 'RS256', use: 'sig' };
  const jwks = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  const jwksUrl = `${await listen(jwks)}/keys`;
  return {
    graph,
    caFile,
    jwksUrl,
    token: (who, aud = AUDIENCE) =>
      new SignJWT({
        oid: who,
        tid: TENANT,
        iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        aud,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'council-key', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey),
    env: (data) =>
      withAuditKey({
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
        OVERT_AUTH_JWKS_URL: jwksUrl,
        // The key set above is served over http on this machine.
        OVERT_ALLOW_LOCAL_HTTP: 'on',
        OVERT_STORE: 'graph',
        OVERT_GRAPH_SITE: SITE,
        OVERT_GRAPH_URL: graph.url,
        OVERT_GRAPH_CA_FILE: caFile,
        OVERT_DATA: data,
        OVERT_AUDIT_KEY: `${data}.key/signing-key.pem`,
        OVERT_AUDIT_CHECKPOINTS: `${data}.key/checkpoints.jsonl`,
        OVERT_FIRST_ADMIN: PEOPLE.admin.userPrincipalName,
      }),
    stop: async () => {
      await graph.stop();
      await new Promise<void>((r) => jwks.close(() => r()));
    },
  };
}
