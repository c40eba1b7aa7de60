import { pdfText } from './pdf-text';
import { startApi, type Api } from './harness';

/**
 * Issue 14: refused reads flooded the access log. A team manager of another team reading a child's history 45
 * times made 46 "Record viewed (refused)" lines in "Who has read this record" and in the family's
 * subject-access paper. Every refusal stays an audit event; the access log, the timeline and the paper show
 * one line per person per child per sitting (30 minutes), with the count.
 */

let api: Api;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

interface Access {
  actorId: string;
  outcome: string;
  times: number;
  lastAt: string;
}

describe('refused reads in the access log', () => {
  it('45 refused reads in one sitting are every one audited, and one line with a count', async () => {
    api.w.at('2026-03-01T10:00:00Z');
    for (let i = 0; i < 45; i++) {
      if (i === 44) api.w.at('2026-03-01T10:20:00Z');
      expect((await api.get('/api/v1/children/child-notts/history', 'tm-camden')).status).toBe(403);
    }
    const refusals = (await api.w.store.audit.list()).filter(
      (e) => e.action === 'record.view' && e.outcome === 'refuse' && e.actor.id === 'tm-camden',
    );
    expect(refusals.length).toBe(45);

    // A new sitting, 30 minutes after the first refused read, is a line of its own.
    api.w.at('2026-03-01T10:30:00Z');
    expect((await api.get('/api/v1/children/child-notts/history', 'tm-camden')).status).toBe(403);

    api.w.at('2026-03-01T11:00:00Z');
    const res = await api.get('/api/v1/children/child-notts/history', 'ig');
    expect(res.status).toBe(200);
    const h = (await res.json()) as { access: Access[] };
    const refused = h.access.filter((a) => a.outcome === 'refuse');
    expect(refused).toEqual([
      expect.objectContaining({ actorId: 'tm-camden', times: 1, lastAt: '2026-03-01T10:30:00.000Z' }),
      expect.objectContaining({ actorId: 'tm-camden', times: 45, lastAt: '2026-03-01T10:20:00.000Z' }),
    ]);
    const log = (await (await api.get('/api/v1/children/child-notts/access-log', 'sm')).json()) as {
      access: Access[];
    };
    expect(log.access.filter((a) => a.outcome === 'refuse').map((a) => a.times)).toEqual([1, 45]);

    // The family's subject-access paper: two lines for the 46 refused reads.
    const pdf = await api.get('/api/v1/children/child-notts/subject-access.pdf', 'ig');
    expect(pdf.status).toBe(200);
    const text = pdfText(Buffer.from(await pdf.arrayBuffer())).join('\n');
    expect(text.match(/Record viewed \(refused/g)?.length).toBe(2);
    expect(text).toContain('Record viewed (refused 45 times)');
    expect(text).toContain('Record viewed (refused)');
  });
});
