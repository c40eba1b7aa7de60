/**
 * Where the bot posts (issue 19): only to Microsoft Teams' connector hosts. An activity whose serviceUrl is
 * anything else — another host, a look-alike, http, a port, this machine for a bot Teams signs for — is
 * refused at the door with 403, audited, and nothing is stored from it (no conversation reference, no
 * request, no card sent anywhere). The local demo's loopback connector keeps working. The connector factory
 * makes no client for such an address whoever asks, and OVERT_BOT_SERVICE_URL is held to the same rule.
 */
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { createServer } from 'node:http';
import { KeptClientsAuthentication } from '../../src/bot/auth';
import { botSettings, serviceRuleOf } from '../../src/bot/settings';
import { serviceUrlProblem, TEAMS_CONNECTOR_HOSTS } from '../../src/bot/service-url';
import { activity, post, textOf } from './client';
import { fakeConnector, type FakeConnector } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
let elsewhere: ReturnType<typeof createServer>;
let elsewhereCalls = 0;
let elsewhereUrl = '';
beforeAll(async () => {
  connector = await fakeConnector();
  // A server standing in for an address that is not Teams: it counts whatever reaches it.
  elsewhere = createServer((req, res) => {
    elsewhereCalls++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x"}');
  });
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}/`;
  w = await botWorld();
});
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await new Promise((r) => elsewhere.close(r));
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const count = async (kind: 'request' | 'conversation' | 'decision') =>
  (await w.running.store.count(kind))[0]?.count ?? 0;

describe('the bot posts only to Microsoft Teams', () => {
  it('an activity naming another serviceUrl is 403, audited, and nothing is stored or sent', async () => {
    const attempts: [string, string][] = [
      ['another host', 'https://connector.attacker.example/teams/'],
      ['a look-alike of the Teams host', 'https://smba.trafficmanager.net.attacker.example/emea/'],
      ['a Teams host over http', 'http://smba.trafficmanager.net/emea/'],
      ['a Teams host on another port', 'https://smba.trafficmanager.net:8443/emea/'],
      ['credentials in the address', 'https://user:pw@smba.trafficmanager.net/emea/'],
      ['not an address', 'smba.trafficmanager.net'],
    ];
    const before = {
      requests: await count('request'),
      conversations: await count('conversation'),
      decisions: await count('decision'),
    };
    const eventsBefore = (await w.running.store.audit.list()).length;
    for (const [what, serviceUrl] of attempts) {
      for (const body of <Record<string, unknown>[]>[
        activity(CM, `personal-${CM}`, { type: 'message', text: 'my requests', serviceUrl }),
        activity(CM, `personal-${CM}`, {
          type: 'conversationUpdate',
          serviceUrl,
          membersAdded: [{ id: 'overt-bot' }, { id: CM }],
        }),
        activity(CM, `personal-${CM}`, {
          type: 'invoke',
          name: 'adaptiveCard/action',
          serviceUrl,
          value: { action: { type: 'Action.Execute', verb: 'request.new', data: {} }, trigger: 'manual' },
        }),
      ]) {
        const r = await post(w.url, body);
        expect({ what, type: body['type'], status: r.status }).toEqual({
          what,
          type: body['type'],
          status: 403,
        });
        expect(r.json.detail).toMatch(/^Overt answers only through Microsoft Teams; /);
      }
    }
    expect({
      requests: await count('request'),
      conversations: await count('conversation'),
      decisions: await count('decision'),
    }).toEqual(before);
    const events = (await w.running.store.audit.list()).slice(eventsBefore);
    expect(events).toHaveLength(attempts.length * 3);
    for (const e of events)
      expect(e).toMatchObject({
        action: 'bot.activity',
        outcome: 'refuse',
        actor: { id: 'unidentified' },
        details: { reason: 'service-url' },
      });
    expect(events.map((e) => (e.details as { serviceUrl: string }).serviceUrl)).toEqual(
      attempts.flatMap(([, url]) => [url, url, url]),
    );
    expect(connector.sent).toHaveLength(0);
  });

  it('the local demo (no app id) still answers through a connector on this machine', async () => {
    const added = await post(
      w.url,
      activity(CM, `personal-${CM}`, {
        type: 'conversationUpdate',
        serviceUrl: connector.serviceUrl,
        membersAdded: [{ id: 'overt-bot' }, { id: CM }],
      }),
    );
    expect(added.status).toBe(200);
    await connector.waitFor((s) => s.conversationId === `personal-${CM}`);
    const r = await post(
      w.url,
      activity(CM, `personal-${CM}`, {
        type: 'message',
        text: 'my requests',
        serviceUrl: connector.serviceUrl,
        deliveryMode: 'expectReplies',
      }),
    );
    expect(r.status).toBe(200);
    expect(textOf(r.json)).not.toMatch(/only through Microsoft Teams/);
  });

  it('a bot with an app id gets no connector client for this machine or another host, whoever asks', async () => {
    const signed = botSettings({ MicrosoftAppId: '00000000-0000-0000-0000-000000000001' });
    const auth = new KeptClientsAuthentication(
      new ConfigurationBotFrameworkAuthentication({}),
      serviceRuleOf(signed),
    );
    const turn = await auth.authenticateRequest(
      { channelId: 'msteams', serviceUrl: elsewhereUrl } as Activity,
      '',
    );
    for (const url of [elsewhereUrl, 'http://localhost:3979/', 'https://connector.attacker.example/'])
      await expect(turn.connectorFactory!.create(url, turn.audience)).rejects.toThrow(
        /^the bot posts only to Microsoft Teams: /,
      );
    for (const host of TEAMS_CONNECTOR_HOSTS)
      await expect(
        turn.connectorFactory!.create(`https://${host}/teams/`, turn.audience),
      ).resolves.toBeDefined();
    // The unsigned demo's rule lets this machine through, and nothing else more.
    const demo = serviceRuleOf(botSettings({}));
    expect(serviceUrlProblem(elsewhereUrl, demo)).toBeUndefined();
    expect(serviceUrlProblem('https://connector.attacker.example/', demo)).toMatch(
      /^connector\.attacker\.example is not a Microsoft Teams connector host/,
    );
    expect(serviceUrlProblem(elsewhereUrl, serviceRuleOf(signed))).toMatch(
      /is this machine, which only a local bot with no app id \(MicrosoftAppId\) may post to$/,
    );
    expect(elsewhereCalls).toBe(0);
  });

  it('OVERT_BOT_SERVICE_URL and OVERT_BOT_SERVICE_HOSTS are held to the same rule, named when wrong', () => {
    const APP = '00000000-0000-0000-0000-000000000001';
    expect(() =>
      botSettings({
        MicrosoftAppId: APP,
        OVERT_BOT_SERVICE_URL: 'https://connector.attacker.example/teams/',
      }),
    ).toThrow(
      /^OVERT_BOT_SERVICE_URL: the bot may post only to Microsoft Teams: connector\.attacker\.example/,
    );
    expect(() => botSettings({ MicrosoftAppId: APP, OVERT_BOT_SERVICE_URL: 'http://127.0.0.1:9/' })).toThrow(
      /^OVERT_BOT_SERVICE_URL: the bot may post only to Microsoft Teams: http:\/\/127\.0\.0\.1:9 is this machine/,
    );
    expect(() => botSettings({ OVERT_BOT_SERVICE_HOSTS: 'https://smba.teams.sovcloud-core.fr/' })).toThrow(
      /^OVERT_BOT_SERVICE_HOSTS\.0: host names only/,
    );
    // A sovereign cloud's connector, added by name.
    const france = botSettings({
      MicrosoftAppId: APP,
      OVERT_BOT_SERVICE_HOSTS: 'SMBA.teams.sovcloud-core.fr',
      OVERT_BOT_SERVICE_URL: 'https://smba.teams.sovcloud-core.fr/teams/',
    });
    expect(
      serviceUrlProblem('https://smba.teams.sovcloud-core.fr/emea/', serviceRuleOf(france)),
    ).toBeUndefined();
    expect(botSettings({ MicrosoftAppId: APP }).OVERT_BOT_SERVICE_URL).toBe(
      'https://smba.trafficmanager.net/teams/',
    );
  });
});
