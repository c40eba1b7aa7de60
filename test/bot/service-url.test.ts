/**
 * Where the bot posts (issue 19): only to Microsoft Teams' connector hosts. An activity whose serviceUrl is
 * anything else — another host, a look-alike, http, a port, this machine for a bot Teams signs for — is
 * refused at the door with 403, audited, and nothing is stored from it (no conversation reference, no
 * request, no card sent anywhere). The local demo's loopback connector keeps working. The connector factory
 * makes no client for such an address whoever asks, and OVERT_BOT_SERVICE_URL is held to the same rule.
 * The door's check holds for an activity Teams really signed, too: a channel token from a key set served here
 * (endorsed for Teams, as Bot Framework's is) passes the endpoint's own authentication, and an off-list
 * serviceUrl in it is still refused, audited, with nothing stored or sent.
 */
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { botEndpoint } from '../../src/bot/http';
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

  it('a Teams-signed activity (a valid channel token) naming another serviceUrl: 403 over HTTP, audited, nothing stored or sent', async () => {
    // The channel's key set, as Bot Framework publishes it: an OpenID configuration and its keys, the key
    // endorsed for Teams. Tokens signed with it pass the endpoint's real check (CloudAdapter's channel
    // validation: signature, issuer, audience = the app id, the serviceurl claim = the activity's).
    const APP = '00000000-0000-0000-0000-0000000000b0';
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = {
      ...(await exportJWK(publicKey)),
      kid: 'channel-key',
      use: 'sig',
      endorsements: ['msteams'],
    };
    const issuer = createServer((req, res) => {
      const base = `http://127.0.0.1:${(issuer.address() as { port: number }).port}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url === '/keys'
            ? { keys: [jwk] }
            : { issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys` },
        ),
      );
    });
    await new Promise<void>((r) => issuer.listen(0, '127.0.0.1', r));
    const metadata = `http://127.0.0.1:${(issuer.address() as { port: number }).port}/.well-known/openidconfiguration`;
    const logs: string[] = [];
    const endpoint = botEndpoint(
      w.running.deps,
      botSettings({ MicrosoftAppId: APP, OVERT_BOT_TENANTS: 'demo-tenant' }),
      (l) => logs.push(l),
      undefined,
      { channelOpenIdMetadataUrl: metadata },
    );
    const server = createServer((req, res) => void endpoint.handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const token = (serviceurl: string, key: KeyLike = privateKey, kid = 'channel-key') =>
      new SignJWT({ serviceurl })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer('https://api.botframework.com')
        .setAudience(APP)
        .setNotBefore('-1 minute')
        .setExpirationTime('1 hour')
        .sign(key);
    try {
      const before = {
        requests: await count('request'),
        conversations: await count('conversation'),
        decisions: await count('decision'),
      };
      const eventsBefore = (await w.running.store.audit.list()).length;
      const sentBefore = connector.sent.length;
      const offList = [elsewhereUrl, 'https://connector.attacker.example/teams/'];
      for (const serviceUrl of offList)
        for (const body of <Record<string, unknown>[]>[
          activity(CM, `personal-${CM}`, { type: 'message', text: 'my requests', serviceUrl }),
          activity(CM, `personal-${CM}`, {
            type: 'invoke',
            name: 'adaptiveCard/action',
            serviceUrl,
            value: { action: { type: 'Action.Execute', verb: 'request.new', data: {} }, trigger: 'manual' },
          }),
        ]) {
          const r = await post(url, body, { authorization: `Bearer ${await token(serviceUrl)}` });
          expect({ serviceUrl, type: body['type'], status: r.status }).toEqual({
            serviceUrl,
            type: body['type'],
            status: 403,
          });
          expect(r.json.detail).toMatch(/^Overt answers only through Microsoft Teams; /);
        }
      // Refused at the door, after the signature was accepted: audited, and nothing else written or sent.
      const events = (await w.running.store.audit.list()).slice(eventsBefore);
      expect(events).toHaveLength(offList.length * 2);
      for (const e of events)
        expect(e).toMatchObject({
          action: 'bot.activity',
          outcome: 'refuse',
          actor: { id: 'unidentified' },
          details: { reason: 'service-url' },
        });
      expect(events.map((e) => (e.details as { serviceUrl: string }).serviceUrl)).toEqual(
        offList.flatMap((u) => [u, u]),
      );
      expect({
        requests: await count('request'),
        conversations: await count('conversation'),
        decisions: await count('decision'),
      }).toEqual(before);
      expect(connector.sent.length).toBe(sentBefore);
      expect(elsewhereCalls).toBe(0);
      expect(logs.join('\n')).not.toMatch(/authentication failed/);

      // The check is real: the same claims signed with a key the channel never published, and a token whose
      // serviceurl claim is not the activity's, are 401 — neither reaches the door's serviceUrl check.
      const stranger = (await generateKeyPair('RS256')).privateKey;
      const eventsNow = (await w.running.store.audit.list()).length;
      for (const auth of [
        await token(elsewhereUrl, stranger, 'channel-key'),
        await token('https://smba.trafficmanager.net/emea/'),
      ]) {
        const r = await post(
          url,
          activity(CM, `personal-${CM}`, { type: 'message', text: 'my requests', serviceUrl: elsewhereUrl }),
          { authorization: `Bearer ${auth}` },
        );
        expect(r.status).toBe(401);
      }
      expect((await w.running.store.audit.list()).length).toBe(eventsNow);
      // And a Teams host signed the same way is let in (answered inline: nothing is sent to Teams from here).
      const teams = 'https://smba.trafficmanager.net/emea/';
      const ok = await post(
        url,
        activity(CM, `personal-${CM}`, {
          type: 'message',
          text: 'my requests',
          serviceUrl: teams,
          deliveryMode: 'expectReplies',
        }),
        { authorization: `Bearer ${await token(teams)}` },
      );
      expect(ok.status).toBe(200);
    } finally {
      endpoint.stop();
      await new Promise((r) => server.close(r));
      await new Promise((r) => issuer.close(r));
    }
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
