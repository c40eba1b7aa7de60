/**
 * The RIPA authorisation's lifecycle over plain HTTP, as an authorising officer and a case manager walk it
 * from cards (issue 13, a newcomer's walk), on SQLite:
 * - an authorisation recorded without the magistrate's date (never filled in for the officer) is awaiting
 *   the magistrate's approval: the request is not approved, the queue lists it so, and the date is a step of
 *   its own — before the grant or ahead, the problem beside the date;
 * - once approved, the check proceeds, the approval names the authorisation, and so does the check recorded;
 * - a second renewal the same day is refused beside the renewal date, the review due kept;
 * - after the cancellation, a check under it is refused beside the viewing date, audited, nothing written;
 * - the queue card lists at most ten of each, says how many more and opens the tab.
 */
import { validateCard } from '../../src/bot/cards/validate';
import { tabLinkOf } from '../../src/bot/settings';
import { ripaQueueCard } from '../../src/bot/views/ripa-cards';
import type { CentralRecordEntry, RipaApplication } from '../../src/workflow/queries/ripa';
import { actionData, inputsOf, problemOf, textOf } from './client';
import {
  AO,
  CM,
  httpSuite,
  plainForPeople,
  plusDays,
  raise,
  repeatToOfficer,
  tab,
  today,
} from './ripa-journey';
import { expectCleanShots } from './card-shots';

/** The renewal's cards as the officer saw them, drawn at 400 and 1280 px at the end (issue 13: a picture of
 * each card). */
const shown = new Map<string, unknown>();

const suite = httpSuite();
const driver = () => suite.d;
const nowTime = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );
const refusals = async () =>
  (await suite.world().running.store.audit.list()).filter(
    (e) => e.outcome === 'refuse' || e.action.startsWith('bot:'),
  ).length;

