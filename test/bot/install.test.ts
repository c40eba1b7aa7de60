/**
 * issue 13 part 3: an approver who never spoke to the bot still gets the approval card. Overt installs itself
 * for them through Microsoft Graph (the in-repo Graph server, driven by the real Graph client: the catalog
 * lookup, POST /users/{id}/teamwork/installedApps, the installation's chat) and writes in that chat through
 * the fake connector. Where Teams refuses the install (the app blocked for the person by policy), the
 * requester is told truthfully — not "sent" — the service manager is told, and the request waits in the
 * approver's "waiting for me".
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { botOf } from '../../src/bot/surface';
import { startGraphServer, type GraphServer } from '../../tools/graph-local/server';
import { actionData, activity, execute, mriOf, post, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

const TEAMS_APP_ID = '5c0f7e2a-1d3b-4f6e-9a8c-0000000000aa';
const CM = 'demo-cm-north-1';
const CM_SOUTH = 'demo-cm-south-1';
const TM = 'demo-tm-north';
const TM_SOUTH = 'demo-tm-south';
const SM = 'demo-sm';

let w: BotWorld;
let connector: FakeConnector;
let graph: GraphServer;
const chatOf = (who: string) => `19:${who}_28:overt-catalog-bot@unq.gbl.spaces`;
const settled = () => botOf(w.running.deps)!.outbox.settled();
const audited = async (action: string, targetId: string) =>
  (await w.running.store.audit.list()).filter((e) => e.action === action && e.target.id === targetId);

beforeAll(async () => {
  connector = await fakeConnector();
  const people = [CM, CM_SOUTH, TM, TM_SOUTH, SM, 'demo-ao', 'demo-ig'];
  graph = await startGraphServer({
    directory: {
      users: people.map((id) => ({ id, displayName: id, userPrincipalName: `${id}@demo.example` })),
    },
    teamwork: {
      apps: [
        {
          id: 'catalog-overt',
          externalId: TEAMS_APP_ID,
          displayName: 'Overt',
          botId: '28:overt-catalog-bot',
        },
      ],
      // The tenant's app permission policy does not allow Overt for the south team's manager.
      blockedUsers: [TM_SOUTH],
    },
  });
  const ca = join(tmpdir(), `overt-install-ca-${process.pid}.pem`);
  writeFileSync(ca, graph.ca);
  w = await botWorld({
    OVERT_BOT_INSTALL: 'on',
    TEAMS_APP_ID,
    OVERT_GRAPH_URL: graph.url,
    OVERT_GRAPH_CA_FILE: ca,
    OVERT_BOT_SERVICE_URL: connector.serviceUrl,
  });
  // The case managers and the service manager have Overt in their personal chats; the managers never spoke to it.
  for (const who of [CM, CM_SOUTH, SM]) {
    const r = await post(
      w.url,
      activity(who, `personal-${who}`, {
        type: 'conversationUpdate',
        serviceUrl: connector.serviceUrl,
        membersAdded: [{ id: 'overt-bot' }, { id: who }],
      }),
    );
    expect(r.status).toBeLessThan(300);
  }
  await settled();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await graph?.stop();
  await cleanupBotWorlds();
});

async function raise(who: string, caseRef: string) {
  const sent = await execute(w.url, who, 'request.send', {
    formId: `form-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();
  return { requestId, card: sent.json.value };
}

it('an approver who never spoke to the bot: Overt installs itself for them through Graph and the approval card reaches their new chat; they approve from it', async () => {
  const from = connector.sent.length;
  const { requestId } = await raise(CM, 'DEMO-0001');
  await settled();
  const card = await connector.waitFor((s) => s.conversationId === chatOf(TM), 8000, from);
  expect(textOf(cardOf(card))).toMatch(/DEMO-0001/);
  // The chat Graph gave is kept: the manager's next card goes straight there, with no second install.
  const kept = await w.running.store.get('conversation', TM);
  expect(JSON.stringify(kept?.record.reference)).toContain(chatOf(TM));
  expect(await audited('bot.install', TM)).toEqual([expect.objectContaining({ outcome: 'installed' })]);
  // Its refresh lists Teams' user id (MRI) for the requester, who has spoken to Overt; not the manager's Entra
  // object id, which Teams would not match: Teams has not yet told Overt the manager's MRI.
  expect(cardOf(card).refresh.userIds).toEqual([mriOf(CM)]);
  expect(JSON.stringify(cardOf(card).refresh)).not.toContain(TM);
  // Nobody was told the manager cannot be reached.
  expect(await audited('bot.deliver', TM)).toEqual([]);
  expect(connector.sent.slice(from).filter((s) => /cannot reach/i.test(textOf(cardOf(s))))).toHaveLength(0);
  // The manager acts on the card in that chat.
  const opened = await execute(w.url, TM, 'request.refresh', { requestId }, chatOf(TM));
  const version = actionData(opened.json.value, 'request.approve')?.['version'];
  expect(version).toBeTruthy();
  const approved = await execute(
    w.url,
    TM,
    'request.approve',
    { requestId, version, reasons: 'Fictional: proportionate to the risk.' },
    chatOf(TM),
  );
  expect(textOf(approved.json.value)).toMatch(/approved/i);
  expect((await w.running.store.get('request', requestId))!.record.status).toBe('approved');
  // Once Teams has sent an activity from the manager in that chat, their MRI is known and listed.
  const hi = await post(
    w.url,
    activity(TM, chatOf(TM), { type: 'message', text: 'hi', serviceUrl: connector.serviceUrl }),
  );
  expect(hi.status).toBeLessThan(300);
  const second = await raise(CM, 'DEMO-0002');
  await settled();
  const next = await connector.waitFor(
    (s) => s.conversationId === chatOf(TM) && JSON.stringify(s.activity).includes(second.requestId),
    8000,
    from,
  );
  // The chat's own person first, then the requester (each chat's card lists its recipient first).
  expect(cardOf(next).refresh.userIds).toEqual([mriOf(TM), mriOf(CM)]);
});

it('where Teams will not let Overt be added for the approver: the requester is told so truthfully, the service manager is told, the refusal is audited, and the request waits in the approver’s "waiting for me"', async () => {
  const from = connector.sent.length;
  const { requestId, card } = await raise(CM_SOUTH, 'DEMO-0101');
  await settled();
  // The answer to the requester never claims the request was sent.
  expect(textOf(card)).not.toMatch(/Request sent to/i);
  const told = await connector.waitFor(
    (s) => s.conversationId === `personal-${CM_SOUTH}` && /cannot reach/i.test(textOf(cardOf(s))),
    8000,
    from,
  );
  const text = textOf(cardOf(told));
  expect(text).toMatch(/Bryn Birchwood/);
  expect(text).toMatch(/app policy does not allow Overt/);
  expect(text).not.toMatch(/demo-tm-south/);
  await connector.waitFor(
    (s) => s.conversationId === `personal-${SM}` && /cannot reach Bryn Birchwood/i.test(textOf(cardOf(s))),
    8000,
    from,
  );
  expect(await audited('bot.install', TM_SOUTH)).toEqual([expect.objectContaining({ outcome: 'refused' })]);
  expect(await audited('bot.deliver', TM_SOUTH)).toEqual([
    expect.objectContaining({ outcome: 'unreachable' }),
  ]);
  // Findable: the manager's "waiting for me" lists it, by child and requester, with a button to open it.
  const r = await post(
    w.url,
    activity(TM_SOUTH, `personal-${TM_SOUTH}`, {
      type: 'message',
      text: 'waiting for me',
      deliveryMode: 'expectReplies',
    }),
  );
  const waiting = r.json.activities[0].attachments[0].content;
  expect(textOf(waiting)).toMatch(/DEMO-0101/);
  expect(textOf(waiting)).toMatch(/Gale Greywell/);
  expect(actionData(waiting, 'request.refresh')?.['requestId']).toBe(requestId);
});
