/**
 * The two ways the journeys (journeys.ts, ripa-journey.ts) reach the bot, so one journey definition runs
 * through both and the two cannot drift:
 *
 * - over plain HTTP: activities POSTed to /api/messages as Teams sends them, the bot's proactive messages
 *   caught by a fake Bot Framework connector (connector.ts);
 * - through the Microsoft 365 Agents Playground (playground.ts), started offline from node_modules: the case
 *   manager is its current user, so what they type and every card the bot sends them goes through it, and the
 *   others click in its group chat (a click honours `from.id`, PLAYGROUND.md).
 *
 * In both, nobody but the case manager has spoken to the bot: Overt reaches every approver by installing
 * itself for them through Microsoft Graph (the in-repo Graph server, real Graph client) and writing in the chat
 * Graph gives, through the fake connector (issue 13 part 3). The Playground cannot host a second personal
 * chat, so that is where an approver's cards arrive in both drivers.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { botOf } from '../../src/bot/surface';
import { startGraphServer, type GraphServer } from '../../tools/graph-local/server';
import { activity, post } from './client';
import { cardOf, fakeConnector, type FakeConnector } from './connector';
import { GROUP, PERSONAL, startPlayground, type Json, type Playground } from './playground';
import { CM, type Driver as RipaDriver } from './ripa-journey';
import { botWorld, type BotWorld } from './world';

export const TEAMS_APP_ID = '5c0f7e2a-1d3b-4f6e-9a8c-0000000000aa';
const CATALOG_BOT = '28:overt-catalog-bot';
/** The chat the local Graph server gives an installation of Overt for a person. */
export const graphChatOf = (who: string) => `19:${who}_${CATALOG_BOT}@unq.gbl.spaces`;

/** How a person uses Overt in Teams, whichever way the bot is reached. */
export interface Driver extends RipaDriver {
  name: string;
  world: BotWorld;
  /** A person types in their chat with the bot: the first card it answers with. */
  say: (who: string, text: string) => Promise<Json>;
  /** The first card sent to the person (not as the answer to a click) that matches, and where it went. */
  delivered: (who: string, match: (card: Json) => boolean) => Promise<{ card: Json; conversationId: string }>;
  /** Waits until the bot has sent everything it queued. */
  settle: () => Promise<void>;
}

/** The service with approvers reachable only through Graph: the Graph server, a fake connector, the bot. */
export interface JourneyWorld {
  w: BotWorld;
  connector: FakeConnector;
  graph: GraphServer;
  close: () => Promise<void>;
}

const PEOPLE = [
  'demo-cm-north-1',
  'demo-cm-north-2',
  'demo-cm-south-1',
  'demo-tm-north',
  'demo-tm-south',
  'demo-sm',
  'demo-ao',
  'demo-ig',
];

