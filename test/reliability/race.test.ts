/**
 * Issue 12, fault 2: four to six pending requests for one child, approved at the same moment through two
 * server processes on one store, end with exactly one approved — on one SQLite folder and on one Graph site.
 * The others are decided afresh on the facts as they now are: sent on to the authorised officer (000 §12).
 * `npm run soak` runs the same at full size.
 */
import { cleanupBotWorlds } from '../bot/world';
import { raceRounds } from './race';
import { cleanupStores } from './stores';

afterAll(async () => {
  await cleanupStores();
  cleanupBotWorlds();
});

it.each([
  ['sqlite', 4, 6],
  ['graph', 2, 5],
] as const)(
  'on the %s store, two processes: %i rounds of %i simultaneous approvals, exactly one approved in each',
  async (store, rounds, perRound) => {
    const f = await raceRounds({ store, rounds, perRound });
    expect(f).toMatchObject({
      failedInvokes: 0,
      duplicated: 0,
      lost: 0,
      undecided: 0,
      approveDecisions: rounds,
      escalated: rounds * (perRound - 1),
      auditIntact: true,
    });
  },
  180_000,
);
