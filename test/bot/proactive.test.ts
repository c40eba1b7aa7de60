/**
 * What the bot writes first, through a fake connector (the serviceUrl of every conversation here): the
 * welcome card on install, approval cards sent and updated, the requester told, and the timers' notices
 * delivered to the people they name. Also the conversations that go back and forth: more information asked
 * for and answered, a withdrawal, consent recorded through the bot. Each asserts what reached the connector
 * and what was written to the store.
 */
import { addDays } from 'date-fns';
import { validateCard } from '../../src/bot/cards/validate';
import { botOf } from '../../src/bot/surface';
import { runJobs } from '../../src/workflow';
import { actionData, activity, execute, inputsOf, post, problemOf, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector, type Sent } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
beforeAll(async () => {
  w = await botWorld();
  connector = await fakeConnector();
  // The case manager and the team manager have the bot in their personal chats.
  for (const who of [CM, TM]) expect((await install(who)).status).toBeLessThan(300);
});
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

const CM = 'demo-cm-north-1';
const TM = 'demo-tm-north';
const chat = (who: string) => `personal-${who}`;
const settled = () => botOf(w.running.deps)!.outbox.settled();
const to = (who: string, method: Sent['method'], text: RegExp) => (s: Sent) =>
  s.conversationId === chat(who) && s.method === method && text.test(textOf(cardOf(s)));
const request = async (id: string) => (await w.running.store.get('request', id))!.record;
const audited = async (action: string, targetId: string) =>
  (await w.running.store.audit.list()).filter((e) => e.action === action && e.target.id === targetId);

/** The bot is added to a person's personal chat, whose serviceUrl is the fake connector. */
const install = (who: string) =>
  post(
    w.url,
    activity(who, chat(who), {
      type: 'conversationUpdate',
      serviceUrl: connector.serviceUrl,
      membersAdded: [{ id: 'overt-bot' }, { id: who }],
    }),
  );

/** A message in a person's chat (whose serviceUrl is the connector), answered inline. */
async function sayHere(who: string, text: string) {
  const r = await post(
    w.url,
    activity(who, chat(who), {
      type: 'message',
      text,
      textFormat: 'plain',
      deliveryMode: 'expectReplies',
      serviceUrl: connector.serviceUrl,
    }),
  );
  expect(r.status).toBe(200);
  return ((r.json?.activities ?? []) as { attachments?: { content: unknown }[] }[]).flatMap((a) =>
    (a.attachments ?? []).map((x) => x.content),
  );
}

