import { GENESIS } from '../../src/store/audit';
import { kinds, type Kind, type RecordOf } from '../../src/store/records';
import type { Store, Unit, Write } from '../../src/store/store';
import { draft, samples } from './fixtures';

/**
 * What every Store adapter promises, written once against the interface. Run it from each adapter's
 * test file: `storeContract('sqlite', makeStore)`. `makeStore` must return a new, empty store.
 */
export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let n = 0;
    const key = () => `unit-${++n}`;
    const at = '2026-02-01T12:00:00.000Z';

    const put = async <K extends Kind>(kind: K, record: RecordOf<K>, ifVersion?: string | null) => {
      const result = await store.commit({
        key: key(),
        at,
        writes: [{ kind, record, ifVersion } as Write],
        audit: [draft(`${kind}.write`, { kind, id: record.id })],
      });
      if (result.status !== 'committed') throw new Error(`expected committed, got ${JSON.stringify(result)}`);
      return result.versions[0]!.version;
    };
    const auditCount = async () => (await store.audit.list()).length;

    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('records', () => {
      it.each(kinds)('round-trips a %s record with a version', async (kind) => {
        const record = samples[kind];
        const version = await put(kind, record, null);
        expect(typeof version).toBe('string');
        expect(version.length).toBeGreaterThan(0);
        expect(await store.get(kind, record.id)).toEqual({ record, version });
      });

      it('answers undefined for an id it does not hold', async () => {
        expect(await store.get('child', 'nobody')).toBeUndefined();
      });

      it('changes the version on every write, and keeps the last record', async () => {
        const v1 = await put('team', samples.team);
        const v2 = await put('team', { ...samples.team, name: 'Renamed' });
        const v3 = await put('team', { ...samples.team, name: 'Renamed' });
        expect(new Set([v1, v2, v3]).size).toBe(3);
        expect(await store.get('team', samples.team.id)).toEqual({
          record: { ...samples.team, name: 'Renamed' },
          version: v3,
        });
      });

      it('writes when ifVersion matches the current version', async () => {
        const v1 = await put('child', samples.child, null);
        const v2 = await put('child', { ...samples.child, displayName: 'C.D.' }, v1);
        expect(v2).not.toBe(v1);
        expect((await store.get('child', samples.child.id))?.record.displayName).toBe('C.D.');
      });

      it('refuses a stale ifVersion with the current record, and writes nothing', async () => {
        const v1 = await put('request', samples.request, null);
        const v2 = await put('request', { ...samples.request, status: 'approved' }, v1);
        const events = await auditCount();
        const result = await store.commit({
          key: 'stale',
          at,
          writes: [{ kind: 'request', record: { ...samples.request, status: 'declined' }, ifVersion: v1 }],
          audit: [draft('request.decide', { kind: 'request', id: samples.request.id })],
        });
        expect(result).toEqual({
          status: 'conflict',
          kind: 'request',
          id: samples.request.id,
          current: { record: { ...samples.request, status: 'approved' }, version: v2 },
        });
        expect(await store.get('request', samples.request.id)).toEqual({
          record: { ...samples.request, status: 'approved' },
          version: v2,
        });
        expect(await auditCount()).toBe(events);
      });

      it('refuses ifVersion null when the record exists', async () => {
        const v1 = await put('check', samples.check, null);
        const result = await store.commit({
          key: 'again',
          at,
          writes: [{ kind: 'check', record: { ...samples.check, relevantInfo: 'other' }, ifVersion: null }],
          audit: [],
        });
        expect(result).toMatchObject({ status: 'conflict', kind: 'check', id: samples.check.id });
        expect(await store.get('check', samples.check.id)).toEqual({ record: samples.check, version: v1 });
      });

      it('refuses an ifVersion for a record that does not exist', async () => {
        const result = await store.commit({
          key: 'ghost',
          at,
          writes: [{ kind: 'decision', record: samples.decision, ifVersion: '1' }],
          audit: [],
        });
        expect(result).toEqual({
          status: 'conflict',
          kind: 'decision',
          id: samples.decision.id,
          current: undefined,
        });
        expect(await store.get('decision', samples.decision.id)).toBeUndefined();
      });

      it('does not consume the key of a unit that conflicted', async () => {
        const v1 = await put('team', samples.team, null);
        const unit = (ifVersion: string): Unit => ({
          key: 'retry-me',
          at,
          writes: [{ kind: 'team', record: { ...samples.team, name: 'X' }, ifVersion }],
          audit: [],
          result: 'done',
        });
        expect((await store.commit(unit('not-a-version'))).status).toBe('conflict');
        expect((await store.commit(unit(v1))).status).toBe('committed');
      });
    });

    describe('units', () => {
      it('replays a key already committed: the first result back, nothing written twice', async () => {
        const unit: Unit = {
          key: 'card-click-1',
          at,
          writes: [{ kind: 'decision', record: samples.decision, ifVersion: null }],
          audit: [draft('request.decide', { kind: 'request', id: 'req-1' })],
          result: { ok: true, decisionId: 'dec-1' },
        };
        const first = await store.commit(unit);
        expect(first.status).toBe('committed');
        const stored = await store.get('decision', samples.decision.id);
        const events = await auditCount();

        const second = await store.commit({
          ...unit,
          writes: [{ kind: 'decision', record: { ...samples.decision, outcome: 'decline' } }],
          result: { ok: true, decisionId: 'other' },
        });
        expect(second).toEqual({ status: 'replayed', result: { ok: true, decisionId: 'dec-1' } });
        expect(await store.get('decision', samples.decision.id)).toEqual(stored);
        expect(await auditCount()).toBe(events);
      });

      it('answers replay(key) with the kept result once the key is committed, and not before or after a conflict', async () => {
        expect(await store.replay('probe-1')).toBeUndefined();
        await store.commit({ key: 'probe-1', at, writes: [], audit: [], result: { ok: false, code: 'X' } });
        expect(await store.replay('probe-1')).toEqual({ result: { ok: false, code: 'X' } });
        await put('child', samples.child, null);
        const conflicted = await store.commit({
          key: 'probe-2',
          at,
          writes: [{ kind: 'child', record: samples.child, ifVersion: null }],
          audit: [],
          result: 'never',
        });
        expect(conflicted.status).toBe('conflict');
        expect(await store.replay('probe-2')).toBeUndefined();
      });

      it('forgets answers: the key stays committed and replays the answer put in place of the first', async () => {
        await store.commit({
          key: 'kept-1',
          at,
          writes: [],
          audit: [draft('request.raise', { kind: 'request', id: 'req-1' })],
          result: { digest: 'd1', text: 'a copy of a record' },
        });
        await store.commit({ key: 'kept-2', at, writes: [], audit: [] });
        const keep = (r: unknown) => ({ digest: (r as { digest: string }).digest, erased: true });
        // Unknown keys and keys with no answer are passed over; applying it again changes nothing.
        expect(await store.forgetAnswers(['kept-1', 'kept-2', 'never-sent'], keep)).toBe(1);
        expect(await store.forgetAnswers(['kept-1'], keep)).toBe(0);
        expect(await store.replay('kept-1')).toEqual({ result: { digest: 'd1', erased: true } });
        const again = await store.commit({ key: 'kept-1', at, writes: [], audit: [], result: 'other' });
        expect(again).toEqual({ status: 'replayed', result: { digest: 'd1', erased: true } });
        expect(await auditCount()).toBe(1);
        await store.scrub();
      });

      it('replays an undefined result as undefined', async () => {
        await store.commit({ key: 'no-result', at, writes: [], audit: [] });
        expect(await store.commit({ key: 'no-result', at, writes: [], audit: [] })).toEqual({
          status: 'replayed',
          result: undefined,
        });
      });

      it('is all or nothing: one conflicting write leaves no other write and no audit event', async () => {
        await put('child', samples.child, null);
        const events = await auditCount();
        const result = await store.commit({
          key: 'mixed',
          at,
          writes: [
            { kind: 'request', record: samples.request, ifVersion: null },
            { kind: 'decision', record: samples.decision },
            { kind: 'child', record: { ...samples.child, displayName: 'changed' }, ifVersion: null },
          ],
          audit: [
            draft('request.raise', { kind: 'request', id: 'req-1' }),
            draft('request.decide', { kind: 'request', id: 'req-1' }),
          ],
        });
        expect(result).toMatchObject({ status: 'conflict', kind: 'child', id: samples.child.id });
        expect(await store.get('request', samples.request.id)).toBeUndefined();
        expect(await store.get('decision', samples.decision.id)).toBeUndefined();
        expect((await store.get('child', samples.child.id))?.record).toEqual(samples.child);
        expect(await auditCount()).toBe(events);
      });

      it('commits several writes together and returns each new version in order', async () => {
        const result = await store.commit({
          key: 'pair',
          at,
          writes: [
            { kind: 'request', record: samples.request, ifVersion: null },
            { kind: 'child', record: samples.child, ifVersion: null },
          ],
          audit: [draft('request.raise', { kind: 'request', id: 'req-1' })],
        });
        if (result.status !== 'committed') throw new Error(result.status);
        expect(result.versions.map((v) => [v.kind, v.id])).toEqual([
          ['request', 'req-1'],
          ['child', 'child-1'],
        ]);
        expect((await store.get('child', 'child-1'))?.version).toBe(result.versions[1]!.version);
      });

      it('throws for a record its schema rejects, and writes nothing', async () => {
        const bad = { ...samples.check, thirdPartyData: 'lots' } as unknown as RecordOf<'check'>;
        await expect(
          store.commit({ key: 'bad', at, writes: [{ kind: 'check', record: bad }], audit: [] }),
        ).rejects.toThrow(/check/);
        expect(await store.get('check', samples.check.id)).toBeUndefined();
        expect((await store.commit({ key: 'bad', at, writes: [], audit: [] })).status).toBe('committed');
      });

      it('throws for a unit that writes one record twice', async () => {
        await expect(
          store.commit({
            key: 'twice',
            at,
            writes: [
              { kind: 'team', record: samples.team },
              { kind: 'team', record: samples.team },
            ],
            audit: [],
          }),
        ).rejects.toThrow(/twice/);
      });
    });

    describe('queries', () => {
      const request = (i: number, over: Partial<RecordOf<'request'>>): RecordOf<'request'> => ({
        ...samples.request,
        id: `req-${i}`,
        createdAt: `2026-0${i}-01T10:00:00.000Z`,
        ...over,
      });
      beforeEach(async () => {
        await store.commit({
          key: 'seed',
          at,
          writes: [
            { kind: 'request', record: request(1, { childId: 'c1', teamId: 't1', status: 'pending' }) },
            { kind: 'request', record: request(2, { childId: 'c1', teamId: 't1', status: 'approved' }) },
            { kind: 'request', record: request(3, { childId: 'c2', teamId: 't1', status: 'completed' }) },
            { kind: 'request', record: request(4, { childId: 'c3', teamId: 't2', status: 'pending' }) },
            { kind: 'request', record: request(5, { childId: 'c3', teamId: 't2', status: 'declined' }) },
          ],
          audit: [],
        });
      });
      const ids = (rows: { record: { id: string } }[]) => rows.map((r) => r.record.id).sort();

      it('lists every record of a kind with versions', async () => {
        const rows = await store.query('request');
        expect(ids(rows)).toEqual(['req-1', 'req-2', 'req-3', 'req-4', 'req-5']);
        for (const row of rows) expect(row).toEqual(await store.get('request', row.record.id));
      });

      it('filters by equality on indexed fields, all holding', async () => {
        expect(ids(await store.query('request', { where: { childId: 'c1' } }))).toEqual(['req-1', 'req-2']);
        expect(ids(await store.query('request', { where: { teamId: 't2', status: 'pending' } }))).toEqual([
          'req-4',
        ]);
        expect(await store.query('request', { where: { childId: 'nobody' } })).toEqual([]);
      });

      it('filters by any of several values', async () => {
        const open = await store.query('request', {
          where: { teamId: 't1', status: ['pending', 'approved'] },
        });
        expect(ids(open)).toEqual(['req-1', 'req-2']);
      });

      it('ranges over a date field, from inclusive and to exclusive, days or instants', async () => {
        const range = (from?: string, to?: string) =>
          store.query('request', { range: { field: 'createdAt', from, to } });
        expect(ids(await range('2026-02-01T10:00:00.000Z', '2026-04-01T10:00:00.000Z'))).toEqual([
          'req-2',
          'req-3',
        ]);
        expect(ids(await range('2026-02-01T10:00:00Z', '2026-04-01T10:00:00Z'))).toEqual(['req-2', 'req-3']);
        expect(ids(await range('2026-02-01T11:00:00+01:00'))).toEqual(['req-2', 'req-3', 'req-4', 'req-5']);
        expect(ids(await range(undefined, '2026-03-01'))).toEqual(['req-1', 'req-2']);
        expect(ids(await range('2026-03-02'))).toEqual(['req-4', 'req-5']);
      });

      it('leaves records without the field out of a range', async () => {
        await put('child', samples.child);
        await put('child', { ...samples.child, id: 'child-2', reminderDueAt: undefined });
        const due = await store.query('child', { range: { field: 'reminderDueAt', to: '2026-12-31' } });
        expect(ids(due)).toEqual(['child-1']);
      });

      it('combines where and range', async () => {
        const rows = await store.query('request', {
          where: { teamId: 't2' },
          range: { field: 'createdAt', from: '2026-05-01' },
        });
        expect(ids(rows)).toEqual(['req-5']);
      });

      it('orders by an indexed field either way, and limits', async () => {
        const asc = await store.query('request', { orderBy: { field: 'createdAt', dir: 'asc' } });
        expect(asc.map((r) => r.record.id)).toEqual(['req-1', 'req-2', 'req-3', 'req-4', 'req-5']);
        const desc = await store.query('request', {
          where: { teamId: 't1' },
          orderBy: { field: 'createdAt', dir: 'desc' },
          limit: 2,
        });
        expect(desc.map((r) => r.record.id)).toEqual(['req-3', 'req-2']);
      });

      it('counts, in total and grouped by one or more indexed fields', async () => {
        expect(await store.count('request')).toEqual([{ group: {}, count: 5 }]);
        const byStatus = await store.count('request', { groupBy: ['status'] });
        expect(byStatus.sort((a, b) => String(a.group.status).localeCompare(String(b.group.status)))).toEqual(
          [
            { group: { status: 'approved' }, count: 1 },
            { group: { status: 'completed' }, count: 1 },
            { group: { status: 'declined' }, count: 1 },
            { group: { status: 'pending' }, count: 2 },
          ],
        );
        const byTeamStatus = await store.count('request', {
          where: { status: ['pending', 'approved'] },
          groupBy: ['teamId', 'status'],
        });
        expect(byTeamStatus).toHaveLength(3);
        expect(byTeamStatus).toEqual(
          expect.arrayContaining([
            { group: { teamId: 't1', status: 'pending' }, count: 1 },
            { group: { teamId: 't1', status: 'approved' }, count: 1 },
            { group: { teamId: 't2', status: 'pending' }, count: 1 },
          ]),
        );
        const inRange = await store.count('request', {
          range: { field: 'createdAt', from: '2026-03-01' },
          groupBy: ['teamId'],
        });
        expect(inRange).toEqual(
          expect.arrayContaining([
            { group: { teamId: 't1' }, count: 1 },
            { group: { teamId: 't2' }, count: 2 },
          ]),
        );
      });

      it('counts nothing as a total of zero, and as no groups', async () => {
        expect(await store.count('check')).toEqual([{ group: {}, count: 0 }]);
        expect(await store.count('check', { groupBy: ['teamId'] })).toEqual([]);
      });

      it('counts by a number field as numbers', async () => {
        await put('review', samples.review);
        expect(await store.count('review', { groupBy: ['year'] })).toEqual([
          { group: { year: 2026 }, count: 1 },
        ]);
        expect(ids(await store.query('review', { where: { year: 2026 } }))).toEqual(['review-2026']);
      });

      it('throws for a field that is not indexed, wherever it is used', async () => {
        const anyQuery = store.query as (kind: string, q: unknown) => Promise<unknown>;
        const anyCount = store.count as (kind: string, q: unknown) => Promise<unknown>;
        await expect(anyQuery('request', { where: { reason: 'risk-of-cce' } })).rejects.toThrow(
          /not indexed/,
        );
        await expect(anyQuery('request', { orderBy: { field: 'reason', dir: 'asc' } })).rejects.toThrow(
          /not indexed/,
        );
        await expect(
          anyQuery('request', { range: { field: 'decidedAt', from: '2026-01-01' } }),
        ).rejects.toThrow(/not indexed/);
        await expect(anyCount('request', { groupBy: ['viewer'] })).rejects.toThrow(/not indexed/);
        await expect(anyQuery('setting', { where: { id: 'x' } })).rejects.toThrow(/not indexed/);
      });

      it('throws for a range on a field that is not a date or number, or a bad limit', async () => {
        await expect(store.query('request', { range: { field: 'status', from: 'a' } })).rejects.toThrow(
          /not a date/,
        );
        await expect(store.query('request', { limit: 0 })).rejects.toThrow(/limit/);
      });
    });

    describe('leases', () => {
      const t0 = new Date('2026-02-01T12:00:00.000Z');
      const later = (ms: number) => new Date(t0.getTime() + ms);

      it('lets one holder at a time hold a lease until it expires', async () => {
        expect(await store.lease('jobs', 'a', 60_000, t0)).toBe(true);
        expect(await store.lease('jobs', 'b', 60_000, later(1_000))).toBe(false);
        expect(await store.lease('jobs', 'a', 60_000, later(30_000))).toBe(true);
        expect(await store.lease('jobs', 'b', 60_000, later(89_999))).toBe(false);
        expect(await store.lease('jobs', 'b', 60_000, later(90_000))).toBe(true);
        expect(await store.lease('jobs', 'a', 60_000, later(100_000))).toBe(false);
        expect(await store.lease('other', 'a', 60_000, later(100_000))).toBe(true);
      });

      it('gives a lease to exactly one of many holders asking at once', async () => {
        const asks = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.lease('jobs', `holder-${i}`, 60_000, t0)),
        );
        expect(asks.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('audit trail', () => {
      it('appends a unit’s events in order, chained, with the unit’s key and time', async () => {
        const result = await store.commit({
          key: 'k1',
          at: '2026-02-01T10:00:00.000Z',
          writes: [{ kind: 'request', record: samples.request, ifVersion: null }],
          audit: [
            draft('request.raise', { kind: 'request', id: 'req-1' }),
            {
              actor: { id: 'system' },
              action: 'notify',
              target: { kind: 'request', id: 'req-1' },
              outcome: 'sent',
            },
          ],
        });
        if (result.status !== 'committed') throw new Error(result.status);
        const events = await store.audit.list();
        expect(events).toEqual(result.events);
        expect(events.map((e) => e.seq)).toEqual([1, 2]);
        expect(events[0]).toMatchObject({
          at: '2026-02-01T10:00:00.000Z',
          key: 'k1',
          actor: { id: 'cm-1', role: 'case-manager' },
          action: 'request.raise',
          target: { kind: 'request', id: 'req-1' },
          outcome: 'allow',
          cites: ['000 §11'],
          profileId: 'nottinghamshire-yjs',
          profileVersion: '1',
          details: { note: 'fictional' },
          prevHash: GENESIS,
        });
        expect(events[1]).toMatchObject({ cites: [], details: {}, prevHash: events[0]!.hash });
        expect(events[1]!.profileId).toBeUndefined();
        expect(events[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(events[0]!.id).not.toBe(events[1]!.id);
      });

      it('records a refusal as an audit-only unit', async () => {
        const result = await store.commit({
          key: 'refused',
          at,
          writes: [],
          audit: [draft('request.raise', { kind: 'child', id: 'child-1' }, 'refuse')],
        });
        expect(result).toMatchObject({ status: 'committed', events: [{ seq: 1, outcome: 'refuse' }] });
        expect(await store.audit.verify()).toEqual({ ok: true, count: 1 });
      });

      it('lists a period (from inclusive, to exclusive), after a seq, and up to a limit', async () => {
        for (const day of ['01', '02', '03', '04']) {
          await store.commit({
            key: `day-${day}`,
            at: `2026-03-${day}T09:00:00.000Z`,
            writes: [],
            audit: [draft('x', { kind: 'child', id: day })],
          });
        }
        const targets = (events: { target: { id: string } }[]) => events.map((e) => e.target.id);
        expect(targets(await store.audit.list({ from: '2026-03-02', to: '2026-03-04T09:00:00Z' }))).toEqual([
          '02',
          '03',
        ]);
        expect(targets(await store.audit.list({ afterSeq: 2 }))).toEqual(['03', '04']);
        expect(targets(await store.audit.list({ limit: 1 }))).toEqual(['01']);
        // One event by its id (what `overt decision explain <id>` asks): that one, and none for an unknown id.
        const third = (await store.audit.list({ afterSeq: 2, limit: 1 }))[0]!;
        expect(await store.audit.list({ eventId: third.id })).toEqual([third]);
        expect(await store.audit.list({ eventId: 'no-such-event' })).toEqual([]);
      });

      it('verifies an empty trail and a long one', async () => {
        expect(await store.audit.verify()).toEqual({ ok: true, count: 0 });
        for (let i = 0; i < 20; i++) {
          await store.commit({
            key: `v-${i}`,
            at,
            writes: [{ kind: 'reminder', record: { ...samples.reminder, id: `rem-${i}` } }],
            audit: [draft('reminder.record', { kind: 'reminder', id: `rem-${i}` })],
          });
        }
        expect(await store.audit.verify()).toEqual({ ok: true, count: 20 });
      });
    });
  });
}
