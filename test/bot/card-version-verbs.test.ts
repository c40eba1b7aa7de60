/**
 * Issue 20 (newcomer walk): every card verb that changes a record already there carries the version of it that
 * the card showed — the decisions, withdrawing, answering, recording the check, and each step of the RIPA route
 * (authorise, refuse, review, renew, cancel). Through the bot endpoint, for each verb, the button of the current
 * card is pressed as a stale card would send it: with no version (a card made before it carried one, or data
 * made by hand), and with a version the record has moved on from. Each is refused the same way, decided in one
 * place: the current card with one plain sentence, nothing written, one audit event naming the verb. The
 * withdraw and answer verbs took a press with no version before; so did recording the check and every RIPA step.
 * Then the real move: a review recorded, and the cancel button of the card from before it pressed.
 */
import { actionData, execute, textOf } from './client';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

type Json = Record<string, unknown>;

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
}, 120_000);
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
const AO = 'demo-ao';
const STALE = /Nothing was done: this card is out of date — here is the current one\./;

const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
const nowTime = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );
const plusDays = (d: string, n: number) => {
  const t = new Date(`${d}T12:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
};

async function press(who: string, verb: string, data: Json): Promise<Json> {
  const r = await execute(w.url, who, verb, data);
  expect(r.status).toBe(200);
  return r.json.value as Json;
}

async function raise(caseRef: string): Promise<string> {
  const sent = await press(CM, 'request.send', {
    formId: `form-verbs-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_north_1',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent, 'request.withdraw')?.['requestId'];
  expect(typeof requestId).toBe('string');
  return requestId as string;
}

const refresh = (who: string, requestId: string) => press(who, 'request.refresh', { requestId });

/** What a stale press must leave as it was: every record of every kind it could write, and the trail. */
async function everything(): Promise<string> {
  const kinds = ['request', 'decision', 'check', 'ripa', 'child'] as const;
  const all = await Promise.all(kinds.map((k) => w.running.store.query(k)));
  return JSON.stringify(all);
}

/**
 * One verb's button on its current card, pressed stale two ways; each answer is the current card with the
 * sentence, nothing is written, and one audit event names the verb and the person. Answers the pressed data
 * with the card's version, for the caller to use.
 */
async function refusedWhenStale(
  who: string,
  verb: string,
  card: Json,
  typed: Json,
  current: RegExp,
): Promise<Json> {
  const pressed = actionData(card, verb);
  expect(pressed).toBeDefined();
  expect(pressed).toMatchObject({ version: expect.any(String) });
  const { version: _v, ...withoutVersion } = pressed!;
  for (const data of [
    withoutVersion,
    { ...withoutVersion, version: `${String(pressed!['version'])}-older` },
    // Malformed, as an old or hand-made card sends it: out of date too, never "Fill this in" with no field
    // marked (issue 20 newcomer, 4).
    { ...withoutVersion, version: 3 },
    { ...withoutVersion, version: null },
  ]) {
    const before = await everything();
    const events = (await w.running.store.audit.list()).length;
    const answer = await press(who, verb, { ...data, ...typed });
    expect(textOf(answer)).toMatch(STALE);
    expect(textOf(answer)).toMatch(current);
    expect(await everything()).toBe(before);
    const added = (await w.running.store.audit.list()).slice(events);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: `bot:${verb}`, outcome: 'refuse', actor: { id: who } });
    expect(JSON.stringify(added[0]!.details)).toMatch(/out of date/);
  }
  return { ...pressed!, ...typed };
}

const CHECK = {
  viewedDate: today(),
  viewedTime: nowTime(),
  accounts: 'account-0',
  relevantInfo: 'Fictional: nothing of note.',
  thirdPartyData: 'none',
  sensitive: 'false',
  attestNoFriendFollow: 'true',
  attestOpenSourceOnly: 'true',
};

