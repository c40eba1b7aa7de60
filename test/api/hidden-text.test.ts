/**
 * Issue 20 (walk finding 2), over HTTP as the tab sends it: the same rule as the bot's (test/bot/hidden-text) —
 * a direction override or isolate in typed text is a 400 naming the field, nothing written and the refusal
 * audited; invisible characters are removed and no-break spaces made ordinary before anything is kept.
 */
import { raiseRequest } from '../../src/workflow';
import { must } from '../workflow/world';
import { startApi, type Api } from './harness';

let api: Api;
let requestId: string;

beforeAll(async () => {
  api = await startApi();
  await api.w.consent('notts', '2026-02-01');
  requestId = must(
    await raiseRequest(api.w.deps, {
      key: api.w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      reason: 'gang-involvement',
      platforms: [{ platform: 'tiktok', account: '@demo_cd' }],
      viewer: 'own-personal-account',
    }),
  ).request.id;
});
afterAll(() => api.close());

const current = async () => (await api.w.store.get('request', requestId))!;
const decide = async (reasons: string) =>
  api.send(
    'POST',
    `/api/v1/requests/${requestId}/decision`,
    { outcome: 'decline', expectedVersion: (await current()).version, reasons },
    'tm-notts',
  );

describe('hidden characters in what a person types, over the API', () => {
  it.each([
    ['a right-to-left override', 'Declined: the \u202eesaec\u202c is closed (fictional).'],
    ['a pop-directional isolate', 'Declined: the case \u2069is closed (fictional).'],
  ])('%s in the reasons is a 400 naming the field, audited, and nothing is written', async (_n, reasons) => {
    const before = await current();
    const events = (await api.w.store.audit.list()).length;
    const r = await decide(reasons);
    expect(r.status).toBe(400);
    const body = (await r.json()) as { detail: string; code: string };
    expect(body.detail).toMatch(/^reasons: it holds a hidden character that reverses or reorders the text/);
    expect((await current()).version).toBe(before.version);
    const added = (await api.w.store.audit.list()).slice(events);
    expect(added.map((e) => e.outcome)).toEqual(['refuse']);
  });

  it('invisible characters are removed and no-break spaces made ordinary before the decision is kept', async () => {
    const r = await decide('Declined:\u00a0the case\u200b is\u2060 closed\ufeff (fictional).');
    expect(r.status).toBe(200);
    // The reasons are kept with the decision and its audit event.
    const decisions = await api.w.store.query('decision', {});
    const kept = JSON.stringify([decisions, (await api.w.store.audit.list()).at(-1)]);
    expect(kept).toContain('Declined: the case is closed (fictional).');
    expect(kept).not.toMatch(/[\u00a0\u200b\u2060\ufeff]/);
  });
});
