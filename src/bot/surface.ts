/** Registers the bot on the service's bot port (3978): `src/server/main.ts` imports this module. */
import * as server from '../server/main';
import type { Deps } from '../workflow';
import { botEndpoint, type BotEndpoint } from './http';
import { botSettings } from './settings';

const endpoints = new WeakMap<Deps, BotEndpoint>();

/** The bot endpoint a running service made (tests wait on its outbox). */
export const botOf = (deps: Deps): BotEndpoint | undefined => endpoints.get(deps);

const register = () => {
  server.surfaces.push((deps, _config, env, logger) => {
    const endpoint = botEndpoint(deps, botSettings(env), (s) => logger.warn({ component: 'bot' }, s), env);
    endpoints.set(deps, endpoint);
    return { bot: [endpoint.handler] };
  });
  // At shutdown: no more notice passes, and what follows the turns already answered is sent.
  server.surfaceStops.push(async (deps) => {
    const endpoint = endpoints.get(deps);
    endpoint?.stop();
    await endpoint?.outbox.settled();
  });
};

/** main.ts imports this module while it is itself loading: register once its exports exist. */
function loaded(): boolean {
  try {
    return Array.isArray(server.surfaces);
  } catch {
    return false; // a live binding not yet initialised
  }
}
if (loaded()) register();
else queueMicrotask(register);
