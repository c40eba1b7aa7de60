/**
 * Issue 12, fault 3 across instances: the same delivery (one form, one approval activity) arriving several
 * times at once on two server processes sharing one store — one SQLite folder, one Graph site — writes one
 * request and one decision, and every copy is answered as the first was. `npm run soak` runs it larger.
 */
import { cleanupBotWorlds } from '../bot/world';
import { replayRounds } from './race';
import { cleanupStores } from './stores';

afterAll(async () => {
  await cleanupStores();
  cleanupBotWorlds();
});

it.each([
  ['sqlite', 3, 4],
  ['graph', 2, 4],
] as const)(
  'on the %s store, two processes: %i rounds, %i copies of each delivery at once, one request and one decision each',
  async (store, rounds, copies) => {
    const f = await replayRounds({ store, rounds, copies });
    expect(f).toMatchObject({
      failedInvokes: 0,
      otherAnswers: 0,
      otherSamples: [],
      duplicated: 0,
      lost: 0,
      requests: rounds,
      decisions: rounds,
      auditIntact: true,
    });
  },
  240_000,
);
