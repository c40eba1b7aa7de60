/**
 * Issue 13 (a newcomer's walk): reminders and notices reach the right person and say what is true when they
 * are sent. Through the real parts — the workflow's timers on the store, the bot's notices pass, a fake
 * connector for the personal chats:
 * - a RIPA review is reminded to the authorising officer on the day it falls due and once more when overdue
 *   (however long overdue), each once, with the reference, the child as the officer may see them, the date;
 * - a decision waiting on an escalated request reminds whoever may decide it now (the authorised officer),
 *   not the team manager who no longer can;
 * - a notice queued before the request was decided (or the review recorded) is not sent, and that is
 *   recorded; a "waiting" notice kept for someone away is not shown once the request was decided.
 */
import { addDays } from 'date-fns';
import { botOf } from '../../src/bot/surface';
import { holdNotice } from '../../src/bot/conversations';
import { authoriseRipa, reviewRipa, runJobs, type Outcome } from '../../src/workflow';
import { validateCard } from '../../src/bot/cards/validate';
import { actionData, activity, decideFromCard, execute, post, textOf } from './client';
import { cardOf, fakeConnector, type FakeConnector, type Sent } from './connector';
import { botWorld, cleanupBotWorlds, type BotWorld } from './world';

let w: BotWorld;
let connector: FakeConnector;
const CM = 'demo-cm-north-1';
const CM2 = 'demo-cm-north-2';
const TM = 'demo-tm-north';
const SM = 'demo-sm';
const AO = 'demo-ao';

beforeAll(async () => {
  // Notices are delivered only when a pass is asked for (after a turn, or here), never by the timer.
  w = await botWorld({ OVERT_NOTICES_EVERY: '3600' });
  connector = await fakeConnector();
  for (const who of [CM, CM2, TM, SM, AO, 'demo-cm-south-1', 'demo-tm-south'])
    expect((await install(who)).status).toBeLessThan(300);
  await settled();
}, 60_000);
afterAll(async () => {
  await w?.close();
  await connector?.close();
  await cleanupBotWorlds();
});

const must = <T>(o: Outcome<T>): T => {
  if (!o.ok) throw new Error(`${o.error.code}: ${o.error.message}`);
  return o.value;
};
const chat = (who: string) => `personal-${who}`;
const settled = () => botOf(w.running.deps)!.outbox.settled();
const install = (who: string) =>
  post(
    w.url,
    activity(who, chat(who), {
      type: 'conversationUpdate',
      serviceUrl: connector.serviceUrl,
      membersAdded: [{ id: 'overt-bot' }, { id: who }],
    }),
  );
const day = (d: Date) => d.toISOString().slice(0, 10);
const gb = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(d);
/** The timers run at `at`, then the bot delivers (twice: a pass under way is joined). */
async function timersAt(at: Date) {
  const report = await runJobs({ ...w.running.deps, clock: () => at }, 'b13-jobs');
  expect(report.ran).toBe(true);
  return report;
}
/** The bot's notices pass (twice: a pass under way is joined). What it reads again before sending does not
 * depend on the moment in these cases (the authorisations run for 80 days). */
async function deliverAt(_at: Date) {
  await botOf(w.running.deps)!.deliverNotices();
  await botOf(w.running.deps)!.deliverNotices();
  await settled();
}
const toChat = (who: string, text: RegExp) => (s: Sent) =>
  s.conversationId === chat(who) && s.method === 'POST' && text.test(textOf(cardOf(s)));
const audited = async (action: string, outcome?: string) =>
  (await w.running.store.audit.list()).filter(
    (e) => e.action === action && (outcome === undefined || e.outcome === outcome),
  );

async function authorise(caseRef: string, reference: string, reviewAt: Date) {
  const today = new Date();
  return must(
    await authoriseRipa(w.running.deps, {
      key: `auth-${reference}`,
      actorId: AO,
      childId: await w.childId(caseRef),
      reference,
      offence: 'Robbery (fictional)',
      maxSentenceMonths: 9999,
      necessity: 'Fictional: the child is missing and at risk.',
      proportionality: 'Fictional: public pages only, for the shortest time.',
      legalAdvice: 'Fictional legal advice L-13',
      grantedOn: day(today),
      magistrateApprovedOn: day(today),
      from: day(today),
      until: day(addDays(today, 80)),
      reviewAt: day(reviewAt),
      confidentialInfoLikely: false,
      authoriserInvolved: false,
    }),
  );
}

