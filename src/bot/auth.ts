/**
 * The bot's Bot Framework authentication: the configured one (ConfigurationBotFrameworkAuthentication), with
 * its outbound clients kept. CloudAdapter asks for a new ConnectorClient and UserTokenClient on every turn,
 * and building one (an HTTP pipeline, its policies, credentials) cost more than a short invoke's own work;
 * the older BotFrameworkAdapter kept them per service URL, app and audience, and so does this. Inbound
 * requests are authenticated exactly as before: only what is made after authentication is kept. No client is
 * made for an address that is not Microsoft Teams' (service-url.ts).
 *
 * A kept client makes one request per call: the Azure pipeline's own retry policy (3 more tries of every 5xx
 * and 429, unlogged) is taken out, so the Outbox (outbox.ts) alone retries, with its backoff, Retry-After
 * honoured and each wait logged. With both, a message Teams kept failing was 4 × 4 requests.
 */
import type { Activity } from 'botbuilder';
import {
  AuthenticationConstants,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import { serviceUrlProblem, type ServiceUrlRule } from './service-url';

/** A small map that forgets its oldest entry past `max` (service URLs come from activities). */
class Kept<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string, make: () => V): V {
    let v = this.map.get(key);
    if (v === undefined) {
      if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
      v = make();
      this.map.set(key, v);
    }
    return v;
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

const KEPT_CLIENTS = 64;

/** A connector factory whose clients are kept per service URL and audience (for the one app it serves). */
class KeptConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly clients: Kept<Promise<ConnectorClient>>,
    private readonly appKey: string,
    private readonly service: ServiceUrlRule,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    // The one place a client to a connector is made: an address not Teams' gets none, whoever asked (an
    // activity's reply, a kept conversation reference, a chat Overt opens).
    const problem = serviceUrlProblem(serviceUrl, this.service);
    if (problem) return Promise.reject(new Error(`the bot posts only to Microsoft Teams: ${problem}`));
    const key = `${this.appKey}\n${serviceUrl}\n${audience ?? ''}`;
    const made = this.clients.get(key, () => this.inner.create(serviceUrl, audience).then(withoutRetries));
    // A client that could not be made is not kept: the next turn tries again.
    made.catch(() => this.clients.delete(key));
    return made;
  }
}

/** The client's pipeline (botbuilder-stdlib's ServiceClientContext over @azure/core-client) without the
 * policies of its Retry phase; a client whose pipeline is not where it is looked for is refused, not used
 * with retries hidden inside the Outbox's. */
function withoutRetries(client: ConnectorClient): ConnectorClient {
  const pipeline = (
    client as unknown as {
      client?: { pipeline?: { removePolicy?: (o: { phase: 'Retry' }) => { name: string }[] } };
    }
  ).client?.pipeline;
  if (typeof pipeline?.removePolicy !== 'function')
    throw new Error('the Bot Framework connector client has no pipeline to take its retries out of');
  pipeline.removePolicy({ phase: 'Retry' });
  return client;
}

function appKeyOf(claims: ClaimsIdentity): string {
  return (
    claims.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    claims.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

export class KeptClientsAuthentication extends BotFrameworkAuthentication {
  private readonly connectors = new Kept<Promise<ConnectorClient>>(KEPT_CLIENTS);

  private readonly userTokens = new Kept<Promise<UserTokenClient>>(KEPT_CLIENTS);

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly service: ServiceUrlRule,
  ) {
    super();
  }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.keptResult(await this.inner.authenticateRequest(activity, authHeader));
  }

  async authenticateStreamingRequest(
    authHeader: string,
    channelIdHeader: string,
  ): Promise<AuthenticateRequestResult> {
    return this.keptResult(await this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.kept(this.inner.createConnectorFactory(claimsIdentity), claimsIdentity);
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = appKeyOf(claimsIdentity);
    const made = this.userTokens.get(key, () => this.inner.createUserTokenClient(claimsIdentity));
    made.catch(() => this.userTokens.delete(key));
    return made;
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  private keptResult(r: AuthenticateRequestResult): AuthenticateRequestResult {
    return r.connectorFactory
      ? { ...r, connectorFactory: this.kept(r.connectorFactory, r.claimsIdentity) }
      : r;
  }

  private kept(factory: ConnectorFactory, claims: ClaimsIdentity): ConnectorFactory {
    return new KeptConnectorFactory(factory, this.connectors, appKeyOf(claims), this.service);
  }
}
