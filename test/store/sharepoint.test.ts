import type { GraphServer } from '../../tools/graph-local/server';
import { storeContract } from './contract';
import { freshStore, startServer } from './graph-harness';

let server: GraphServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

storeContract('sharepoint (Graph, local server)', async () => (await freshStore(server)).store);
