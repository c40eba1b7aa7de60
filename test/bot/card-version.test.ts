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
      expect(textOf(card)).toMatch(/Nothing was done: this card is out of date — here is the current one/);
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

describe('withdrawing and answering name the version their card showed too', () => {
  it('a withdraw or an answer pressed on a card the request has moved on from is refused as out of date: the current card, nothing written, one audit event', async () => {
    const requestId = await raise('DEMO-0002');
    // The requester's card, as it was when the request was raised.
    const old = (await execute(w.url, CM, 'request.refresh', { requestId })).json.value;
    const withdraw = actionData(old, 'request.withdraw')!;
    expect(withdraw).toMatchObject({ requestId, version: expect.any(String) });
    // The manager asks for more information: the request moves on.
    const view = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    await execute(w.url, TM, 'request.more-info', {
      ...actionData(view, 'request.more-info'),
      reasons: 'Fictional: say what the new information is.',
    });
    const asked = (await execute(w.url, CM, 'request.refresh', { requestId })).json.value;
    const answer = actionData(asked, 'request.answer')!;
    expect(answer).toMatchObject({ requestId, version: expect.any(String) });
    for (const [verb, data] of [
      ['request.withdraw', withdraw],
      [
        'request.answer',
        { ...answer, version: withdraw['version'], rationale: 'Fictional: a new post names the child.' },
      ],
    ] as const) {
      const before = await w.running.store.get('request', requestId);
      const events = (await w.running.store.audit.list()).length;
      const r = await execute(w.url, CM, verb, data);
      expect(textOf(r.json.value)).toMatch(/this card is out of date/);
      expect(await w.running.store.get('request', requestId)).toEqual(before);
      const added = (await w.running.store.audit.list()).slice(events);
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({ action: `bot:${verb}`, outcome: 'refuse', actor: { id: CM } });
    }
    // Pressed on the current card, the answer is taken.
    const taken = await execute(w.url, CM, 'request.answer', {
      ...answer,
      rationale: 'Fictional: a new post names the child.',
    });
    expect(textOf(taken.json.value)).toMatch(/Overt is sending it to the approver/);
  });
});
