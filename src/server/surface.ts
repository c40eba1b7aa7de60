import type { Client } from '@microsoft/microsoft-graph-client';
import type { Config } from '../config';
import type { Logger } from '../util/log';
import type { Deps } from '../workflow';
import type { Handler } from './health';

/** What `server/main.ts` hands each Teams surface: the workflow, the parsed settings, the environment the
 * service was started with (each surface parses its own settings from it) and the log. */
export interface SurfaceDeps {
  deps: Deps;
  config: Config;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** The Graph client for the directory (the bot's proactive installs), made on first use from the Graph
   * settings; throws, naming what is missing, when they are incomplete. */
  graph?: () => Client;
}

/** A surface's HTTP handlers, on the bot's port or the tab's, and the work it runs after its calls (the
 * bot's outbox), awaited at shutdown after the servers close. */
export interface Surface {
  bot?: Handler[];
  tab?: Handler[];
  stop?: () => Promise<void>;
}
