import { chain, GENESIS, hashEvent, verifyChain, type AuditDraft, type AuditEvent } from './audit';

const drafts: AuditDraft[] = [1, 2, 3].map((i) => ({
  actor: { id: 'cm-1', role: 'case-manager' },
  action: 'request.raise',
  target: { kind: 'request', id: `req-${i}` },
  outcome: 'allow',
  cites: ['000 §11'],
  details: { i },
}));
let n = 0;
const events = (): AuditEvent[] =>
  chain(drafts, undefined, { key: 'k', at: '2026-01-01T00:00:00Z' }, () => `e${++n}`);
const rows = (list: AuditEvent[]) => list.map((event) => ({ seq: event.seq, event }));

describe('the audit chain', () => {
  it('starts from the genesis hash and links each event to the one before', () => {
    const list = events();
    expect(list.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(list[0]!.prevHash).toBe(GENESIS);
    expect(list[2]!.prevHash).toBe(list[1]!.hash);
    expect(verifyChain(rows(list))).toEqual({ ok: true, count: 3 });
  });

  it('continues from a previous event', () => {
    const more = chain(
      drafts.slice(0, 1),
      { seq: 7, hash: 'a'.repeat(64) },
      { key: 'k2', at: '2026-01-02' },
      () => 'x',
    );
    expect(more[0]).toMatchObject({ seq: 8, prevHash: 'a'.repeat(64), key: 'k2', at: '2026-01-02' });
  });

  it('hashes the same event the same way whatever its key order', () => {
    const [e] = events();
    const { hash, ...body } = e!;
    const reordered = Object.fromEntries(Object.entries(body).reverse()) as Omit<AuditEvent, 'hash'>;
    expect(hashEvent(reordered)).toBe(hash);
  });

  it('names the first edited, reordered or missing event', () => {
    const edited = events();
    edited[1] = { ...edited[1]!, outcome: 'refuse' };
    expect(verifyChain(rows(edited))).toMatchObject({
      ok: false,
      seq: 2,
      reason: expect.stringMatching(/hash/),
    });

    const swapped = events();
    const [a, b, c] = swapped;
    expect(
      verifyChain([
        { seq: 1, event: a },
        { seq: 2, event: { ...c!, seq: 2 } },
        { seq: 3, event: b },
      ]),
    ).toMatchObject({
      ok: false,
      seq: 2,
    });

    const gap = events();
    expect(verifyChain(rows([gap[0]!, gap[2]!]))).toMatchObject({
      ok: false,
      seq: 2,
      reason: expect.stringMatching(/missing/),
    });
  });
});
