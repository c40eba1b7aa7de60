/**
 * issue 15: Overt's own words reach people as written — a clause title with brackets ("Platform privacy notes
 * [last checked 03/01/2023]"), the platform notes, the obligations — never with a markdown escape (`\[`, `\*`)
 * added for a host that processes markdown: such text goes in TextRuns, which no host reads as markdown.
 * Checked on every card of a Nottinghamshire request for Instagram and TikTok, as the requester and the team
 * manager see it before and after the decision.
 */
import { actionData, execute, decideFromCard } from './client';
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

/** Every text a card shows: TextBlock and TextRun text, fact titles and values, action titles. */
function texts(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => texts(x, out));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v))
      if ((k === 'text' || k === 'title' || k === 'value') && typeof x === 'string') out.push(x);
      else texts(x, out);
  return out;
}

it('no card of a request carries a markdown escape, and bracketed words show as written', async () => {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: 'form-no-escapes',
    childId: await w.childId('DEMO-0003'),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account; tiktok: @demo_other',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();
  const cards = [
    sent.json.value,
    (await execute(w.url, TM, 'request.refresh', { requestId })).json.value,
    (await execute(w.url, CM, 'request.refresh', { requestId })).json.value,
    (await decideFromCard(w.url, TM, 'request.approve', requestId, { reasons: 'Necessary (fictional).' }))
      .json.value,
    (await execute(w.url, CM, 'request.refresh', { requestId })).json.value,
  ];
  const shown = cards.flatMap((c) => texts(c));
  expect(shown.length).toBeGreaterThan(20);
  const escaped = shown.filter((t) => /\\[[\]\\*_`#>!+\-.(){}|~]/.test(t));
  expect(escaped).toEqual([]);
  // The clause's and the platform notes' own brackets are there as written, their date as people read it.
  expect(shown).toContain(
    '• Nottinghamshire YJS policy, section 23: Platform privacy notes [last checked 3 January 2023]',
  );
  expect(shown.join('\n')).toContain('[Platform notes last checked 3 January 2023.]');
  // Platforms by their names: TikTok, not Tiktok.
  expect(shown.join('\n')).toMatch(/ TikTok: Users can see who has viewed a profile/);
  expect(shown.join('\n')).not.toMatch(/Tiktok/);
}, 120_000);
