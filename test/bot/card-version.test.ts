/**
 * Issue 20 (walk finding 1), through the bot endpoint: a decision must carry the version of the request the
 * card showed. One without a version — a card that did not carry it, or data made by hand — is treated as a
 * stale card: the person gets the request as it is now with a plain sentence, nothing is decided or written,
 * and the refusal is one audit event. The same decision with the version from the card is acted on.
 */
import { actionData, execute, textOf } from './client';
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
const TM = 'demo-tm-north';

async function raise(caseRef: string): Promise<string> {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: `form-version-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'];
  expect(typeof requestId).toBe('string');
  return requestId as string;
}

describe('a decision names the version its card showed', () => {
  it.each([
    ['request.approve', 'Fictional: necessary and proportionate.', 'DEMO-0001'],
    ['request.decline', 'Fictional: not proportionate now.', 'DEMO-0002'],
    ['request.more-info', 'Fictional: say what the new information is.', 'DEMO-0003'],
  ])(
    '%s without a version is refused as a stale card: the current card, a sentence, nothing written, one audit event',
    async (verb, reasons, caseRef) => {
      const requestId = await raise(caseRef);
      const view = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
      const pressed = actionData(view, verb)!;
      expect(pressed).toEqual({ requestId, version: expect.any(String) });
      const before = await w.running.store.get('request', requestId);
      const events = (await w.running.store.audit.list()).length;

      const { version: _dropped, ...withoutVersion } = pressed;
      const r = await execute(w.url, TM, verb, { ...withoutVersion, reasons });
      expect(r.status).toBe(200);
      const card = r.json.value;
      expect(textOf(card)).toMatch(/Nothing was decided: this card is out of date/);
      // The request as it is now (as for any stale card: its state, the case it is about).
      expect(textOf(card)).toContain(caseRef);
      expect(textOf(card)).toMatch(/waiting for a decision/i);
      expect(await w.running.store.get('request', requestId)).toEqual(before);
      expect(await w.running.store.query('decision', { where: { requestId } })).toEqual([]);
      const added = (await w.running.store.audit.list()).slice(events);
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ action: `bot:${verb}`, outcome: 'refuse', actor: { id: TM } });

      // The same press with the version its card showed is acted on.
      const acted = await execute(w.url, TM, verb, { ...pressed, reasons });
      expect(textOf(acted.json.value)).toMatch(/You (approved|declined|asked the requester)/);
      expect(await w.running.store.query('decision', { where: { requestId } })).toHaveLength(1);
    },
  );
});
