/**
 * Issue 13 (a fresh walker): proactive installation turned on without the app's id failed later, in silence, for
 * each approver who had never opened Overt. Startup now says so plainly, once, and the service still starts
 * (every other way of reaching people works; those it cannot reach are named to the requester).
 */
import { INSTALL_WITHOUT_APP_ID } from '../../src/bot/install';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld | undefined;
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

it('OVERT_BOT_INSTALL=on without TEAMS_APP_ID: a plain warning at startup naming both, and Overt starts', async () => {
  w = await botWorld({ OVERT_BOT_INSTALL: 'on', TEAMS_APP_ID: '' });
  const warned = w.logs
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.msg.includes(INSTALL_WITHOUT_APP_ID));
  expect(warned).toHaveLength(1);
  expect(warned[0]!.level).toBe('warn');
  expect(warned[0]!.msg).toMatch(/OVERT_BOT_INSTALL is on but TEAMS_APP_ID is not set/);
  const health = await fetch(`${w.url}/healthz`);
  expect(health.status).toBe(200);
}, 60_000);
