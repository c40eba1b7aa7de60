/**
 * One name for the RIPA officer (issue 20 walk, finding 3, and issue 13's naming): bot cards, the tab and the
 * command line called the role "RIPA authorised officer", "authorising officer" and "authorised officer". The
 * field's standard term, "authorising officer", comes from one vocabulary entry (`AUTHORISING_OFFICER`), and a
 * profile's own words are read with it (`officerWords`). Over plain HTTP on SQLite: the whole RIPA route (the
 * journey of ripa-journey.ts) and each person's greeting and help, every card's text scanned for another name.
 * The tab's views are scanned in test/tab/deep-link.test.ts, `overt policy show` in test/cli/policy.test.ts.
 */
import { officerWords } from '../../src/vocabulary';
import { execute, say, textOf } from './client';
import { AO, closeTabs, CM, ripaJourney, TM, type Driver } from './ripa-journey';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

/** Any other name the role went by. */
export const OTHER_NAMES =
  /\b(?:RIPA authori[sz]ed officer|authori[sz]ed officers?|authorizing officers?)\b/i;

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
}, 60_000);
afterAll(async () => {
  await closeTabs();
  await w?.close();
  await cleanupBotWorlds();
});

it('the other names become the one', () => {
  expect(officerWords('RIPA authorised officer')).toBe('authorising officer');
  expect(officerWords('The authorised officer records it')).toBe('The authorising officer records it');
  expect(officerWords('two authorized officers, an authorizing officer')).toBe(
    'two authorising officers, an authorising officer',
  );
  expect(officerWords('an authorising officer')).toBe('an authorising officer');
});

it('every card of the RIPA route, and each person’s greeting and help, names the role "authorising officer" only', async () => {
  const cards: [string, unknown][] = [];
  const d: Driver = {
    invoke: async (who, verb, data) => {
      const r = await execute(w.url, who, verb, data);
      expect(r.status).toBe(200);
      cards.push([`${who} ${verb}`, r.json.value]);
      return r.json.value;
    },
    reminded: async (ripaId) => {
      const e = (await w.running.store.audit.list()).find(
        (x) => x.action === 'notice.ripa-review' && x.target.id === ripaId,
      );
      expect(e).toBeTruthy();
      const { ripaNoticeCard } = await import('../../src/bot/views/ripa-cards');
      const card = ripaNoticeCard(
        'A RIPA authorisation needs review',
        (e!.details as { text: string }).text,
        ripaId,
      );
      cards.push(['reminder', card]);
      return card;
    },
  };
  await ripaJourney(d, w);
  for (const who of [CM, TM, AO])
    for (const words of ['hi', 'help', 'waiting for me', 'ripa'])
      for (const card of (await say(w.url, who, words)).cards) cards.push([`${who} "${words}"`, card]);
  const named = cards.filter(([, c]) => /authorising officer/i.test(textOf(c)));
  expect(named.length).toBeGreaterThan(5);
  expect(
    cards
      .filter(([, c]) => OTHER_NAMES.test(JSON.stringify(c)))
      .map(
        ([n, c]) =>
          `${n}: ${JSON.stringify(c).match(new RegExp(`.{0,80}${OTHER_NAMES.source}.{0,40}`, 'i'))?.[0]}`,
      ),
  ).toEqual([]);
}, 180_000);
