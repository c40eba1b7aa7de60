// Shared set-up for the graph-local tests: a server plus the real Graph SDK client talking HTTPS to it.
import { Client, type ClientOptions } from '@microsoft/microsoft-graph-client';

type InitOptions = Parameters<typeof Client.init>[0];
import { Agent } from 'undici';
import { startGraphServer, type GraphServer, type GraphServerOptions } from '../../tools/graph-local/server';

export const SITE = 'contoso.sharepoint.com:/sites/overt';
export const OTHER_SITE = 'contoso.sharepoint.com:/sites/hr';

export type Harness = { server: GraphServer; client: Client; siteId: string };

/**
 * Node 20's global fetch (undici inside Node) honours `dispatcher` in the init object, and the SDK passes
 * `fetchOptions` through to fetch(url, options) untouched (HTTPMessageHandler), so an undici Agent with the
 * server's CA is how the client trusts the self-signed certificate. No NODE_EXTRA_CA_CERTS needed.
 */
export function graphClient(server: GraphServer, extra: Partial<InitOptions> = {}): Client {
  return Client.init({
    baseUrl: `${server.url}/`,
    customHosts: new Set(['localhost']),
    fetchOptions: {
      dispatcher: new Agent({ connect: { ca: server.ca } }),
    } as unknown as ClientOptions['fetchOptions'],
    authProvider: (done) => done(null, 'local-test-token'),
    ...extra,
  });
}

export async function startHarness(options: GraphServerOptions = {}): Promise<Harness> {
  const server = await startGraphServer({ grantedSites: [SITE], otherSites: [OTHER_SITE], ...options });
  const client = graphClient(server);
  const site = (await client.api(`/sites/${SITE}`).get()) as { id: string };
  server.resetStats();
  return { server, client, siteId: site.id };
}

export type Column = Record<string, unknown>;

export async function createList(h: Harness, displayName: string, columns: Column[]): Promise<string> {
  const list = (await h.client.api(`/sites/${h.siteId}/lists`).post({ displayName, columns })) as {
    id: string;
  };
  return list.id;
}

/** Run a promise expected to fail and return the SDK's GraphError. */
export async function graphErrorOf(
  p: Promise<unknown>,
): Promise<{ statusCode: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { statusCode: number; code: string; message: string };
  }
  throw new Error('expected the request to fail');
}
