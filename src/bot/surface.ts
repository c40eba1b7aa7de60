/** The bot on the service's bot port (3978): `src/server/main.ts` builds it with the service's deps. */
import type { Surface, SurfaceDeps } from '../server/surface';
import type { Deps } from '../workflow';
import { botEndpoint, type BotEndpoint } from './http';
import { botSettings } from './settings';

const endpoints = new WeakMap<Deps, BotEndpoint>();

/** The bot endpoint a running service made (tests wait on its outbox). */
export const botOf = (deps: Deps): BotEndpoint | undefined => endpoints.get(deps);

export function botSurface({ deps, env, logger, graph }: SurfaceDeps): Surface {
  const endpoint = botEndpoint(deps, botSettings(env), (s) => logger.warn({ component: 'bot' }, s), graph);
  endpoints.set(deps, endpoint);
  return {
    bot: [endpoint.handler],
    // At shutdown: no more notice passes, and what follows the turns already answered is sent (a send that
    // fails is not tried again: what a notice pass kept goes to the next holder of its lease).
    stop: async () => {
      endpoint.stop();
      endpoint.outbox.stop();
      await endpoint.outbox.settled();
    },
  };
}
