import { raiseObjection } from '../../src/workflow';
import { must } from '../workflow/world';
import { startApi, type Api } from './harness';

/** Issue 12, fault 10, through the API: every text bounded with a plain message, dates from 1900 to 2100. */

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const records = async () => {
  const c = await api.w.counts();
  const refusals = (await api.w.store.audit.list()).filter((e) => e.outcome === 'refuse').length;
  return { ...c, audit: (await api.w.store.audit.list()).length - refusals };
};

describe('bounds at the API', () => {
  it.each([
    ['from=1899-12-31', 'from'],
    ['to=2999-01-01', 'to'],
    ['from=0001-01-01', 'from'],
  ])('a history period with %s is a 400 naming the field and the range', async (q, field) => {
    const res = await api.get(`/api/v1/children/child-notts/history?${q}`, 'tm-notts');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { field: string; detail: string };
    expect(body.field).toBe(field);
    expect(body.detail).toMatch(/from 1900 to 2100/);
  });

  it('a formal response of 100,000 characters is a 400 naming the limit, and nothing is written', async () => {
    const objection = must(
      await raiseObjection(api.w.deps, {
        key: api.w.key(),
        actorId: 'cm-notts',
        childId: 'child-notts',
        raisedBy: 'the child',
        raisedAt: '2026-03-01',
      }),
    );
    const id = objection.id;
    expect((await api.send('POST', `/api/v1/objections/${id}/steps`, { step: 'take' }, 'ig')).status).toBe(
      200,
    );
    const before = await records();
    const res = await api.send(
      'POST',
      `/api/v1/objections/${id}/steps`,
      { step: 'respond', response: 'x'.repeat(100_000) },
      'ig',
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { field: string; detail: string };
    expect(body.field).toBe('response');
    expect(body.detail).toMatch(/at most 4,000 characters/);
    expect(await records()).toEqual(before);
    const ok = await api.send(
      'POST',
      `/api/v1/objections/${id}/steps`,
      { step: 'respond', response: '.'.repeat(3) },
      'ig',
    );
    // Reasons must be reasons (issue 15): a mark is refused with what to do, and nothing is written.
    expect(ok.status).toBe(400);
    expect(((await ok.json()) as { detail: string }).detail).toMatch(/give the reasons in a few words/);
    expect(await records()).toEqual(before);
    const full = await api.send(
      'POST',
      `/api/v1/objections/${id}/steps`,
      { step: 'respond', response: 'word '.repeat(800).trim() },
      'ig',
    );
    expect(full.status).toBe(200);
  });
});