async function raise(caseRef: string) {
  const sent = await execute(w.url, CM, 'request.send', {
    formId: `form-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const card = sent.json.value;
  const requestId = actionData(card, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();
  await settled();
  return { card, requestId };
}

describe('the bot writing first, through the connector', () => {
  it('welcomes a person on install with the help card (once) and keeps their conversation', async () => {
    // Both were added in beforeAll: each was welcomed then.
    const welcome = await connector.waitFor(to(CM, 'POST', /What Overt can do/), 8000, 0);
    expect(validateCard(cardOf(welcome))).toEqual({ ok: true });
    await connector.waitFor(to(TM, 'POST', /What Overt can do/), 8000, 0);
    // Added again: not welcomed again (test/bot/welcome.test.ts has the two install events at once).
    const from = connector.sent.length;
    for (const who of [CM, TM]) expect((await install(who)).status).toBeLessThan(300);
    await settled();
    expect(connector.sent.slice(from).filter((s) => /What Overt can do/.test(textOf(cardOf(s))))).toEqual([]);
    // The reference is kept, pointing at the connector, for proactive messages later.
    const kept = (await w.running.store.get('conversation', CM))!.record.reference as {
      personal?: { serviceUrl: string; conversation: { id: string } };
    };
    expect(kept.personal).toMatchObject({ serviceUrl: connector.serviceUrl, conversation: { id: chat(CM) } });

    // Someone unknown is told so, and nothing is kept for them; a member joining later gets no welcome.
    const before = connector.sent.length;
    await install('somebody-else');
    const stranger = await connector.waitFor(to('somebody-else', 'POST', /Overt does not know you/));
    expect(stranger).toBeDefined();
    expect(await w.running.store.get('conversation', 'somebody-else')).toBeUndefined();
    await post(
      w.url,
      activity(CM, chat(CM), {
        type: 'conversationUpdate',
        serviceUrl: connector.serviceUrl,
        membersAdded: [{ id: 'someone-new' }],
      }),
    );
    await settled();
    expect(connector.sent.slice(before).filter((s) => s.conversationId === chat(CM))).toHaveLength(0);
  });

  it('more information: asked for, answered by the requester, and back with the approver', async () => {
    const { requestId } = await raise('DEMO-0001');
    // The approval card went to the team manager's chat, and its copy was kept.
    const copy = await connector.waitFor(to(TM, 'POST', /case DEMO-0001/));
    expect(textOf(cardOf(copy))).not.toMatch(/A\.B\. \(demo\)/); // the base card: case reference only
    const tmView = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;

    let from = connector.sent.length;
    const asked = (
      await execute(w.url, TM, 'request.more-info', {
        ...actionData(tmView, 'request.more-info'),
        reasons: 'Say what the new information is.',
      })
    ).json.value;
    expect(textOf(asked)).toMatch(/You asked the requester for more information/);
    expect(actionData(asked, 'request.approve')).toBeUndefined();
    expect(await request(requestId)).toMatchObject({ status: 'more-info' });
    expect(await w.running.store.query('decision', { where: { requestId } })).toEqual([
      expect.objectContaining({
        record: expect.objectContaining({
          outcome: 'more-info',
          deciderId: TM,
          reasons: 'Say what the new information is.',
        }),
      }),
    ]);
    await settled();
    // Every copy shows the new state; the requester is asked, with a place to answer.
    const updated = await connector.waitFor(to(TM, 'PUT', /more information asked for/i), 8000, from);
    expect(updated.messageId).toBe(copy.messageId);
    const told = await connector.waitFor(to(CM, 'POST', /More information was asked for/), 8000, from);
    expect(validateCard(cardOf(told))).toEqual({ ok: true });
    expect(textOf(cardOf(told))).toMatch(
      /More information asked for by Arlo Ashdown \(demo\).*Say what the new information is/s,
    );
    const answer = actionData(cardOf(told), 'request.answer');
    expect(answer).toMatchObject({ requestId });

    // The approver cannot approve while the requester is being asked.
    // Their card offers only what the workflow allows now (decisionChoices): decline, no approval.
    const current = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    expect(actionData(current, 'request.approve')).toBeUndefined();
    expect(actionData(current, 'request.more-info')).toBeUndefined();
    expect(actionData(current, 'request.decline')).toBeDefined();
    // An approval pressed anyway (a crafted press with the current version) is told why, in a sentence.
    const early = (await execute(w.url, TM, 'request.approve', { ...actionData(current, 'request.decline') }))
      .json.value;
    expect(textOf(early)).toMatch(
      /This request is waiting for the requester’s answer to a request for more information\./,
    );
    // The state in one sentence that reads whole (requestStateSentence), never "was already more information…".
    expect(textOf(early)).not.toMatch(/was already|already more/);

    from = connector.sent.length;
    const answered = (
      await execute(w.url, CM, 'request.answer', {
        ...answer,
        rationale: 'Fictional: a peer reported contact from an unknown adult on Instagram.',
      })
    ).json.value;
    expect(textOf(answered)).toMatch(/Your answer is saved. Overt is sending it to the approver/);
    // The answer is kept beside the rationale the request was raised with, never over it.
    expect(await request(requestId)).toMatchObject({
      status: 'pending',
      rationale: 'Fictional: new information suggests a risk to the child.',
      answers: [
        {
          by: CM,
          text: 'Fictional: a peer reported contact from an unknown adult on Instagram.',
          at: expect.any(String),
        },
      ],
    });
    expect(await audited('request.amend', requestId)).toHaveLength(1);
    await settled();
    // Back with the approver: their copy is waiting again (updated in place, not a second card)…
    const back = await connector.waitFor(to(TM, 'PUT', /waiting for a decision/i), 8000, from);
    expect(back.messageId).toBe(copy.messageId);
    expect(connector.sent.slice(from).filter(to(TM, 'POST', /case DEMO-0001/))).toHaveLength(0);
    // …and their view has the buttons again, with the answer, and approving works.
    const again = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    expect(textOf(again)).toMatch(/a peer reported contact/);
    from = connector.sent.length;
    const approved = (
      await execute(w.url, TM, 'request.approve', {
        ...actionData(again, 'request.approve'),
        reasons: 'Necessary and proportionate (fictional).',
      })
    ).json.value;
    expect(textOf(approved)).toMatch(/You approved this request/);
    expect(await request(requestId)).toMatchObject({ status: 'approved', decidedBy: TM });
    await settled();
    await connector.waitFor(to(CM, 'POST', /Your request was approved/), 8000, from);
    await connector.waitFor(to(CM, 'POST', /Record the check/), 8000, from);
  });

  it('withdraw: the request is withdrawn, every copy says so, and it can no longer be decided', async () => {
    const { card, requestId } = await raise('DEMO-0002');
    const copy = await connector.waitFor(to(TM, 'POST', /case DEMO-0002/));
    // The team manager's card as it was before the withdrawal (its Approve names the version it showed).
    const tmCard = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    const from = connector.sent.length;
    const withdrawn = (
      await execute(w.url, CM, 'request.withdraw', { ...actionData(card, 'request.withdraw') })
    ).json.value;
    expect(textOf(withdrawn)).toMatch(/You withdrew this request/);
    expect(actionData(withdrawn, 'request.withdraw')).toBeUndefined();
    expect(await request(requestId)).toMatchObject({ status: 'withdrawn' });
    expect(await audited('request.withdraw', requestId)).toEqual([
      expect.objectContaining({ actor: expect.objectContaining({ id: CM }), outcome: 'withdrawn' }),
    ]);
    await settled();
    const updated = await connector.waitFor(to(TM, 'PUT', /withdrawn/i), 8000, from);
    expect(updated.messageId).toBe(copy.messageId);

    // Withdrawing twice changes nothing; deciding now is refused and no decision is written.
    await execute(w.url, CM, 'request.withdraw', { ...actionData(card, 'request.withdraw') });
    expect(await audited('request.withdraw', requestId)).toHaveLength(1);
    const late = (await execute(w.url, TM, 'request.approve', { ...actionData(tmCard, 'request.approve') }))
      .json.value;
    expect(textOf(late)).toMatch(/This request has been withdrawn by the person who asked\./);
    expect(await w.running.store.query('decision', { where: { requestId } })).toHaveLength(0);
    // Only the requester (or their team manager) may withdraw.
    const { requestId: other } = await raise('DEMO-0003');
    const refused =
      // Made by hand with the request's current version, so that only who may withdraw is at issue.
      (
        await execute(w.url, 'demo-cm-north-2', 'request.withdraw', {
          requestId: other,
          version: (await w.running.store.get('request', other))!.version,
          formId: 'withdraw-x1',
        })
      ).json.value;
    expect(textOf(refused)).toMatch(/only the requester or their team manager/i);
    expect(await request(other)).toMatchObject({ status: 'pending' });
  });

  it('records consent through the bot: the form from chat, the record written, the child updated', async () => {
    const childId = await w.childId('DEMO-0003');
    const before = await w.running.store.query('consent', { where: { childId } });
    const form = (await sayHere(CM, 'consent for demo-0003'))[0];
    expect(validateCard(form)).toEqual({ ok: true });
    const data = actionData(form, 'consent.record');
    expect(data).toMatchObject({ childId });

    // A bad date is refused before anything is written.
    const bad = (await execute(w.url, CM, 'consent.record', { ...data, givenBy: 'parent', date: 'soon' }))
      .json.value;
    expect(problemOf(bad, 'date')).toMatch(/Pick the date/);
    expect(inputsOf(bad)).toMatchObject({ givenBy: 'parent' });
    expect(await w.running.store.query('consent', { where: { childId } })).toHaveLength(before.length);

    const today = new Date().toISOString().slice(0, 10);
    const done = (
      await execute(w.url, CM, 'consent.record', {
        ...data,
        givenBy: 'the child and their carer',
        date: today,
        platforms: 'instagram, tiktok',
      })
    ).json.value;
    expect(textOf(done)).toMatch(/Consent recorded for DEMO-0003/);
    const after = await w.running.store.query('consent', { where: { childId } });
    expect(after).toHaveLength(before.length + 1);
    const added = after.find((c) => !before.some((b) => b.record.id === c.record.id))!.record;
    expect(added).toMatchObject({
      givenBy: 'the child and their carer',
      scope: { platforms: ['instagram', 'tiktok'] },
    });
    expect((await w.running.store.get('child', childId))!.record).toMatchObject({
      consentStatus: 'given',
      consentId: added.id,
    });
    expect(await audited('consent.record', added.id)).toEqual([
      expect.objectContaining({
        actor: expect.objectContaining({ id: CM }),
        outcome: 'recorded',
        details: { childId, platforms: ['instagram', 'tiktok'] },
      }),
    ]);
    // The same card sent again writes nothing more.
    await execute(w.url, CM, 'consent.record', {
      ...data,
      givenBy: 'the child and their carer',
      date: today,
    });
    expect(await w.running.store.query('consent', { where: { childId } })).toHaveLength(before.length + 1);
  });

  it('a decision waiting too long: the team manager gets the approval card again, the service manager a notice', async () => {
    const SM = 'demo-sm';
    expect((await install(SM)).status).toBeLessThan(300);
    const raisedFrom = connector.sent.length;
    const { requestId } = await raise('DEMO-0002');
    const first = await connector.waitFor(to(TM, 'POST', /case DEMO-0002/), 8000, raisedFrom);
    const from = connector.sent.length;
    // The timers run two days and an hour later (OVERT_ESCALATE_AFTER_HOURS is 48), before it expires.
    const later = new Date(Date.now() + 49 * 3600_000);
    expect((await runJobs({ ...w.running.deps, clock: () => later }, 'test-jobs')).ran).toBe(true);
    expect(await audited('notice.decision-waiting', requestId)).toHaveLength(1);
    await botOf(w.running.deps)!.deliverNotices();
    await botOf(w.running.deps)!.deliverNotices();

    // The team manager, who may decide, gets a new copy of the approval card, saying how long it has waited…
    const escalated = await connector.waitFor(
      to(TM, 'POST', /DEMO-0002 has waited over 48 hours/),
      8000,
      from,
    );
    expect(escalated.messageId).not.toBe(first.messageId);
    expect(textOf(cardOf(escalated))).toMatch(/case DEMO-0002/);
    expect(validateCard(cardOf(escalated))).toEqual({ ok: true });
    expect(actionData(cardOf(escalated), 'request.refresh')).toMatchObject({ requestId });
    // …with nothing of the request on it beyond its case reference (it is the base card).
    expect(textOf(cardOf(escalated))).not.toMatch(/instagram|risk of (cse|child sexual exploitation)/i);
    // The service manager, who cannot decide it, is told, with a way to open it.
    const told = await connector.waitFor(to(SM, 'POST', /DEMO-0002 has waited/), 8000, from);
    expect(actionData(cardOf(told), 'request.refresh')).toMatchObject({ requestId });
    expect(connector.sent.slice(from).filter(to(SM, 'POST', /Request to view/))).toHaveLength(0);

    // Decided from its view, every copy updates: the first card and the escalation's.
    const view = (await execute(w.url, TM, 'request.refresh', { requestId })).json.value;
    const decidedFrom = connector.sent.length;
    expect(
      textOf(
        (
          await execute(w.url, TM, 'request.approve', {
            ...actionData(view, 'request.approve'),
            reasons: 'Necessary and proportionate (fictional).',
          })
        ).json.value,
      ),
    ).toMatch(/You approved this request/);
    await settled();
    const updated = connector.sent
      .slice(decidedFrom)
      .filter((s) => to(TM, 'PUT', /approved/i)(s))
      .map((s) => s.messageId);
    expect(updated).toEqual(expect.arrayContaining([first.messageId, escalated.messageId]));

    // Once decided, a later escalation of it sends nothing.
    const after = connector.sent.length;
    await botOf(w.running.deps)!.deliverNotices();
    expect(connector.sent.slice(after).filter(to(TM, 'POST', /DEMO-0002/))).toHaveLength(0);
  });

  it('delivers the timers’ notices to the people named: an expired request, consent reminders due', async () => {
    const { requestId } = await raise('DEMO-0001');
    // DEMO-0003's worker met the bot in a conversation that has since gone: the connector answers 404.
    const gone = 'demo-cm-north-2';
    await post(
      w.url,
      activity(gone, chat(gone), {
        type: 'conversationUpdate',
        serviceUrl: `${connector.serviceUrl}gone/`,
        membersAdded: [{ id: 'overt-bot' }],
      }),
    );
    expect(await w.running.store.get('conversation', gone)).toBeDefined();
    const from = connector.sent.length;
    const refusedFrom = connector.refused.length;
    // The timers run at a moment when the request has expired and a year has passed since consent.
    const later = addDays(new Date(), 400);
    const report = await runJobs({ ...w.running.deps, clock: () => later }, 'test-jobs');
    expect(report.ran).toBe(true);
    expect(await request(requestId)).toMatchObject({ status: 'expired' });
    const expiry = await audited('request.expire', requestId);
    expect(expiry).toHaveLength(1);

    // The bot follows the trail (every OVERT_NOTICES_EVERY seconds; here a pass is run now rather than
    // waited for) and writes to each person named, in their own chat.
    // (A pass already under way is joined, and it may have started before the timers ran: so two. The
    // timed pass may also have delivered them first: what counts is what reached the connector.)
    await botOf(w.running.deps)!.deliverNotices();
    await botOf(w.running.deps)!.deliverNotices();
    const expired = connector.sent
      .slice(from)
      .find(
        (s) =>
          to(CM, 'POST', /A request expired/)(s) &&
          actionData(cardOf(s), 'request.refresh')?.['requestId'] === requestId,
      )!;
    expect(expired).toBeDefined();
    expect(validateCard(cardOf(expired))).toEqual({ ok: true });
    expect(textOf(cardOf(expired))).toMatch(/request was not decided in time for DEMO-0001 and has expired/);
    // DEMO-0001 and DEMO-0002 are this case manager's: a reminder each; DEMO-0003's reminder is for its
    // worker, whose conversation refused it — which held up nobody else's. The team manager is named in none.
    const reminders = connector.sent.slice(from).filter(to(CM, 'POST', /A consent reminder is due/));
    expect(reminders.map((s) => textOf(cardOf(s)).match(/DEMO-\d+ is due a reminder/)?.[0]).sort()).toEqual([
      'DEMO-0001 is due a reminder',
      'DEMO-0002 is due a reminder',
    ]);
    expect(connector.sent.slice(from).filter((s) => s.conversationId === chat(TM))).toEqual([]);
    expect(connector.refused.slice(refusedFrom)).toContainEqual(
      expect.stringMatching(new RegExp(`^/gone/v3/conversations/${chat(gone)}/activities`)),
    );
    // The cursor moved past what was delivered, so a second pass sends nothing again.
    const cursor = (await w.running.store.get('setting', 'bot.notices.cursor'))!.record.value as {
      seq: number;
    };
    expect(cursor.seq).toBeGreaterThanOrEqual(expiry[0]!.seq);
    const count = connector.sent.length;
    expect(await botOf(w.running.deps)!.deliverNotices()).toBe(0);
    expect(connector.sent.length).toBe(count);
  });
});
