/**
 * Issue 13, part 4: the request form's child was only a Teams typeahead (`Data.Query`), which the Agents
 * Playground cannot answer ("Typeahead Search is not supported"), so a case manager there could not pick a
 * child at all. Now, with few children in their teams, the child is a plain list (by case reference and
 * initials) every client can pick from; with many, the typeahead has a box beside it for the case reference,
 * checked against the person's teams' children, its problem beside it, the form kept, nothing written, the
 * refusal audited. Over plain HTTP; the journeys (journeys.test.ts) pick from the list through the Playground.
 */
import { importCaseList } from '../../src/workflow';
import { choicesOf, execute, inputsOf, labelOf, pick, problemOf, say, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';
import { validateCard } from '../../src/bot/cards/validate';

const CM = 'demo-cm-north-1';
let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const form = async () => {
  const r = await say(w.url, CM, 'new request');
  expect(r.status).toBe(200);
  const card = r.cards[0];
  expect(validateCard(card)).toEqual({ ok: true });
  return card as Record<string, unknown>;
};
const filled = {
  reason: 'risk-of-cse',
  platforms: 'instagram: @demo_north',
  viewer: 'own-personal-account',
  rationale: 'Fictional: new information suggests a risk to the child.',
};
const click = async (card: unknown, typed: Record<string, string>) => {
  const r = await execute(w.url, CM, 'request.preview', {
    ...inputsOf(card),
    ...filled,
    ...typed,
    formId: 'form-child-pick-000',
  });
  expect(r.status).toBe(200);
  return r.json.value as Record<string, unknown>;
};
const written = async () =>
  (await w.running.store.query('request', { where: { childId: await w.childId('DEMO-0002') } })).length;

it('few children: a plain list every client can pick from, no typeahead', async () => {
  const card = await form();
  expect(JSON.stringify(card)).not.toContain('Data.Query');
  expect(choicesOf(card, 'childId').map((c) => c.title)).toEqual([
    'DEMO-0001 · A.B. (demo)',
    'DEMO-0002 · C.D. (demo)',
    'DEMO-0003 · E.F. (demo)',
  ]);
  expect(inputsOf(card)).not.toHaveProperty('childRef');
  const preview = await click(card, { childId: pick(card, 'childId', /^DEMO-0002 /) });
  expect(textOf(preview)).toMatch(/The policy allows this request/);
  // The pick is kept on the form the verdict comes back on.
  expect(inputsOf(preview)['childId']).toBe(await w.childId('DEMO-0002'));
}, 60_000);

it('many children: the typeahead and a case reference box, checked, its problem beside it', async () => {
  const rows = Array.from({ length: 30 }, (_, i) => {
    const n = String(i + 10).padStart(4, '0');
    return `DEMO-${n},Z.${i}. (demo),north,demo-cm-north-2,instagram:@demo_many_${n}`;
  });
  const imported = await importCaseList(w.running.deps, {
    key: 'child-pick-many',
    actorId: 'demo-admin',
    csv: ['case_reference,initials,team,worker,platforms', ...rows].join('\n'),
  });
  expect(imported.ok).toBe(true);

  const card = await form();
  expect(JSON.stringify(card)).toContain('Data.Query');
  expect(labelOf(card, 'childRef')).toMatch(/Or type the child’s case reference/);

  // Typed in any case: the child is found and the policy answers.
  const found = await click(card, { childId: '', childRef: 'demo-0002' });
  expect(textOf(found)).toMatch(/The policy allows this request/);
  expect(inputsOf(found)['childId']).toBe(await w.childId('DEMO-0002'));
  expect(textOf(found)).toMatch(/DEMO-0002 · C\.D\. \(demo\)/);

  // A case reference of no child of theirs (nor of anyone's; nor another team's): the problem by the box,
  // what they typed kept, nothing written, the refusal on the trail.
  const before = (await w.running.store.audit.list()).length;
  for (const ref of ['DEMO-9999', 'DEMO-0101']) {
    const wrong = await click(card, { childId: '', childRef: ref });
    expect(problemOf(wrong, 'childRef')).toBe(
      `No child with the case reference “${ref}” is in your team’s cases. Check it, or choose the child above.`,
    );
    expect(inputsOf(wrong)).toMatchObject({ childRef: ref, ...filled, childId: '' });
    expect(textOf(wrong)).not.toMatch(/The policy allows/);
  }
  const after = await w.running.store.audit.list();
  expect(after.slice(before).map((e) => e.outcome)).toEqual(['refuse', 'refuse']);
  expect(after.slice(before).map((e) => JSON.stringify(e.details))).toEqual([
    expect.stringContaining('DEMO-9999'),
    expect.stringContaining('DEMO-0101'),
  ]);

  // Neither picked nor typed: the problem by the child.
  const none = await click(card, { childId: '', childRef: '' });
  expect(problemOf(none, 'childId')).toBe('Choose the child, or type their case reference.');
  expect(await written()).toBe(0);
}, 60_000);
