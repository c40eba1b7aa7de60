import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { KeptClientsAuthentication } from '../../src/bot/auth';

const TEAMS_ONLY = { extraHosts: [], loopback: false };

/** The bot's authentication keeps the outbound clients it makes, and authenticates every request as before. */
const activity = (serviceUrl: string) =>
  ({
    type: 'invoke',
    channelId: 'msteams',
    serviceUrl,
    from: { id: 'someone' },
    recipient: { id: 'overt-bot' },
    conversation: { id: 'personal-1' },
  }) as Activity;

describe('KeptClientsAuthentication', () => {
  it('makes one connector client per service URL and audience, and one user token client', async () => {
    const auth = new KeptClientsAuthentication(new ConfigurationBotFrameworkAuthentication({}), TEAMS_ONLY);
    const first = await auth.authenticateRequest(activity('https://smba.trafficmanager.net/emea/'), '');
    const second = await auth.authenticateRequest(activity('https://smba.trafficmanager.net/emea/'), '');
    const elsewhere = await auth.authenticateRequest(activity('https://smba.trafficmanager.net/amer/'), '');
    const a = await first.connectorFactory?.create('https://smba.trafficmanager.net/emea/', first.audience);
    const b = await second.connectorFactory?.create('https://smba.trafficmanager.net/emea/', second.audience);
    const c = await elsewhere.connectorFactory?.create(
      'https://smba.trafficmanager.net/amer/',
      elsewhere.audience,
    );
    expect(a).toBeDefined();
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect((c as unknown as { baseUri: string }).baseUri).toBe('https://smba.trafficmanager.net/amer/');
    const proactive = await auth
      .createConnectorFactory(first.claimsIdentity)
      .create('https://smba.trafficmanager.net/emea/', first.audience);
    expect(proactive).toBe(a);
    expect(await auth.createUserTokenClient(first.claimsIdentity)).toBe(
      await auth.createUserTokenClient(second.claimsIdentity),
    );
  });

  it('still refuses a request without a valid token when an app id is configured', async () => {
    const auth = new KeptClientsAuthentication(
      new ConfigurationBotFrameworkAuthentication({
        MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
        MicrosoftAppPassword: 'not-a-secret',
        MicrosoftAppType: 'MultiTenant',
      }),
      TEAMS_ONLY,
    );
    await expect(
      auth.authenticateRequest(activity('https://smba.trafficmanager.net/emea/'), ''),
    ).rejects.toThrow();
    await expect(
      auth.authenticateRequest(activity('https://smba.trafficmanager.net/emea/'), 'Bearer not.a.token'),
    ).rejects.toThrow();
  });
});