describe('every verb that changes a record refuses a stale card in the same way', () => {
  it('deciding, withdrawing and answering', async () => {
    const pending = await raise('DEMO-0002');
    const approver = await refresh(TM, pending);
    for (const verb of ['request.approve', 'request.decline', 'request.more-info'])
      await refusedWhenStale(
        TM,
        verb,
        approver,
        { reasons: 'Fictional: reasons.' },
        /waiting for a decision/i,
      );
    await refusedWhenStale(CM, 'request.withdraw', await refresh(CM, pending), {}, /DEMO-0002/);

    // Asked for more information: the requester's answer.
    const asked = await press(TM, 'request.more-info', {
      ...actionData(await refresh(TM, pending), 'request.more-info'),
      reasons: 'Fictional: say what the new information is.',
    });
    expect(textOf(asked)).toMatch(/You asked the requester/);
    const answer = await refusedWhenStale(
      CM,
      'request.answer',
      await refresh(CM, pending),
      { rationale: 'Fictional: a new post names the child.' },
      /more information/i,
    );
    // The current card's button is taken.
    expect(textOf(await press(CM, 'request.answer', answer))).toMatch(/Overt is sending it to the approver/);
  });

  it('recording the check, and every step of the RIPA route', async () => {
    const store = w.running.store;
    // A first check on DEMO-0001, approved: the check card.
    const first = await raise('DEMO-0001');
    await press(TM, 'request.approve', {
      ...actionData(await refresh(TM, first), 'request.approve'),
      reasons: 'Fictional: necessary and proportionate.',
    });
    const checkCard = await press(CM, 'check.open', { requestId: first });
    const check = await refusedWhenStale(CM, 'check.record', checkCard, CHECK, /DEMO-0001/);
    expect(textOf(await press(CM, 'check.record', check))).toMatch(/Check recorded/);

    // A repeat inside three months for a criminal purpose: the authorising officer's application.
    const repeat = await raise('DEMO-0001');
    expect((await store.get('request', repeat))!.record).toMatchObject({
      status: 'escalated',
      authority: 'authorised-officer',
    });
    const app = await refresh(AO, repeat);
    const t = today();
    const good = {
      reference: 'DS-VERSIONS-001',
      offence: 'Being concerned in the supply of a class A drug (fictional)',
      maxSentenceMonths: '9999',
      necessity: 'Fictional: the child is missing; no less intrusive way is known.',
      proportionality: 'Fictional: public posts only, by one officer, for the shortest time.',
      legalAdvice: 'Fictional: legal services advise it is lawful (LS-0001).',
      grantedOn: t,
      magistrateApprovedOn: t,
      from: t,
      until: plusDays(t, 60),
      reviewAt: plusDays(t, 7),
      confidentialInfoLikely: 'false',
      authoriserInvolved: 'false',
    };
    // The application comes back as it is now, with what the officer typed kept.
    const authorise = await refusedWhenStale(AO, 'ripa.authorise', app, good, /RIPA application/);
    const staleAgain = await press(AO, 'ripa.authorise', { ...authorise, version: undefined });
    expect(JSON.stringify(staleAgain)).toContain(good.necessity);
    await refusedWhenStale(
      AO,
      'ripa.refuse',
      app,
      { ground: 'not-necessary', refuseReasons: 'Fictional: not necessary now.' },
      /RIPA application/,
    );
    const authorised = await press(AO, 'ripa.authorise', authorise);
    expect(textOf(authorised)).toMatch(/Authorisation recorded/);
    const ripaId = actionData(authorised, 'ripa.review')!['ripaId'] as string;

    const review = {
      reviewedOn: t,
      reviewNotes: 'Fictional: still necessary.',
      nextReviewAt: plusDays(t, 14),
    };
    const renew = {
      renewedOn: t,
      renewMagistrateOn: t,
      renewUntil: plusDays(t, 90),
      renewReasons: 'Fictional: still necessary.',
      renewNextReviewAt: plusDays(t, 70),
    };
    const cancel = { cancelOn: t, cancelReasons: 'Fictional: the child has been found.' };
    const shown = await press(AO, 'ripa.show', { ripaId });
    const AUTHORISATION = /RIPA authorisation DS-VERSIONS-001/;
    const reviewed = await refusedWhenStale(AO, 'ripa.review', shown, review, AUTHORISATION);
    await refusedWhenStale(AO, 'ripa.renew', shown, renew, AUTHORISATION);
    await refusedWhenStale(AO, 'ripa.cancel', shown, cancel, AUTHORISATION);
    await refusedWhenStale(
      AO,
      'ripa.correct',
      shown,
      { fixOffence: 'Fictional offence, its typo corrected.', fixReason: 'Fictional: a typo.' },
      AUTHORISATION,
    );

    // The real move: the review recorded from this card; the cancel button of the same card, from before it,
    // is now stale — the authorisation as it is now (its review shown), nothing cancelled.
    expect(textOf(await press(AO, 'ripa.review', reviewed))).toMatch(/Review recorded/);
    const before = await store.get('ripa', ripaId);
    const events = (await store.audit.list()).length;
    const old = await press(AO, 'ripa.cancel', { ...actionData(shown, 'ripa.cancel'), ...cancel });
    expect(textOf(old)).toMatch(STALE);
    expect(await store.get('ripa', ripaId)).toEqual(before);
    expect((await store.audit.list()).slice(events)).toMatchObject([
      { action: 'bot:ripa.cancel', outcome: 'refuse', actor: { id: AO } },
    ]);
    // Pressed on the current card, it is cancelled.
    const cancelled = await press(AO, 'ripa.cancel', { ...actionData(old, 'ripa.cancel'), ...cancel });
    expect(textOf(cancelled)).toMatch(/Cancelled\./);
  });
});