it('awaiting the magistrate’s approval → the date recorded → the check proceeds under it, named → one renewal a period → cancelled, and no check after', async () => {
  const d = driver();
  const w = suite.world();
  const store = w.running.store;
  const t = today();
  // A first check, then a repeat inside three months: to the authorising officer.
  const requestId = await repeatToOfficer(d, w, 'DEMO-0001');
  const app = await d.invoke(AO, 'ripa.open', { requestId });
  // The magistrate's date is not filled in.
  expect(inputsOf(app)).toMatchObject({ magistrateApprovedOn: '', grantedOn: t });
  expect(textOf(app)).toMatch(/Leave the date empty: the authorisation is recorded as awaiting/);

  const awaiting = await d.invoke(AO, 'ripa.authorise', {
    ...actionData(app, 'ripa.authorise'),
    reference: 'DS-NOTTS-077',
    offence: 'Being concerned in the supply of a class A drug (fictional)',
    maxSentenceMonths: '9999',
    necessity: 'Fictional: the child is missing; no less intrusive way is known.',
    proportionality: 'Fictional: public posts only, by one officer, for the shortest time.',
    legalAdvice: 'Fictional: legal services advise it is lawful (LS-0077).',
    grantedOn: t,
    magistrateApprovedOn: '',
    from: t,
    // Ends within a month: a renewal today falls in its final month (renewals are made near the end).
    until: plusDays(t, 25),
    reviewAt: plusDays(t, 7),
    confidentialInfoLikely: 'false',
    authoriserInvolved: 'false',
  });
  expect(validateCard(awaiting)).toEqual({ ok: true });
  expect(textOf(awaiting)).toMatch(
    /Authorisation DS-NOTTS-077 recorded, awaiting the magistrate’s approval\. No check may proceed under it until you record the date a magistrate approved it/,
  );
  expect(textOf(awaiting)).toMatch(/State\nAwaiting magistrate’s approval/);
  expect(textOf(awaiting)).not.toMatch(/Record a review|Renew it/);
  plainForPeople(awaiting);
  expect((await store.get('request', requestId))!.record.status).toBe('escalated');
  // The case manager cannot record a check: nothing is approved.
  expect(textOf(await d.invoke(CM, 'check.open', { requestId }))).not.toMatch(/Record the check/);
  // The queue: not among the applications waiting, but among the authorisations, in words.
  const queue = await d.invoke(AO, 'ripa.queue', {});
  expect(textOf(queue)).toMatch(/Nothing is waiting/);
  expect(textOf(queue)).toMatch(/DS-NOTTS-077: DEMO-0001, Awaiting magistrate’s approval/);
  // Opening the application again shows the authorisation to act on, not a second form.
  expect(textOf(await d.invoke(AO, 'ripa.open', { requestId }))).toMatch(/Record the magistrate’s approval/);

  // The date: left empty, ahead, before the grant — each beside the date, nothing written, audited.
  const ripaId = actionData(awaiting, 'ripa.magistrate')!['ripaId'] as string;
  const kept = (await store.get('ripa', ripaId))!.version;
  const before = await refusals();
  const empty = await d.invoke(AO, 'ripa.magistrate', {
    ...actionData(awaiting, 'ripa.magistrate'),
    approvedOn: '',
  });
  expect(problemOf(empty, 'approvedOn')).toBeTruthy();
  const ahead = await d.invoke(AO, 'ripa.magistrate', {
    ...actionData(awaiting, 'ripa.magistrate'),
    approvedOn: plusDays(t, 1),
  });
  expect(problemOf(ahead, 'approvedOn')).toMatch(/cannot be in the future/);
  const early = await d.invoke(AO, 'ripa.magistrate', {
    ...actionData(awaiting, 'ripa.magistrate'),
    approvedOn: plusDays(t, -1),
  });
  expect(problemOf(early, 'approvedOn')).toMatch(/after it is granted/);
  expect(inputsOf(early)['approvedOn']).toBe(plusDays(t, -1));
  plainForPeople(early);
  expect((await store.get('ripa', ripaId))!.version).toBe(kept);
  expect(await refusals()).toBe(before + 3);

  const approved = await d.invoke(AO, 'ripa.magistrate', {
    ...actionData(awaiting, 'ripa.magistrate'),
    approvedOn: t,
  });
  expect(textOf(approved)).toMatch(
    /Magistrate’s approval recorded\. The check may proceed under RIPA authorisation DS-NOTTS-077/,
  );
  expect(textOf(approved)).toMatch(/State\nIn force/);
  expect((await store.get('request', requestId))!.record).toMatchObject({
    status: 'approved',
    decidedBy: AO,
  });
  expect((await store.get('ripa', ripaId))!.record).toMatchObject({ magistrateApprovedOn: t });

  // A further repeat for the same purpose proceeds under it, for the officer to approve: the approval names
  // it, on the card and in the tab's API.
  for (const via of ['bot', 'tab'] as const) {
    const more = await raise(d, w, 'DEMO-0001');
    expect(textOf(more)).not.toMatch(
      /higher authority|sending it to the authorised officer.*to decide whether/,
    );
    const moreId = actionData(more, 'request.withdraw')!['requestId'] as string;
    expect((await store.get('request', moreId))!.record).toMatchObject({
      status: 'pending',
      authority: 'authorised-officer',
    });
    if (via === 'bot') {
      const yes = await d.invoke(AO, 'request.approve', {
        ...actionData(await d.invoke(AO, 'request.refresh', { requestId: moreId }), 'request.approve'),
        reasons: 'Fictional: still necessary and proportionate.',
      });
      expect(textOf(yes)).toMatch(/You approved this request, under RIPA authorisation DS-NOTTS-077/);
    } else {
      const res = await tab(w, AO, `/api/v1/requests/${moreId}/decision`, {
        outcome: 'approve',
        reasons: 'Fictional: still necessary and proportionate.',
        expectedVersion: (await store.get('request', moreId))!.version,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'approved', ripaReference: 'DS-NOTTS-077' });
    }
  }

  // One renewal a period: the second the same day is refused beside its date; the review due stays due.
  const renewData = (card: unknown) => ({
    ...actionData(card, 'ripa.renew'),
    ...inputsOf(card),
    renewMagistrateOn: t,
    renewReasons: 'Fictional: the child is still missing.',
  });
  expect(inputsOf(approved)['renewMagistrateOn']).toBe('');
  const renewed = await d.invoke(AO, 'ripa.renew', renewData(approved));
  expect(textOf(renewed)).toMatch(/Renewal recorded/);
  shown.set('ripa-authorisation-renewed', renewed);
  const ripa = (await store.get('ripa', ripaId))!.record;
  expect(ripa.reviewAt).toBe(plusDays(t, 7));
  expect(ripa.until > plusDays(t, 60)).toBe(true);
  // Once renewed, no second renewal form is offered: what was renewed, and from when it may be again.
  expect(actionData(renewed, 'ripa.renew')).toBeUndefined();
  expect(textOf(renewed)).toMatch(
    /Renewed\nThe renewal runs from \d{1,2} \w+ \d{4} to \d{1,2} \w+ \d{4}\. It can be renewed again once that renewal has taken effect, from \d{1,2} \w+ \d{4}\./,
  );
  // A second renewal sent regardless (an older card's form): refused on its own form, by its date.
  const twice = await d.invoke(AO, 'ripa.renew', {
    ...renewData(approved),
    version: (await store.get('ripa', ripaId))!.version,
    formId: `ripa-renew-second-${ripaId}`,
  });
  expect(problemOf(twice, 'renewedOn')).toMatch(
    /It was already renewed on .*, to run from .* to .*; it can be renewed again once that renewal has taken effect/,
  );
  plainForPeople(twice);
  shown.set('ripa-renewal-refused-twice', twice);
  expect((await store.get('ripa', ripaId))!.record.until).toBe(ripa.until);

  // Cancelled today, with the case manager's form open: the check approved under it can no longer be recorded
  // for a viewing today, and the requests approved under it are stopped.
  const form = await d.invoke(CM, 'check.open', { requestId });
  // And a further repeat for the same purpose waits for the officer, under it, when it is cancelled.
  const waiting = await raise(d, w, 'DEMO-0001');
  const waitingId = actionData(waiting, 'request.withdraw')!['requestId'] as string;
  const waitingCard = await d.invoke(AO, 'request.refresh', { requestId: waitingId });
  expect(actionData(waitingCard, 'request.approve')).toBeTruthy();
  const cancelled = await d.invoke(AO, 'ripa.cancel', {
    ...actionData(renewed, 'ripa.cancel'),
    cancelOn: t,
    cancelReasons: 'Fictional: the child has been found.',
  });
  expect(textOf(cancelled)).toMatch(
    /Cancelled\. .*The 3 requests approved under it whose checks were not recorded are stopped/,
  );
  const checksBefore = (await store.count('check'))[0]!.count;
  const refusedBefore = await refusals();
  const late = await d.invoke(CM, 'check.record', {
    ...actionData(form, 'check.record'),
    viewedDate: t,
    viewedTime: nowTime(),
    accounts: 'account-0',
    relevantInfo: 'Fictional: nothing of note.',
    thirdPartyData: 'none',
    sensitive: 'false',
    attestNoFriendFollow: 'true',
    attestOpenSourceOnly: 'true',
  });
  expect(problemOf(late, 'viewedDate') ?? problemOf(late, 'viewedTime') ?? textOf(late)).toMatch(
    /RIPA authorisation DS-NOTTS-077 was cancelled on .*: no check may proceed under it from that day/,
  );
  expect(textOf(late)).not.toMatch(/Check recorded/);
  expect((await store.count('check'))[0]!.count).toBe(checksBefore);
  expect(await refusals()).toBe(refusedBefore + 1);
  const why = (await store.audit.list()).filter((e) => e.outcome === 'refuse').at(-1)!;
  expect(why).toMatchObject({ action: 'check.record', actor: { id: CM } });

  // The officer approves the waiting repeat from the card they had: nothing covers it now, so it needs an
  // authorisation of its own — they are told what to do, never that it is being "sent on" to themselves
  // (issue 13 walk, finding 5a), and the application is in front of them.
  const sentOn = await d.invoke(AO, 'request.approve', {
    ...actionData(waitingCard, 'request.approve'),
    reasons: 'Fictional: still necessary and proportionate.',
  });
  expect(validateCard(sentOn)).toEqual({ ok: true });
  expect(textOf(sentOn)).toMatch(
    /Not approved: no RIPA authorisation in force covers this repeat viewing now, so it needs one of its own\. Record the authorisation below, or refuse it\./,
  );
  expect(textOf(sentOn)).not.toMatch(/sending it on to them|You approved/);
  expect(actionData(sentOn, 'ripa.authorise')).toBeTruthy();
  expect((await store.get('request', waitingId))!.record).toMatchObject({
    status: 'escalated',
    authority: 'authorised-officer',
  });
  plainForPeople(sentOn);
}, 180_000);

