/**
 * `npm run soak`: the concurrency tests of issue 12 at full size, with their figures. Two server processes
 * on one SQLite folder and two on one local Graph site. The three-month rule: in each round a child with
 * several pending requests has every one approved at the same moment through both. Replayed deliveries:
 * in each round one form and one approval are each delivered several times at once through both. CI runs a
 * smaller size in jest (test/reliability/race.test.ts, replay-race.test.ts). Options: --rounds N (SQLite;
 * Graph runs half; the replay rounds are half of each), --per-round N (4–6), --copies N (replays, 4).
 * Exit 1 if any round ended with other than exactly one approval, or a replay wrote twice or answered
 * otherwise than the first.
 */
import { raceRounds, replayRounds, type RaceFigures, type ReplayFigures } from '../test/reliability/race';
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
  const copies = option('copies', 4);
  const all: RaceFigures[] = [];
  const replays: ReplayFigures[] = [];
  const half = (n: number) => Math.max(1, Math.round(n / 2));
  for (const [store, n] of [
    ['sqlite', rounds],
    ['graph', half(rounds)],
  ] as const) {
    all.push(await raceRounds({ store, rounds: n, perRound, log: (l) => console.log(l) }));
    replays.push(await replayRounds({ store, rounds: half(n), copies, log: (l) => console.log(l) }));
  }
  await cleanupStores();
  cleanupBotWorlds();
  console.log('');
  console.log(
    'store   processes  rounds  approvals  approved  duplicated  lost  undecided  escalated  failed  redelivered  audit   seconds',
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
        String(f.redelivered).padStart(12),
        (f.auditIntact ? 'intact' : 'BROKEN').padStart(7),
        (f.ms / 1000).toFixed(1).padStart(9),
      ].join(' '),
    );
  console.log('');
  console.log(
    'store   processes  rounds  copies  deliveries  requests  decisions  duplicated  lost  other-answers  failed  redelivered  audit   seconds',
  );
  for (const f of replays)
    console.log(
      [
        f.store.padEnd(7),
        String(f.processes).padStart(9),
        String(f.rounds).padStart(7),
        String(f.copies).padStart(7),
        String(f.deliveries).padStart(11),
        String(f.requests).padStart(9),
        String(f.decisions).padStart(10),
        String(f.duplicated).padStart(11),
        String(f.lost).padStart(5),
        String(f.otherAnswers).padStart(14),
        String(f.failedInvokes).padStart(7),
        String(f.redelivered).padStart(12),
        (f.auditIntact ? 'intact' : 'BROKEN').padStart(7),
        (f.ms / 1000).toFixed(1).padStart(9),
      ].join(' '),
    );
  for (const f of replays)
    for (const line of f.otherSamples) console.log(`${f.store}: answered otherwise: ${line}`);
  console.log(JSON.stringify([...all, ...replays]));
  const badReplay = replays.some(
    (f) =>
      f.duplicated ||
      f.lost ||
      f.otherAnswers ||
      f.failedInvokes ||
      !f.auditIntact ||
      f.requests !== f.rounds ||
      f.decisions !== f.rounds,
  );
  const bad =
    badReplay ||
    all.some(
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
