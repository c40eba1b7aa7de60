/**
 * Issue 12, fault 1: authority is bound to the person the workflow entitles, never to whoever sent the
 * command. Through the bot endpoint, on both stores: a colleague, the team manager, the service manager,
 * information governance and the authorised officer each send `check.record` for a check they did not ask
 * for, naming no viewer — every one is refused and audited, nothing is recorded, and the requester then
 * records it as theirs. A decision made as another authority than the request needs is refused too.
 */
import { decideRequest } from '../../src/workflow';
import { cleanupBotWorlds, type BotWorld } from '../bot/world';
import {
  approveThroughBot,
  checkForm,
  checksOf,
  CM,
  raiseThroughBot,
  recordThroughBot,
  TM,
} from './bot-steps';
import { cleanupStores, STORES, worldOn } from './stores';

afterAll(async () => {
  await cleanupStores();
  cleanupBotWorlds();
});

describe.each(STORES)('on the %s store', (store) => {
  let w: BotWorld;
  beforeAll(async () => {
    w = await worldOn(store);
  }, 120_000);
  afterAll(async () => w?.close());

  it("nobody but the requester records the requester's check, and every attempt is an audited refusal", async () => {
    const requestId = await raiseThroughBot(w, 'DEMO-0001');
    expect(await approveThroughBot(w, requestId)).toMatch(/You approved this request/);
    const others = ['demo-cm-north-2', TM, 'demo-sm', 'demo-ig', 'demo-ao'];
    const before = (await w.running.store.audit.list()).length;
    for (const who of others) {
      const text = await recordThroughBot(w, who, checkForm(requestId, `form-check-${who}-1234`));
      expect(text).not.toMatch(/Check recorded/);
    }
    expect(await checksOf(w, requestId)).toEqual([]);
    expect((await w.running.store.get('request', requestId))?.record.status).toBe('approved');
    const refusals = (await w.running.store.audit.list())
      .slice(before)
      .filter((e) => e.action === 'check.record' && e.outcome === 'refuse');
    expect(refusals.map((e) => e.actor.id).sort()).toEqual([...others].sort());

    const mine = await recordThroughBot(w, CM, checkForm(requestId, 'form-check-requester-1'));
    expect(mine).toMatch(/Check recorded/);
    expect(await checksOf(w, requestId)).toEqual([expect.objectContaining({ viewerId: CM, recordedBy: CM })]);
  }, 60_000);

  it('a decision is made as the authority the request needs, not one the sender names', async () => {
    // DEMO-0001's check above was done: a second inside three months needs the authorised officer (000 §12).
    const requestId = await raiseThroughBot(w, 'DEMO-0001');
    const request = (await w.running.store.get('request', requestId))!.record;
    expect(request).toMatchObject({ status: 'escalated', authority: 'authorised-officer' });
    for (const outcome of ['decline', 'more-info'] as const) {
      const r = await decideRequest(w.running.deps, {
        key: `decide-as-another-${outcome}`,
        actorId: TM,
        requestId,
        outcome,
        reasons: 'Deciding as the team manager (fictional).',
        authority: 'team-manager',
      });
      expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', field: 'authority' } });
    }
    expect((await w.running.store.get('request', requestId))?.record.status).toBe('escalated');
    expect(await w.running.store.query('decision', { where: { requestId } })).toEqual([]);
  }, 60_000);
});
