/**
 * Issue 12, fault 3: an idempotency key answers only the same person's same command with the same input.
 * Through the API: information governance's objection step and the service manager's annual review under
 * one key are two commands, each done; the same input again is the first answer; other input under a used
 * key is a 409 that writes nothing. Through the bot, on both stores: a refused `check.record` is not kept
 * under the form's key, so the corrected form sent again from the same card records the check; the refused form
 * sent again is answered the same and writes no second refusal event.
 */
import { raiseObjection } from '../../src/workflow';
import { startApi, type Api } from '../api/harness';
import { cleanupBotWorlds, type BotWorld } from '../bot/world';
import { must } from '../workflow/world';
import { approveThroughBot, checkForm, checksOf, CM, raiseThroughBot, recordThroughBot } from './bot-steps';
import { cleanupStores, STORES, worldOn } from './stores';

afterAll(async () => {
  await cleanupStores();
  cleanupBotWorlds();
});

describe('through the API', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  const assessments = (comment: string) =>
    ['benefits', 'objections', 'procedures', 'records', 'risks'].map((id) => ({
      id,
      assessment: 'met',
      comments: `${comment} (${id})`,
    }));

  it("one key, two people's commands: each is done, and neither gets the other's answer", async () => {
    const objection = must(
      await raiseObjection(api.w.deps, {
        key: api.w.key(),
        actorId: 'cm-notts',
        childId: 'child-notts',
        raisedBy: 'the child',
        raisedAt: '2026-02-20',
      }),
    );
    const K = 'shared-key-0000001';
    const steps = `/api/v1/objections/${objection.id}/steps`;
    const take = await api.send('POST', steps, { step: 'take' }, 'ig', K);
    expect(take.status).toBeLessThan(300);
    expect(await take.json()).toMatchObject({ id: objection.id, status: 'with-ig' });

    const review = await api.send(
      'POST',
      '/api/v1/review',
      { year: 2026, assessments: assessments('Fine'), revision: 1 },
      'sm',
      K,
    );
    expect(review.status).toBe(201);
    const body = (await review.json()) as { id: string; year: number; reviewerId: string };
    expect(body).toMatchObject({ year: 2026, reviewerId: 'sm' });
    expect(await api.w.store.get('review', body.id)).toBeDefined();

    // The same person's same command with the same input: the first answer, nothing more written.
    const before = (await api.w.store.audit.list()).length;
    const again = await api.send(
      'POST',
      '/api/v1/review',
      { year: 2026, assessments: assessments('Fine'), revision: 1 },
      'sm',
      K,
    );
    expect(again.status).toBe(201);
    expect(((await again.json()) as { id: string }).id).toBe(body.id);
    const takeAgain = await api.send('POST', steps, { step: 'take' }, 'ig', K);
    expect(await takeAgain.json()).toMatchObject({ id: objection.id, status: 'with-ig' });

    // Other input under a used key: a 409 naming the key, and nothing written.
    const other = await api.send(
      'POST',
      '/api/v1/review',
      { year: 2026, assessments: assessments('Changed'), revision: 1 },
      'sm',
      K,
    );
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({
      field: 'key',
      detail: expect.stringMatching(/different details/),
    });
    const otherStep = await api.send(
      'POST',
      steps,
      { step: 'respond', response: 'We have stopped.' },
      'ig',
      K,
    );
    expect(otherStep.status).toBe(409);
    // Nothing is written but the refusals' own audit events.
    const added = (await api.w.store.audit.list()).slice(before);
    expect(added.every((e) => e.outcome === 'refuse')).toBe(true);
    expect((await api.w.store.get('objection', objection.id))?.record.status).toBe('with-ig');
    expect((await api.w.store.query('review', { where: { year: 2026 } })).length).toBe(1);
  });
});

describe.each(STORES)('through the bot, on the %s store', (store) => {
  let w: BotWorld;
  beforeAll(async () => {
    w = await worldOn(store);
  }, 120_000);
  afterAll(async () => w?.close());

  it('a refused check.record does not hold the form key: the corrected form from the same card records it once', async () => {
    const requestId = await raiseThroughBot(w, 'DEMO-0002');
    expect(await approveThroughBot(w, requestId)).toMatch(/You approved this request/);
    const form = 'form-record-check-same-card';
    // One card: the version of the request it showed goes with every press of it.
    const version = (await w.running.store.get('request', requestId))!.version;
    // Refused: not friending or following the child is not confirmed (000 §20).
    const unconfirmed = checkForm(requestId, form, { version, attestNoFriendFollow: 'false' });
    const refused = await recordThroughBot(w, CM, unconfirmed);
    expect(refused).not.toMatch(/Check recorded/);
    expect(await checksOf(w, requestId)).toEqual([]);
    // The same press again (Teams delivering it twice, a second click): the same refusal, no second event.
    const trail = await w.running.store.audit.list();
    const refusals = trail.filter((e) => e.outcome === 'refuse' && e.action.includes('check'));
    expect(refusals.length).toBeGreaterThanOrEqual(1);
    const again = await recordThroughBot(w, CM, unconfirmed);
    expect(again).toBe(refused);
    expect((await w.running.store.audit.list()).slice(trail.length)).toEqual([]);
    // The same card, corrected.
    const fixed = checkForm(requestId, form, { version });
    expect(await recordThroughBot(w, CM, fixed)).toMatch(/Check recorded/);
    expect(await checksOf(w, requestId)).toHaveLength(1);
    // Clicked again: the first answer, still one check.
    expect(await recordThroughBot(w, CM, fixed)).toMatch(/Check recorded/);
    // Other details under the same card: refused with the reason, still one check as first recorded.
    const changed = await recordThroughBot(w, CM, { ...fixed, relevantInfo: 'Something else (fictional).' });
    expect(changed).toMatch(/different details/);
    expect(await checksOf(w, requestId)).toEqual([
      expect.objectContaining({ relevantInfo: 'Nothing of concern (fictional).' }),
    ]);
  }, 60_000);
});
