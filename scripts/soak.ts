/**
 * `npm run soak`: the concurrency tests of issue 12 at full size, with their figures. Two server processes
 * on one SQLite folder and two on one local Graph site; in each round a child with several pending requests
 * has every one approved at the same moment through both. CI runs a smaller size in jest
 * (test/reliability/race.test.ts). Options: --rounds N (SQLite; Graph runs half), --per-round N (4–6).
 * Exit 1 if any round ended with other than exactly one approval.
 */
import { raceRounds, type RaceFigures } from '../test/reliability/race';
import { cleanupStores } from '../test/reliability/stores';
import { cleanupBotWorlds } from '../test/bot/world';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name}: a positive whole number`);
  return n;
}

async function main(): Promise<void> {
  const rounds = option('rounds', 40);
  const perRound = option('per-round', 6);
  const all: RaceFigures[] = [];
  for (const [store, n] of [
    ['sqlite', rounds],
    ['graph', Math.max(1, Math.round(rounds / 2))],
  ] as const) {
    const f = await raceRounds({ store, rounds: n, perRound, log: (l) => console.log(l) });
    all.push(f);
  }
  await cleanupStores();
  cleanupBotWorlds();
  console.log('');
  console.log(
    'store   processes  rounds  approvals  approved  duplicated  lost  undecided  escalated  failed  audit   seconds',
  );
  for (const f of all)
    console.log(
      [
        f.store.padEnd(7),
        String(f.processes).padStart(9),
        String(f.rounds).padStart(7),
        String(f.approvals).padStart(10),
        String(f.approveDecisions).padStart(9),
        String(f.duplicated).padStart(11),
        String(f.lost).padStart(5),
        String(f.undecided).padStart(10),
        String(f.escalated).padStart(10),
        String(f.failedInvokes).padStart(7),
        (f.auditIntact ? 'intact' : 'BROKEN').padStart(7),
        (f.ms / 1000).toFixed(1).padStart(9),
      ].join(' '),
    );
  console.log(JSON.stringify(all));
  const bad = all.some(
    (f) =>
      f.duplicated ||
      f.lost ||
      f.undecided ||
      f.failedInvokes ||
      !f.auditIntact ||
      f.approveDecisions !== f.rounds,
  );
  process.exit(bad ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
