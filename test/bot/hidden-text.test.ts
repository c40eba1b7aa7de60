/**
 * Issue 20 (walk finding 2), through the bot endpoint: a direction override or isolate (U+202A–U+202E,
 * U+2066–U+2069) in text a person typed reorders what an approver reads, so it is refused by its field — the
 * form comes back as filled in, the problem by the field, nothing written, the refusal an audit event — and the
 * invisible characters that only hide (zero-width space, word joiner, byte order mark, soft hyphen) or glue
 * (no-break spaces) are removed or made ordinary before anything is kept. The API's side: test/api/hidden-text.
 */
import { execute, inputsOf, problemOf, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
});
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const requests = async () => (await w.running.store.count('request'))[0]!.count;
const send = async (fields: Record<string, string>) =>
  execute(w.url, CM, 'request.send', {
    formId: `form-hidden-${Math.random()}`,
    childId: await w.childId('DEMO-0001'),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
    ...fields,
  });

describe('hidden characters in what a person types, at the bot', () => {
  it.each([
    [
      'a right-to-left override in the rationale',
      'rationale',
      'Fictional: risk noted \u202eevorppa\u202c now',
    ],
    ['a left-to-right isolate in the rationale', 'rationale', 'Fictional: risk \u2066noted\u2069 today'],
    ['a right-to-left embedding in an account', 'platforms', 'instagram: @demo\u202bname'],
    ['a first-strong isolate in an account', 'platforms', 'instagram: @demo\u2068name\u2069'],
  ])(
    '%s is refused by its field, kept on the form, audited, and nothing is written',
    async (_n, field, typed) => {
      const before = await requests();
      const events = (await w.running.store.audit.list()).length;
      const r = await send({ [field]: typed });
      expect(r.status).toBe(200);
      const card = r.json.value;
      expect(problemOf(card, field)).toMatch(/hidden character that reverses or reorders the text/);
      // What was typed is kept on the form, so the person can see and retype it.
      expect(inputsOf(card)[field]).toBe(typed);
      expect(textOf(card)).not.toMatch(/rationale|platforms|U\+/);
      expect(await requests()).toBe(before);
      const added = (await w.running.store.audit.list()).slice(events);
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ action: 'bot:request.send', outcome: 'refuse', actor: { id: CM } });
    },
  );

  it('invisible characters are removed and no-break spaces made ordinary before the request is kept', async () => {
    const before = await requests();
    const r = await send({
      platforms: 'instagram: @demo\u2060.\u2060north\u200b_account\ufeff',
      rationale: 'Fictional:\u00a0seen at 10:\u206045\u202fon a shared\u00ad screen',
    });
    expect(textOf(r.json.value)).not.toMatch(/could not|fill this in/i);
    expect(await requests()).toBe(before + 1);
    const kept = (await w.running.store.query('request', {})).map((x) => x.record);
    const mine = kept.find((x) => x.rationale?.includes('shared screen'))!;
    expect(mine.rationale).toBe('Fictional: seen at 10:45 on a shared screen');
    expect(mine.platforms).toEqual([{ platform: 'instagram', account: '@demo.north_account' }]);
  });
});