it('the queue card pages what waits ten at a time, as “waiting for me” does, shows at most ten authorisations in force, says how many more, and opens the tab', () => {
  const app = (n: number): RipaApplication => ({
    requestId: `request-${n}`,
    version: '1',
    childId: `child-${n}`,
    caseRef: `DEMO-${1000 + n}`,
    childName: `Child ${n} (demo)`,
    teamName: 'North Locality Team (demo)',
    requesterName: 'Dara Dunmore (demo)',
    raisedAt: '2026-11-20T10:00:00Z',
    timeZone: 'Europe/London',
    reason: 'risk-of-cse',
    rationale: null,
    platforms: [{ platform: 'instagram', account: '@demo' }],
    judicialApproval: true,
    judicialBasis: null,
  });
  const entry = (n: number): CentralRecordEntry =>
    ({
      id: `ripa-${n}`,
      reference: `DS-${n}`,
      caseRef: `DEMO-${2000 + n}`,
      state: 'in-force',
      nextReviewOn: '2026-12-20',
      until: '2027-02-01',
    }) as CentralRecordEntry;
  const tab = tabLinkOf({ TEAMS_APP_ID: 'overt-app-id' });
  const apps = Array.from({ length: 13 }, (_, n) => app(n));
  const entries = Array.from({ length: 11 }, (_, n) => entry(n));
  const card = ripaQueueCard(apps, entries, tab);
  expect(validateCard(card)).toEqual({ ok: true });
  const text = textOf(card);
  expect(text).toMatch(/13 applications wait for your authorisation, longest waiting first/);
  expect(text).toMatch(/Page 1 of 2: applications 1 to 10\./);
  expect(text).not.toMatch(/more applications? (is|are)/);
  expect(text).toMatch(/1 more authorisation is/);
  expect(JSON.stringify(card).match(/"ripa\.open"/g)).toHaveLength(10);
  expect(JSON.stringify(card).match(/"ripa\.show"/g)).toHaveLength(10);
  expect(JSON.stringify(card)).toMatch(/teams\.microsoft\.com\/l\/entity/);
  expect(JSON.stringify(card)).toContain('"verb":"ripa.queue","title":"Next page","data":{"page":"2"}');
  const second = ripaQueueCard(apps, entries, tab, undefined, 2);
  expect(validateCard(second)).toEqual({ ok: true });
  expect(textOf(second)).toMatch(/Page 2 of 2: applications 11 to 13\./);
  expect(JSON.stringify(second).match(/"ripa\.open"/g)).toHaveLength(3);
  expect(JSON.stringify(second)).toContain('"title":"Previous page"');
  expect(JSON.stringify(second)).not.toContain('"title":"Next page"');
});

it('the renewal cards, drawn with adaptivecards in Chromium at 400 and 1280 px: kept as pictures, every button shown', async () => {
  await expectCleanShots(
    shown,
    ['ripa-authorisation-renewed', 'ripa-renewal-refused-twice'],
    'cards/journeys',
  );
}, 120_000);