export async function journeyWorld(): Promise<JourneyWorld> {
  const connector = await fakeConnector();
  const graph = await startGraphServer({
    directory: {
      users: PEOPLE.map((id) => ({ id, displayName: id, userPrincipalName: `${id}@demo.example` })),
    },
    teamwork: {
      apps: [{ id: 'catalog-overt', externalId: TEAMS_APP_ID, displayName: 'Overt', botId: CATALOG_BOT }],
    },
  });
  const ca = join(tmpdir(), `overt-journeys-ca-${process.pid}-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(ca, graph.ca);
  const w = await botWorld({
    OVERT_BOT_INSTALL: 'on',
    TEAMS_APP_ID,
    OVERT_GRAPH_URL: graph.url,
    OVERT_GRAPH_CA_FILE: ca,
    OVERT_BOT_SERVICE_URL: connector.serviceUrl,
  });
  return {
    w,
    connector,
    graph,
    close: async () => {
      await w.close();
      await connector.close();
      await graph.stop();
    },
  };
}

const settleOf = (w: BotWorld) => () => botOf(w.running.deps)!.outbox.settled();

/** What the fake connector received for a person, in the chats that are theirs. */
function connectorDelivered(connector: FakeConnector, chats: (who: string) => string[]) {
  return async (who: string, match: (card: Json) => boolean) => {
    const mine = chats(who);
    const s = await connector.waitFor(
      (x) => x.method === 'POST' && mine.includes(x.conversationId) && !!cardOf(x) && match(cardOf(x)),
      10_000,
    );
    return { card: cardOf(s), conversationId: s.conversationId };
  };
}

/** Over plain HTTP: each person in their personal chat, or the chat Graph made for them once a card came there. */
export function httpDriver(jw: JourneyWorld, seen?: Driver['seen']): Driver {
  const { w, connector } = jw;
  const where = new Map<string, string>();
  const send = async (who: string, extra: Record<string, unknown>) => {
    const conversationId = where.get(who) ?? `personal-${who}`;
    const body = activity(who, conversationId, { serviceUrl: connector.serviceUrl, ...extra });
    // A kept-alive socket the server closed meanwhile is reset on reuse: the activity never reached the bot,
    // so it is sent once more on a new connection.
    const r = await post(w.url, body).catch((err: Error & { cause?: { code?: string } }) => {
      if (err.cause?.code !== 'ECONNRESET') throw err;
      return post(w.url, body);
    });
    expect(r.status).toBe(200);
    return r.json;
  };
  const delivered = connectorDelivered(connector, (who) => [`personal-${who}`, graphChatOf(who)]);
  return {
    name: 'over plain HTTP',
    world: w,
    seen,
    settle: settleOf(w),
    say: async (who, text) => {
      const r = await send(who, {
        type: 'message',
        text,
        textFormat: 'plain',
        deliveryMode: 'expectReplies',
      });
      return r.activities?.[0]?.attachments?.[0]?.content;
    },
    invoke: async (who, verb, data) => {
      const r = await send(who, {
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      });
      return r.value;
    },
    delivered: async (who, match) => {
      const d = await delivered(who, match);
      where.set(who, d.conversationId); // they act on it where it arrived
      return d;
    },
    reminded: async (ripaId) =>
      (await delivered('demo-ao', (c) => /needs review/.test(JSON.stringify(c)) && hasShow(c, ripaId))).card,
  };
}

const hasShow = (card: Json, ripaId: string) => JSON.stringify(card).includes(`"ripaId":"${ripaId}"`);

/**
 * Through the Agents Playground: the case manager is its current user (their personal chat, on its websocket);
 * the others are members of its group chat and click there. Their cards come through Graph and the fake
 * connector (see above).
 */
export function playgroundDriver(jw: JourneyWorld, pg: Playground, seen?: Driver['seen']): Driver {
  const { w, connector } = jw;
  const chatOf = (who: string) => (who === CM ? PERSONAL : GROUP);
  /**
   * The message a click is on (the Playground refuses a click on no message in the thread): the last the bot
   * sent in that conversation. An approver's cards are in the chat Graph made for them, which the Playground
   * cannot show; their clicks are sent from its group chat, on a message the case manager posted there (the bot
   * is not mentioned, so it sees nothing of it).
   */
  const anchors = new Map<string, Promise<string>>();
  const replyTo = async (conversationId: string) => {
    const last = pg.frames.filter((f) => f.actionConversationId === conversationId).at(-1);
    if (last) return String(last.message.messageId);
    if (!anchors.has(conversationId))
      anchors.set(conversationId, pg.message(conversationId, CM, 'Our managers decide in their own chats.'));
    return anchors.get(conversationId)!;
  };
  const viaConnector = connectorDelivered(connector, (who) => [graphChatOf(who), `personal-${who}`]);
  const delivered: Driver['delivered'] = async (who, match) => {
    if (who !== CM) return viaConnector(who, match);
    const f = await pg.waitFrame(
      (x) =>
        x.action === 'createMessage' &&
        x.actionConversationId === PERSONAL &&
        !!x.message.attachments?.[0]?.content &&
        match(x.message.attachments[0].content),
    );
    return { card: f.message.attachments[0].content, conversationId: PERSONAL };
  };
  return {
    name: 'through the Agents Playground',
    world: w,
    seen,
    settle: settleOf(w),
    say: async (who, text) => {
      if (who !== CM) throw new Error('the Playground sends messages only as its current user');
      const from = pg.frames.length;
      await pg.message(PERSONAL, who, text);
      const f = await pg.waitFrame(
        (x) =>
          pg.frames.indexOf(x) >= from &&
          x.actionConversationId === PERSONAL &&
          !!x.message.attachments?.[0]?.content,
      );
      return f.message.attachments[0].content;
    },
    invoke: async (who, verb, data) => {
      const conversationId = chatOf(who);
      const r = await pg.invoke(conversationId, who, await replyTo(conversationId), verb, data);
      return r.value;
    },
    delivered,
    reminded: async (ripaId) =>
      (await delivered('demo-ao', (c) => /needs review/.test(JSON.stringify(c)) && hasShow(c, ripaId))).card,
  };
}

export { startPlayground };
