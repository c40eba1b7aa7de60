/**
 * issue 13, over plain HTTP: case manager raises → team manager declines without a reason (an inline error on
 * the same card, nothing decided) → approves → a refused record is corrected on the same card and recorded.
 * The account is named `facebook: Smith, Jane` (punctuation in a choice's text, part 5). Each refusal answers
 * with the form as filled in, the problem under its field in plain words.
 */
import { validateCard } from '../../src/bot/cards/validate';
import { actionData, execute, inputsOf, NOT_FOR_PEOPLE, problemOf, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';

/** A click on a card's button: the action's data with the card's inputs (as filled in) merged in. */
const click = (who: string, card: unknown, verb: string, inputs: Record<string, string> = {}) =>
  execute(w.url, who, verb, { ...inputsOf(card), ...inputs, ...actionData(card, verb) });

it('raise → decline without a reason is an inline error → approve → a refused record is corrected and recorded', async () => {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: `form-journey-${Date.now()}`,
    childId: await w.childId('DEMO-0002'),
    reason: 'risk-of-cse',
    platforms: 'facebook: Smith, Jane',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();

  // The team manager declines with no reason: the same card, the problem under the reasons box.
  const view = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
  const declined = (await click(TM, view, 'request.decline', { reasons: '' })).json.value;
  expect(validateCard(declined)).toEqual({ ok: true });
  expect(problemOf(declined, 'reasons')).toMatch(/reason/i);
  expect(textOf(declined)).not.toMatch(NOT_FOR_PEOPLE);
  expect(actionData(declined, 'request.approve')).toMatchObject({ requestId });
  expect((await w.running.store.get('request', requestId))!.record.status).toBe('pending');

  // From that same card, with reasons typed: approved.
  const approved = (
    await click(TM, declined, 'request.approve', { reasons: 'Fictional: proportionate to the risk.' })
  ).json.value;
  expect(textOf(approved)).toMatch(/You approved this request/);

  // The record, with faults: other people's information kept with no reason and no authorisation, and the
  // attestations not ticked. The form comes back as filled in, each problem under its field.
  const form = (await execute(w.url, CM, 'check.open', { requestId })).json.value;
  const first = (
    await click(CM, form, 'check.record', {
      viewedTime: '00:01',
      relevantInfo: 'Fictional: a public post about a party.',
      thirdPartyData: 'kept',
      attestNoFriendFollow: 'false',
      attestOpenSourceOnly: 'false',
    })
  ).json.value;
  expect(validateCard(first)).toEqual({ ok: true });
  expect(textOf(first)).not.toMatch(NOT_FOR_PEOPLE);
  expect(textOf(first)).toMatch(/Nothing was saved yet/);
  const kept = inputsOf(first);
  expect(kept).toMatchObject({
    relevantInfo: 'Fictional: a public post about a party.',
    thirdPartyData: 'kept',
    viewedTime: '00:01',
  });
  expect(problemOf(first, 'thirdPartyData')).toMatch(/significant safeguarding concern/);
  expect(problemOf(first, 'attestNoFriendFollow')).toMatch(/did not friend, follow or subscribe/);
  expect(await w.running.store.query('check', { where: { requestId } })).toHaveLength(0);

  // Corrected on the same card and sent again: recorded, with the account named as approved.
  const second = (
    await click(CM, first, 'check.record', {
      thirdPartyData: 'seen-not-kept',
      attestNoFriendFollow: 'true',
      attestOpenSourceOnly: 'true',
    })
  ).json.value;
  expect(textOf(second)).toMatch(/Check recorded/);
  const checks = await w.running.store.query('check', { where: { requestId } });
  expect(checks).toHaveLength(1);
  expect(checks[0]!.record.accounts).toEqual([{ platform: 'facebook', account: 'Smith, Jane' }]);
});
