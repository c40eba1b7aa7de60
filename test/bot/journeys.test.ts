/**
 * Every journey of issue 13's "Must show", defined once (journeys.ts, ripa-journey.ts) and run by two drivers
 * (drivers.ts): over plain HTTP, and through the Microsoft 365 Agents Playground started offline from
 * node_modules. Each driver has its own service, with approvers reachable only through Graph (the local Graph
 * server) and the fake connector:
 *   (a) case manager raises → team manager approves → a refused record is corrected and recorded;
 *   (b) a repeat inside three months → the authorising officer records the RIPA authorisation → check recorded
 *       → review reminded (the reminder delivered) → reviewed → cancelled, and the central record shows it;
 *   (c) a repeat for a purpose that is not a crime is refused, citing 000 §12;
 *   (d) an approver who never spoke to the bot still receives the card;
 *   (e) a decline without a reason is an inline error on the same card;
 *   (f) each role is told what is theirs: "waiting for me" and the RIPA queue page, IG's central record, the
 *       officer's help, and an officer in no team has the RIPA queue an officer in every team has.
 * Then every card the journeys produced is rendered with `adaptivecards` in headless Chromium at 400 and
 * 1280 px, a screenshot of each kept in test-artifacts/cards/journeys/ (card-shots.ts).
 */
import { renderCardShots, type CardShot } from './card-shots';
import {
  httpDriver,
  journeyWorld,
  playgroundDriver,
  startPlayground,
  type Driver,
  type JourneyWorld,
} from './drivers';
import { approvalJourney, rolesJourney } from './journeys';
import type { Json, Playground } from './playground';
import { closeTabs, nonCrimeRepeat, repeatedSentences, ripaJourney, tab } from './ripa-journey';
import { cleanupBotWorlds } from './world';

/** The list cards among them. */
const LISTS = new Set([
  'my-requests',
  'waiting-for-me',
  'waiting-for-me-page-1',
  'waiting-for-me-page-2',
  'ripa-queue-page-1',
  'ripa-queue-page-2',
]);

/** Every card the journeys showed, by step, from the first driver that showed it. */
const cards = new Map<string, Json>();
const seen = (name: string, card: Json) => {
  if (!cards.has(name)) cards.set(name, card);
};

afterAll(async () => {
  await closeTabs();
  await cleanupBotWorlds();
});

const DRIVERS: [string, (jw: JourneyWorld) => Promise<{ d: Driver; stop?: () => Promise<void> }>][] = [
  ['over plain HTTP', async (jw) => ({ d: httpDriver(jw, seen) })],
  [
    'through the Agents Playground',
    async (jw) => {
      const pg: Playground = await startPlayground(jw.w.url);
      return { d: playgroundDriver(jw, pg, seen), stop: () => pg.stop() };
    },
  ],
];

describe.each(DRIVERS)('the journeys %s', (_name, make) => {
  let jw: JourneyWorld;
  let d: Driver;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    jw = await journeyWorld();
    ({ d, stop } = await make(jw));
  }, 150_000);
  afterAll(async () => {
    await stop?.();
    await jw?.close();
  });

  it('(a, d, e) case manager raises → the team manager, who never spoke to the bot, gets the card through Graph → a decline without a reason is an inline error → approves → a refused record is corrected and recorded', async () => {
    await approvalJourney(d);
  }, 60_000);

  it('(b) repeat inside three months → the authorising officer records the RIPA authorisation → check recorded → review reminded → reviewed → cancelled, and the central record shows it', async () => {
    await ripaJourney(d, jw.w);
    await d.settle();
  }, 120_000);

  it('(c) a repeat for a purpose that is not a crime is refused, citing 000 §12', async () => {
    d.seen?.('request-refused-000-12', await nonCrimeRepeat(d, jw.w));
  }, 30_000);

  it('(f) each role is told what is theirs: a team manager pages through all that waits in chat, longest waiting first as in the tab; information governance hears how many applications wait for an authorising officer; the officer’s help lists the RIPA queue, not a case manager’s commands; the RIPA queue pages as “waiting for me” does, in the register’s order; an officer in no team has the same queue', async () => {
    await rolesJourney(d, (who, path) => tab(jw.w, who, path));
  }, 60_000);
});

describe('every card the journeys showed, rendered with adaptivecards in Chromium', () => {
  let shots: CardShot[] = [];
  beforeAll(async () => {
    shots = await renderCardShots(cards, 'cards/journeys');
  }, 120_000);

  it('covers each step of the journeys', () => {
    expect([...cards.keys()]).toEqual(
      expect.arrayContaining([
        'request-form',
        'approval-approver',
        'approval-decline-needs-reason',
        'record-check-problems',
        'ripa-application',
        'ripa-authorisation',
        'ripa-review-reminder',
        'ripa-authorisation-cancelled',
        'request-refused-000-12',
      ]),
    );
    expect(shots.map((s) => `${s.name}-${s.width}`)).toEqual(
      [...cards.keys()].flatMap((n) => [`${n}-400`, `${n}-1280`]),
    );
  });

  it('no card says a sentence twice (the 000 §12 refusal said its verdict twice: by the reason and under it)', () => {
    // (A list's entries may read alike — two requests for one child, for one reason, in one minute.)
    for (const [name, card] of cards)
      if (!LISTS.has(name))
        expect({ card: name, repeated: repeatedSentences(card) }).toEqual({ card: name, repeated: [] });
  });

  it('no card shows a date in a machine’s form (2026-12-01, 01/12/2026): every date reads “1 December 2026”, a time “1 December 2026, 14:05”', () => {
    for (const s of shots)
      expect({ card: s.name, width: s.width, dates: s.machineDates }).toEqual({
        card: s.name,
        width: s.width,
        dates: [],
      });
    const text = JSON.stringify([...cards.values()]);
    expect(text).toMatch(/\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}/);
  });

  it('at 400 px (a phone) and 1280 px: no renderer complaint, nothing wider than the card, every button shown and readable', () => {
    for (const s of shots) {
      expect({ card: s.name, width: s.width, problems: s.problems }).toEqual({
        card: s.name,
        width: s.width,
        problems: [],
      });
    }
  });
});