describe('RIPA reviews', () => {
  it('are reminded to the officer when due and again when overdue, each once, with what is true', async () => {
    const due = addDays(new Date(), 7);
    const ripa = await authorise('DEMO-0001', 'DS-B13-DUE', due);
    const ripaId = ripa.ripa.id;
    const from = connector.sent.length;

    // The day it falls due: one reminder, to the authorising officer alone.
    const onDay = new Date(`${day(due)}T09:00:00Z`);
    const first = (await timersAt(onDay)).notices.filter((n) => n.ripaId === ripaId);
    expect(first).toEqual([expect.objectContaining({ kind: 'ripa-review', stage: 'due', to: [AO] })]);
    await deliverAt(onDay);
    const reminder = await connector.waitFor(toChat(AO, /needs review/), 8000, from);
    const text = textOf(cardOf(reminder));
    expect(validateCard(cardOf(reminder))).toEqual({ ok: true });
    expect(text).toMatch(/DS-B13-DUE/);
    // The officer keeps the central record: the child by name and case reference; the date en-GB.
    expect(text).toMatch(/A\.B\. \(demo\) \(DEMO-0001\)/);
    expect(text).toContain(gb(due));
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(actionData(cardOf(reminder), 'ripa.show')).toEqual({ ripaId });
    // Every pass that day: nothing more.
    expect(
      (await timersAt(new Date(`${day(due)}T15:00:00Z`))).notices.filter((n) => n.ripaId === ripaId),
    ).toEqual([]);

    // The day after, not reviewed: overdue, reminded once more, and only once.
    const after = new Date(`${day(addDays(due, 1))}T09:00:00Z`);
    const second = (await timersAt(after)).notices.filter((n) => n.ripaId === ripaId);
    expect(second).toEqual([expect.objectContaining({ kind: 'ripa-review', stage: 'overdue', to: [AO] })]);
    await deliverAt(after);
    const overdue = await connector.waitFor(toChat(AO, /review is overdue/), 8000, from);
    expect(textOf(cardOf(overdue))).toContain(`was due for review on ${gb(due)}`);
    expect((await timersAt(addDays(after, 3))).notices.filter((n) => n.ripaId === ripaId)).toEqual([]);
    expect(connector.sent.slice(from).filter(toChat(TM, /RIPA/))).toEqual([]);
  }, 60_000);

  it('an overdue review however old is reminded; one reviewed before the reminder went is not sent', async () => {
    const due = addDays(new Date(), 2);
    const old = await authorise('DEMO-0002', 'DS-B13-OLD', due);
    const from = connector.sent.length;
    // The timers first run 45 days after the review fell due (it was never reminded): reminded, overdue.
    const late = addDays(due, 45);
    const notices = (await timersAt(late)).notices.filter((n) => n.ripaId === old.ripa.id);
    expect(notices).toEqual([expect.objectContaining({ kind: 'ripa-review', stage: 'overdue', to: [AO] })]);
    await deliverAt(late);
    const sent = await connector.waitFor(toChat(AO, /DS-B13-OLD/), 8000, from);
    expect(textOf(cardOf(sent))).toMatch(/review is overdue/);

    // Another falls due; its reminder is queued, then the officer records the review before it is sent.
    const soon = addDays(new Date(), 3);
    const other = await authorise('DEMO-0003', 'DS-B13-DONE', soon);
    const onDay = new Date(`${day(soon)}T09:00:00Z`);
    expect((await timersAt(onDay)).notices.filter((n) => n.ripaId === other.ripa.id)).toHaveLength(1);
    const version = (await w.running.store.get('ripa', other.ripa.id))!.version;
    must(
      await reviewRipa(w.running.deps, {
        key: 'review-b13-done',
        actorId: AO,
        ripaId: other.ripa.id,
        expectedVersion: version,
        reviewedOn: day(new Date()),
        notes: 'Fictional: still necessary and proportionate.',
        nextReviewAt: day(addDays(new Date(), 20)),
      }),
    );
    const before = connector.sent.length;
    await deliverAt(onDay);
    expect(connector.sent.slice(before).filter(toChat(AO, /DS-B13-DONE/))).toEqual([]);
    const dropped = (await audited('bot.deliver', 'dropped')).filter((e) => e.target.id === other.ripa.id);
    expect(dropped).toEqual([
      expect.objectContaining({
        target: { kind: 'ripa', id: other.ripa.id },
        details: expect.objectContaining({ notice: 'ripa-review', notSentTo: [AO] }),
      }),
    ]);
  }, 60_000);
});

