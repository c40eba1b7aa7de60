/**
 * issue 15, over the bot endpoint: the record-the-check form names the people the policy asks for.
 * - 000 §17: other people's information kept needs a team manager's authorisation — the form offers the team's
 *   managers by name and carries the choice through: a manager → recorded; a case manager → refused, citing §17.
 * - 000 §13: on the route where the team manager with social media responsibility views on the case manager's
 *   behalf, that manager opens and records the check (as the viewer), and the requester names the viewer from
 *   the managers the route allows.
 * - 000 §4, §11: a viewing before the approval is refused by the date field, citing the clauses.
 */
import { validateCard } from '../../src/bot/cards/validate';
import { actionData, execute, inputsOf, NOT_FOR_PEOPLE, problemOf, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';
import { importCaseList, recordConsent } from '../../src/workflow';

let w: BotWorld;
/** A child of the north team each (a second request on one child inside three months is a repeat, 000 §12). */
const REFS = ['DEMO-0011', 'DEMO-0012', 'DEMO-0013', 'DEMO-0014', 'DEMO-0015', 'DEMO-0016'];
beforeAll(async () => {
  w = await botWorld();
  const deps = w.running.deps;
  const imported = await importCaseList(deps, {
    key: 'people-children',
    actorId: 'demo-admin',
    csv: [
      'case_reference,initials,team,worker,platforms',
      ...REFS.map((r) => `${r},X.Y. (demo),north,demo-cm-north-1,instagram:@x`),
    ].join('\n'),
  });
  expect(imported.ok).toBe(true);
  for (const ref of REFS) {
    const consent = await recordConsent(deps, {
      key: `people-consent-${ref}`,
      actorId: CM,
      childId: await w.childId(ref),
      givenBy: 'child and parent',
      date: new Date().toISOString().slice(0, 10),
      scope: { platforms: [], purposes: ['000 §3 criteria'] },
    });
    expect(consent.ok).toBe(true);
  }
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const CM2 = 'demo-cm-north-2';
const TM = 'demo-tm-north';
let n = 0;

const click = (who: string, card: unknown, verb: string, inputs: Record<string, string> = {}) =>
  execute(w.url, who, verb, {
    ...inputsOf(card),
    ...(verb === 'check.record' ? { viewedTime: nowLondon() } : {}),
    ...inputs,
    ...actionData(card, verb),
  });

/** A request raised by the case manager and approved by the team manager; its id. */
async function approved(caseRef: string, viewer: string): Promise<string> {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: `form-people-${++n}-${Date.now()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @people_' + n,
    viewer,
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();
  const view = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
  const done = (await click(TM, view, 'request.approve', { reasons: 'Fictional: proportionate.' })).json
    .value;
  expect(textOf(done)).toMatch(/You approved this request/);
  return requestId;
}

const lastRefusal = async () =>
  (await w.running.store.audit.list()).filter((e) => e.outcome === 'refuse').at(-1);

/** Now, on the team's calendar (Europe/London for Nottinghamshire): a viewing just after the approval. */
const nowLondon = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );

const KEPT = {
  relevantInfo: 'Fictional: a public post naming an older peer.',
  thirdPartyData: 'kept',
  thirdPartyRationale: 'Fictional: the peer appears to be grooming the child (a significant concern).',
  attestNoFriendFollow: 'true',
  attestOpenSourceOnly: 'true',
};

describe('000 §17: who authorised keeping other people’s information', () => {
  it('the form offers the team’s managers by name; a team manager → recorded with the authoriser', async () => {
    const requestId = await approved('DEMO-0011', 'own-personal-account');
    const form = (await execute(w.url, CM, 'check.open', { requestId })).json.value;
    expect(validateCard(form)).toEqual({ ok: true });
    expect(textOf(form)).toMatch(/the team manager who authorised it/);
    expect(textOf(form)).toMatch(/Arlo Ashdown \(demo\)/);
    expect(textOf(form)).not.toMatch(NOT_FOR_PEOPLE);
    const done = (await click(CM, form, 'check.record', { ...KEPT, thirdPartyAuthorisedBy: TM })).json.value;
    expect(textOf(done)).toMatch(/Check recorded/);
    const checks = await w.running.store.query('check', { where: { requestId } });
    expect(checks).toHaveLength(1);
    expect(checks[0]!.record).toMatchObject({ thirdPartyData: 'kept', thirdPartyAuthorisedBy: TM });
  });

  it('a case manager named as authoriser → refused by the field, citing 000 §17, nothing recorded', async () => {
    const requestId = await approved('DEMO-0012', 'own-personal-account');
    const form = (await execute(w.url, CM, 'check.open', { requestId })).json.value;
    const refused = (await click(CM, form, 'check.record', { ...KEPT, thirdPartyAuthorisedBy: CM2 })).json
      .value;
    expect(validateCard(refused)).toEqual({ ok: true });
    expect(problemOf(refused, 'thirdPartyAuthorisedBy')).toMatch(/not a team manager/);
    expect(inputsOf(refused)).toMatchObject({ thirdPartyData: 'kept', thirdPartyAuthorisedBy: CM2 });
    expect(textOf(refused)).not.toMatch(NOT_FOR_PEOPLE);
    expect(await w.running.store.query('check', { where: { requestId } })).toHaveLength(0);
    const audit = await lastRefusal();
    expect(audit?.action).toBe('check.record');
    expect(audit?.cites).toContain('000 §17');
  });
});

describe('000 §13: the team manager with social media responsibility views on the case manager’s behalf', () => {
  it('that manager opens the form from the approved card and records the check as the viewer', async () => {
    const requestId = await approved('DEMO-0013', 'social-media-responsible-manager');
    const card = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    expect(actionData(card, 'check.open')).toMatchObject({ requestId });
    const form = (await execute(w.url, TM, 'check.open', { requestId })).json.value;
    expect(validateCard(form)).toEqual({ ok: true });
    expect(inputsOf(form)['viewerId']).toBe(TM);
    expect(textOf(form)).toMatch(/Who viewed/);
    const done = (
      await click(TM, form, 'check.record', {
        ...KEPT,
        thirdPartyData: 'seen-not-kept',
        thirdPartyRationale: '',
      })
    ).json.value;
    expect(textOf(done)).toMatch(/Check recorded/);
    const checks = await w.running.store.query('check', { where: { requestId } });
    expect(checks.map((c) => [c.record.viewerId, c.record.recordedBy])).toEqual([[TM, TM]]);
  });

  it('the requester names the manager who viewed; naming a case manager is refused citing 000 §13', async () => {
    const requestId = await approved('DEMO-0014', 'social-media-responsible-manager');
    const form = (await execute(w.url, CM, 'check.open', { requestId })).json.value;
    expect(validateCard(form)).toEqual({ ok: true });
    const base = { ...KEPT, thirdPartyData: 'none', thirdPartyRationale: '' };
    // Not naming anyone: the problem by the viewer field, nothing recorded.
    const unnamed = (await click(CM, form, 'check.record', { ...base, viewerId: '' })).json.value;
    expect(problemOf(unnamed, 'viewerId')).toMatch(/name who viewed/i);
    // A case manager named as the viewer: the policy refuses, citing §13.
    const wrong = (await click(CM, form, 'check.record', { ...base, viewerId: CM2 })).json.value;
    expect(problemOf(wrong, 'viewerId')).toMatch(/team manager/);
    expect((await lastRefusal())?.cites).toContain('000 §13');
    expect(await w.running.store.query('check', { where: { requestId } })).toHaveLength(0);
    const done = (await click(CM, form, 'check.record', { ...base, viewerId: TM })).json.value;
    expect(textOf(done)).toMatch(/Check recorded/);
    const checks = await w.running.store.query('check', { where: { requestId } });
    expect(checks.map((c) => [c.record.viewerId, c.record.recordedBy])).toEqual([[TM, CM]]);
  });

  it('someone else of the team still may not record it', async () => {
    const requestId = await approved('DEMO-0015', 'social-media-responsible-manager');
    const form = (await execute(w.url, CM2, 'check.open', { requestId })).json.value;
    expect(textOf(form)).toMatch(/Not yours to record/);
  });
});
