/**
 * The RIPA route to its end over plain HTTP (issue 13, part 1) on the SharePoint lists of the local Graph
 * server through the real Graph client. The journey is in ripa-journey.ts; on SQLite it runs, with the other
 * journeys, over HTTP and through the Agents Playground in journeys.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshStore, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import type { GraphServer } from '../../tools/graph-local/server';
import { actionData, execute, textOf } from './client';
import {
  AO,
  closeTabs,
  nonCrimeRepeat,
  raise,
  refusedApplication,
  ripaJourney,
  type Driver,
} from './ripa-journey';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const dirs = tempDirs('ripa-graph');
let graph: GraphServer | undefined;

afterAll(async () => {
  await closeTabs();
  await cleanupBotWorlds();
  await graph?.stop();
  dirs.cleanup();
});

async function graphEnv(): Promise<Record<string, string>> {
  graph ??= await startServer();
  const { store, config } = await freshStore(graph);
  await store.close();
  const ca = join(dirs.make(), 'ca.pem');
  writeFileSync(ca, graph.ca);
  return {
    OVERT_STORE: 'graph',
    OVERT_GRAPH_SITE: config.siteUrl,
    OVERT_GRAPH_URL: graph.url,
    OVERT_GRAPH_CA_FILE: ca,
  };
}

function httpDriver(w: BotWorld): Driver {
  return {
    invoke: async (who, verb, data) => {
      // A kept-alive socket the server closed while the test read a PDF is reset on reuse: the activity never
      // reached the bot, so it is sent once more on a new connection.
      const r = await execute(w.url, who, verb, data).catch((err: Error & { cause?: { code?: string } }) => {
        if (err.cause?.code !== 'ECONNRESET') throw err;
        return execute(w.url, who, verb, data);
      });
      expect(r.status).toBe(200);
      return r.json.value;
    },
    // Over plain HTTP there is no chat to deliver to: the reminder is the notice the timers wrote, rendered
    // as the bot renders it (the Playground test sees it arrive).
    reminded: async (ripaId) => {
      const e = (await w.running.store.audit.list()).find(
        (x) => x.action === 'notice.ripa-review' && x.target.id === ripaId,
      );
      expect(e).toBeTruthy();
      const { ripaNoticeCard } = await import('../../src/bot/views/ripa-cards');
      const d = e!.details as { text: string };
      return ripaNoticeCard('A RIPA authorisation needs review', d.text, ripaId);
    },
  };
}

describe.each([['SharePoint (local Graph server)', graphEnv]])(
  'the RIPA route over HTTP on %s',
  (_store, env) => {
    let w: BotWorld;
    beforeAll(async () => {
      w = await botWorld(await env());
    }, 120_000);
    afterAll(async () => w?.close());

    it('repeat inside three months → authorising officer records the authorisation → check recorded → review reminded → reviewed → cancelled, and the central record shows it', async () => {
      await ripaJourney(httpDriver(w), w);
    }, 180_000);

    it('a repeat for a purpose that is not a crime is refused, citing 000 §12', async () => {
      await nonCrimeRepeat(httpDriver(w), w);
    }, 60_000);

    it('after the cancellation a repeat goes to the officer again, who refuses it (the offence is under the threshold)', async () => {
      const d = httpDriver(w);
      const sent = await raise(d, w, 'DEMO-0001');
      expect(textOf(sent)).toMatch(/sending it to the authorising officer/);
      const requestId = actionData(sent, 'request.withdraw')!['requestId'] as string;
      await refusedApplication(d, w, requestId);
      // Someone who is not an authorising officer cannot open or act on it.
      const tm = await d.invoke('demo-tm-north', 'ripa.open', { requestId });
      expect(textOf(tm)).toMatch(/Only an authorising officer can do this/);
      expect(AO).toBe('demo-ao');
    }, 60_000);
  },
);