async function raise(caseRef: string, who = CM) {
  const sent = await execute(w.url, who, 'request.send', {
    formId: `form-b13-${caseRef}-${Math.random()}`,
    childId: await w.childId(caseRef),
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  });
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();
  await settled();
  return requestId;
}
const approve = (requestId: string, who = TM) =>
  decideFromCard(w.url, who, 'request.approve', requestId, {
    reasons: 'Necessary and proportionate (fictional).',
  });

describe('a decision waiting', () => {
  it('on a request sent on to the authorised officer reminds the officer, not the team manager', async () => {
    const first = await raise('DEMO-0101', 'demo-cm-south-1');
    const second = await raise('DEMO-0101', 'demo-cm-south-1');
    expect(textOf((await approve(first, 'demo-tm-south')).json.value)).toMatch(/You approved this request/);
    await approve(second, 'demo-tm-south');
    expect((await w.running.store.get('request', second))!.record).toMatchObject({
      status: 'escalated',
      authority: 'authorised-officer',
    });
    await settled();
    const from = connector.sent.length;
    const later = new Date(Date.now() + 49 * 3600_000);
    const notice = (await timersAt(later)).notices.find(
      (n) => n.kind === 'decision-waiting' && n.requestId === second,
    );
    // Whoever may decide it now (the authorised officer), and the service manager who oversees the team.
    expect(notice?.to.sort()).toEqual([AO, SM].sort());
    await deliverAt(later);
    const toOfficer = await connector.waitFor(toChat(AO, /has waited over 48 hours/), 8000, from);
    expect(actionData(cardOf(toOfficer), 'request.refresh')).toMatchObject({ requestId: second });
    expect(connector.sent.slice(from).filter(toChat('demo-tm-south', /waited/))).toEqual([]);
    // Once, however many passes.
    expect(
      (await timersAt(addDays(later, 1))).notices.filter(
        (n) => n.kind === 'decision-waiting' && n.requestId === second,
      ),
    ).toEqual([]);
  }, 60_000);

  it('queued before the request was decided, is not sent, and that is recorded', async () => {
    const requestId = await raise('DEMO-0003', CM2);
    const later = new Date(Date.now() + 49 * 3600_000);
    expect(
      (await timersAt(later)).notices.filter(
        (n) => n.kind === 'decision-waiting' && n.requestId === requestId,
      ),
    ).toHaveLength(1);
    // Someone away was kept the "waiting for a decision" news, to be shown when they are back.
    await holdNotice(w.running.deps, SM, {
      title: 'Overt cannot reach Arlo Ashdown (demo) about case DEMO-0003',
      text: 'A request is waiting for Arlo Ashdown (demo) to decide it.',
      requestId,
      while: { kind: 'decision-waiting', requestId, authority: 'team-manager' },
    });
    const from = connector.sent.length;
    // Decided before the notice went: the turn's own pass finds the queued notice no longer true.
    expect(textOf((await approve(requestId)).json.value)).toMatch(/You approved this request/);
    await deliverAt(later);
    const sent = connector.sent.slice(from);
    expect(sent.filter(toChat(SM, /waited|waiting/))).toEqual([]);
    expect(sent.filter(toChat(TM, /waited over/))).toEqual([]);
    const dropped = (await audited('bot.deliver', 'dropped')).filter((e) => e.target.id === requestId);
    expect(dropped).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({ notice: 'decision-waiting', why: 'the request is now approved' }),
      }),
    ]);
    // Back in their chat, the service manager is not shown the kept "waiting" news: it is no longer true.
    const hi = await post(
      w.url,
      activity(SM, chat(SM), {
        type: 'message',
        text: 'hi',
        textFormat: 'plain',
        deliveryMode: 'expectReplies',
        serviceUrl: connector.serviceUrl,
      }),
    );
    const shown = ((hi.json?.activities ?? []) as { attachments?: { content: unknown }[] }[])
      .flatMap((a) => (a.attachments ?? []).map((x) => x.content))
      .map(textOf)
      .join('\n');
    expect(shown).not.toMatch(/While you were away|waiting for Arlo/);
    expect(
      (await audited('bot.deliver', 'dropped')).filter(
        (e) => e.target.id === SM && (e.details as Record<string, unknown>)['requestId'] === requestId,
      ),
    ).toHaveLength(1);
  }, 60_000);
});
