/**
 * The approval journey of issue 13, defined once and run by both drivers (drivers.ts: plain HTTP and the
 * Agents Playground): the case manager asks for the form and raises a request; the team manager, who never
 * spoke to the bot, gets the card in the chat Overt made for them through Graph; their decline without a
 * reason comes back as an inline error on the same card, deciding nothing; they approve from that card; the
 * requester is told and gets the record-the-check card; a record with faults comes back as filled in, each
 * problem under its field, writing nothing; corrected on the same card, it is recorded. The account is named
 * `facebook: Smith, Jane` (punctuation in a choice's text, part 5).
 */
import { validateCard } from '../../src/bot/cards/validate';
import { actionData, inputsOf, labelOf, NOT_FOR_PEOPLE, pick, problemOf, textOf } from './client';
import { graphChatOf, type Driver } from './drivers';
import type { Json } from './playground';
import { decideRequest, raiseRequest, recordCheck, upsertStaff } from '../../src/workflow';
import { AO, CM, IG, plainForPeople, TM } from './ripa-journey';

/** Now, to the minute, on the team's calendar (Europe/London): a viewing no earlier than its approval. */
const nowTime = () =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit' }).format(
    new Date(),
  );

/** A click on a card's button: the card's inputs (as filled in, with what the person typed now) and the
 * action's data, as Teams merges them. */
export const click = (d: Driver, who: string, card: Json, verb: string, typed: Record<string, string> = {}) =>
  d.invoke(who, verb, { ...inputsOf(card), ...typed, ...actionData(card, verb) });

const today = () => new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });

/** Each card a person sees in the journey, checked the same way: valid, in plain words, kept for its picture. */
function look(d: Driver, name: string, card: Json): Json {
  expect(card).toBeTruthy();
  expect(validateCard(card)).toEqual({ ok: true });
  expect(textOf(card)).not.toMatch(NOT_FOR_PEOPLE);
  plainForPeople(card);
  d.seen?.(name, card);
  return card;
}

export async function approvalJourney(d: Driver): Promise<string> {
  const w = d.world;
  const store = w.running.store;

  // The case manager asks for a new request and fills the form in.
  const form = look(d, 'request-form', await d.say(CM, 'new request'));
  expect(textOf(form)).toMatch(/Request to view a child/);
  const typed = {
    // Picked from the form's own list by what it says, as a person does (the Playground has no typeahead).
    childId: pick(form, 'childId', /^DEMO-0002 /),
    reason: 'risk-of-cse',
    platforms: 'facebook: Smith, Jane',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  };
  const preview = look(d, 'request-preview', await click(d, CM, form, 'request.preview', typed));
  expect(textOf(preview)).toMatch(/The policy allows this request/);
  const sent = look(d, 'request-sent', await click(d, CM, preview, 'request.send'));
  expect(textOf(sent)).toMatch(/sending it to the team manager, Arlo Ashdown \(demo\)/);
  const requestId = actionData(sent, 'request.withdraw')?.['requestId'] as string;
  expect(requestId).toBeTruthy();

  // The team manager never spoke to the bot: Overt installs itself for them through Graph, and the card
  // reaches the chat Graph gave. Nobody is told they cannot be reached.
  const arrived = await d.delivered(TM, (c) => actionData(c, 'request.refresh')?.['requestId'] === requestId);
  expect(arrived.conversationId).toBe(graphChatOf(TM));
  look(d, 'approval-arrived', arrived.card);
  const audit = await store.audit.list();
  expect(audit.filter((e) => e.action === 'bot.install' && e.target.id === TM)).toEqual([
    expect.objectContaining({ outcome: 'installed' }),
  ]);
  expect(audit.filter((e) => e.action === 'bot.deliver' && e.target.id === TM)).toEqual([]);

  // What waits for them, as "waiting for me" lists it (its picture kept).
  const waiting = look(d, 'waiting-for-me', await d.invoke(TM, 'requests.waiting', {}));
  expect(actionData(waiting, 'request.refresh')).toEqual({ requestId });

  // Their own view (the refresh Teams runs when they open it): who, which child, why, and the buttons.
  const view = look(d, 'approval-approver', await d.invoke(TM, 'request.refresh', { requestId }));
  expect(textOf(view)).toMatch(/C\.D\. \(demo\) \(DEMO-0002\)/);
  expect(textOf(view)).toMatch(/Dara Dunmore \(demo\)/);
  expect(actionData(view, 'request.approve')).toMatchObject({ requestId });
  // The reasons box says what the team's policy asks: 000 §10 wants reasons for any decision, not only a decline.
  expect(labelOf(view, 'reasons')).toMatch(/required to approve, decline or ask for more information/);
  expect(textOf(view)).toMatch(/an approval needs its reasons/);

  // Decline with no reason: the same card, the problem under the reasons box citing 000 §10 (the reasons
  // for any decision), nothing decided.
  const declined = look(
    d,
    'approval-decline-needs-reason',
    await click(d, TM, view, 'request.decline', { reasons: '' }),
  );
  expect(problemOf(declined, 'reasons')).toMatch(/give the reasons to decline.*section 10/i);
  expect(actionData(declined, 'request.approve')).toMatchObject({ requestId });
  expect((await store.get('request', requestId))!.record.status).toBe('pending');

  // From that same card, with reasons typed: approved.
  const approved = look(
    d,
    'approval-approved',
    await click(d, TM, declined, 'request.approve', { reasons: 'Fictional: proportionate to the risk.' }),
  );
  expect(textOf(approved)).toMatch(/You approved this request/);
  expect((await store.get('request', requestId))!.record.status).toBe('approved');

  // The requester is told, and gets the record-the-check card.
  const told = await d.delivered(CM, (c) => /Your request was approved/.test(textOf(c)));
  look(d, 'requester-told-approved', told.card);
  const check = await d.delivered(
    CM,
    (c) => /Record the check:/.test(textOf(c)) && actionData(c, 'check.record')?.['requestId'] === requestId,
  );
  look(d, 'record-check', check.card);

  // The record with faults: other people's information kept with no authorisation, attestations unticked. The
  // form comes back as filled in, each problem under its field; nothing is written.
  const viewedTime = nowTime();
  const first = look(
    d,
    'record-check-problems',
    await click(d, CM, check.card, 'check.record', {
      viewedDate: today(),
      viewedTime,
      accounts: 'account-0',
      relevantInfo: 'Fictional: a public post about a party.',
      thirdPartyData: 'kept',
      sensitive: 'false',
      attestNoFriendFollow: 'false',
      attestOpenSourceOnly: 'false',
    }),
  );
  expect(textOf(first)).toMatch(/Nothing was saved yet/);
  expect(inputsOf(first)).toMatchObject({
    relevantInfo: 'Fictional: a public post about a party.',
    thirdPartyData: 'kept',
    viewedTime,
  });
  expect(problemOf(first, 'thirdPartyData')).toMatch(/significant safeguarding concern/);
  expect(problemOf(first, 'attestNoFriendFollow')).toMatch(/did not friend, follow or subscribe/);
  expect(problemOf(first, 'attestOpenSourceOnly')).toMatch(/viewed only what the child has made public/);
  expect(await store.query('check', { where: { requestId } })).toHaveLength(0);

  // Corrected on the same card and sent again: recorded, with the account named as approved.
  const second = look(
    d,
    'check-recorded',
    await click(d, CM, first, 'check.record', {
      thirdPartyData: 'seen-not-kept',
      attestNoFriendFollow: 'true',
      attestOpenSourceOnly: 'true',
    }),
  );
  expect(textOf(second)).toMatch(/Check recorded/);
  const checks = await store.query('check', { where: { requestId } });
  expect(checks).toHaveLength(1);
  expect(checks[0]!.record.accounts).toEqual([{ platform: 'facebook', account: 'Smith, Jane' }]);
  expect((await store.get('request', requestId))!.record.status).toBe('completed');
  await d.settle();
  return requestId;
}

/** A list card, checked as `look` does but for sentences said twice (its entries may read alike: one child,
 * one reason, asked twice). */
function lookList(d: Driver, name: string, card: Json): Json {
  expect(validateCard(card)).toEqual({ ok: true });
  expect(textOf(card)).not.toMatch(NOT_FOR_PEOPLE);
  expect(textOf(card)).not.toMatch(/demo-(cm|tm|sm|ig|ao|admin)|\d{4}-\d{2}-\d{2}T/);
  d.seen?.(name, card);
  return card;
}

/** The requests a list card opens (by `verb`: the approval card, or a RIPA application), in its order. */
const opened = (card: Json, verb = 'request.refresh'): string[] => {
  const ids: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o['type'] === 'Action.Execute' && o['verb'] === verb)
        ids.push((o['data'] as { requestId: string }).requestId);
      else Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return ids;
};

/**
 * Each role is told what is theirs (issue 13 walk 13b, findings 3, 4): a team manager with more waiting than
 * one card shows pages through all of it in chat — buttons and "waiting for me 2" — longest waiting first, in
 * the tab's order; information governance's "hi" says truthfully how many applications wait for an
 * authorising officer; the authorising officer's "help" lists the RIPA queue and none of a case manager's
 * commands.
 */
const CM_SOUTH = 'demo-cm-south-1';

export async function rolesJourney(d: Driver, tabOf: (who: string, path: string) => Promise<Response>) {
  const w = d.world;
  // Eleven more requests waiting for the team manager (raised as the form would: the journey above showed
  // the form), each for a reason of its own or by another case manager.
  const reasons = [
    'risk-of-cse',
    'risk-of-cce',
    'gang-involvement',
    'weapon-offence',
    'repeated-missing-episodes',
  ];
  for (let n = 0; n < 11; n++) {
    const raised = await raiseRequest(w.running.deps, {
      key: `roles-${d.name}-${n}`,
      actorId: n % 2 ? 'demo-cm-north-2' : CM,
      childId: await w.childId('DEMO-0003'),
      reason: reasons[n % reasons.length]!,
      platforms: [{ platform: 'youtube', account: '@demo_north_3' }],
      viewer: 'own-personal-account',
      rationale: `Fictional: new information (${n + 1}).`,
    });
    expect(raised.ok).toBe(true);
  }
  // The same request sent twice within seconds: the second is saved, with a word about the first.
  const twice = {
    childId: await w.childId('DEMO-0003'),
    reason: 'serious-self-harm-risk',
    platforms: 'youtube: @demo_north_3',
    viewer: 'own-personal-account',
    rationale: 'Fictional: sent twice.',
  };
  const once = await d.invoke(CM, 'request.send', { ...twice, formId: `twice-1-${d.name}` });
  expect(textOf(once)).not.toMatch(/You already have a request/);
  const again = look(
    d,
    'request-sent-twice',
    await d.invoke(CM, 'request.send', { ...twice, formId: `twice-2-${d.name}` }),
  );
  expect(textOf(again)).toMatch(
    /You already have a request for this child for the same reason waiting for a decision, sent \d{1,2} \w+ \d{4}, \d{2}:\d{2}: if this one was sent twice by mistake, withdraw it below/,
  );
  expect(actionData(again, 'request.withdraw')).toBeTruthy();
  const all = ((await (await tabOf(TM, '/api/v1/decisions/awaiting')).json()) as { id: string }[]).map(
    (r) => r.id,
  );
  expect(all.length).toBeGreaterThan(10);
  // Typed over HTTP; in the Agents Playground, which types only as its current user (the case manager), the
  // others press the button the card gives them for it.
  const typed = (who: string, text: string, verb: string, data: Record<string, string> = {}) =>
    d.name === 'over plain HTTP' || who === CM ? d.say(who, text) : d.invoke(who, verb, data);
  const page1 = lookList(d, 'waiting-for-me-page-1', await typed(TM, 'waiting for me', 'requests.waiting'));
  const pages = Math.ceil(all.length / 10);
  expect(textOf(page1)).toMatch(
    new RegExp(`${all.length} requests wait for your decision, longest waiting first`),
  );
  expect(textOf(page1)).toMatch(new RegExp(`Page 1 of ${pages}: requests 1 to 10`));
  expect(textOf(page1)).not.toMatch(/not shown here/);
  const page2 = lookList(d, 'waiting-for-me-page-2', await click(d, TM, page1, 'requests.waiting'));
  expect(textOf(page2)).toMatch(new RegExp(`Page 2 of ${pages}: requests 11 to`));
  const second = await typed(TM, 'waiting for me 2', 'requests.waiting', { page: '2' });
  expect(opened(second)).toEqual(opened(page2));
  // Every request is reachable in chat, in the tab's order (the longest waiting first).
  const inChat = [...opened(page1)];
  let page = page2;
  for (let p = 2; p <= pages; p++) {
    inChat.push(...opened(page));
    if (p < pages) page = await d.invoke(TM, 'requests.waiting', { page: String(p + 1) });
  }
  expect(inChat).toEqual(all);

  // A repeat inside three months for a crime goes to the authorising officer; information governance, who
  // reads the central record, is told it waits for an authorising officer — not "Nothing is waiting". The
  // check it repeats is this journey's own (a child no other journey views), so it holds run alone or in any
  // order.
  const repeated = await w.childId('DEMO-0101');
  const earlier = await raiseRequest(w.running.deps, {
    key: `roles-${d.name}-earlier`,
    actorId: CM_SOUTH,
    childId: repeated,
    reason: 'risk-of-cse',
    platforms: [{ platform: 'instagram', account: '@demo_south_1' }],
    viewer: 'own-personal-account',
    rationale: 'Fictional: the child was missing overnight.',
  });
  if (!earlier.ok) throw new Error(JSON.stringify(earlier));
  expect(earlier.value.request.authority).toBe('team-manager');
  const earlierId = earlier.value.request.id;
  const decided = await decideRequest(w.running.deps, {
    key: `roles-${d.name}-earlier-decided`,
    actorId: 'demo-tm-south',
    requestId: earlierId,
    outcome: 'approve',
    reasons: 'Fictional: proportionate to the risk.',
  });
  expect(decided.ok).toBe(true);
  const checked = await recordCheck(w.running.deps, {
    key: `roles-${d.name}-earlier-checked`,
    actorId: CM_SOUTH,
    requestId: earlierId,
    viewedAt: new Date().toISOString(),
    accounts: [{ platform: 'instagram', account: '@demo_south_1' }],
    relevantInfo: 'Fictional: nothing relevant.',
    thirdPartyData: 'none',
    sensitive: false,
    attestNoFriendFollow: true,
    attestOpenSourceOnly: true,
  });
  expect(checked.ok).toBe(true);
  const repeat = await raiseRequest(w.running.deps, {
    key: `roles-${d.name}-repeat`,
    actorId: CM_SOUTH,
    childId: repeated,
    reason: 'risk-of-cse',
    platforms: [{ platform: 'instagram', account: '@demo_south_1' }],
    viewer: 'own-personal-account',
    rationale: 'Fictional: the child is missing again.',
  });
  expect(repeat.ok && repeat.value.request.authority).toBe('authorised-officer');
  const officerWaits = ((await (await tabOf(AO, '/api/v1/ripa')).json()) as { waiting: unknown[] }).waiting
    .length;
  expect(officerWaits).toBeGreaterThan(0);
  // (The Playground types only as the case manager, and its other people's chats are shared ones, where
  // nothing of a child is shown: information governance and the officer are walked over HTTP.)
  if (d.name !== 'over plain HTTP') return;
  const ig = look(d, 'ripa-central-record-ig', await d.say(IG, 'hi'));
  expect(textOf(ig)).toMatch(/RIPA: the central record/);
  expect(textOf(ig)).toMatch(
    new RegExp(
      `${officerWaits === 1 ? '1 application waits' : `${officerWaits} applications wait`} for an authorising officer`,
    ),
  );
  expect(textOf(ig)).not.toMatch(/your queue|Nothing is waiting/);

  // The authorising officer's help: the RIPA queue and what waits for them; no case manager's commands.
  const help = look(d, 'help-authorising-officer', await d.say(AO, 'help'));
  expect(textOf(help)).toMatch(/\bripa\b[\s\S]*applications waiting for your authorisation/);
  expect(actionData(help, 'ripa.queue')).toBeTruthy();
  expect(textOf(help)).not.toMatch(/new request|consent DEMO-0001|objection DEMO-0001/);
  expect(actionData(help, 'request.new')).toBeUndefined();
  // A case manager's still lists theirs.
  const cmHelp = await d.say(CM, 'help');
  expect(textOf(cmHelp)).toMatch(/new request[\s\S]*consent DEMO-0001/);
  expect(textOf(cmHelp)).not.toMatch(/\bripa\b/);

  // The RIPA queue pages as "waiting for me" does (issue 13, brief W 1): more repeats than one card shows
  // wait for the officer; "ripa", its Next page button and "ripa 2" reach every one, in the tab's order.
  for (let n = 0; n < 10; n++) {
    const more = await raiseRequest(w.running.deps, {
      key: `roles-${d.name}-repeat-${n}`,
      actorId: CM_SOUTH,
      childId: repeated,
      reason: 'risk-of-cse',
      platforms: [{ platform: 'instagram', account: '@demo_south_1' }],
      viewer: 'own-personal-account',
      rationale: `Fictional: the child is missing again (${n + 1}).`,
    });
    expect(more.ok && more.value.request.authority).toBe('authorised-officer');
  }
  const register = async (who: string) =>
    ((await (await tabOf(who, '/api/v1/ripa')).json()) as { waiting: { requestId: string }[] }).waiting.map(
      (a) => a.requestId,
    );
  const inTab = await register(AO);
  expect(inTab.length).toBeGreaterThan(10);
  const ripaPages = Math.ceil(inTab.length / 10);
  const queue1 = lookList(d, 'ripa-queue-page-1', await d.say(AO, 'hi'));
  expect(textOf(queue1)).toMatch(
    new RegExp(`${inTab.length} applications wait for your authorisation, longest waiting first`),
  );
  expect(textOf(queue1)).toMatch(new RegExp(`Page 1 of ${ripaPages}: applications 1 to 10\\.`));
  expect(textOf(queue1)).not.toMatch(/not shown here/);
  const queue2 = lookList(d, 'ripa-queue-page-2', await click(d, AO, queue1, 'ripa.queue'));
  expect(textOf(queue2)).toMatch(new RegExp(`Page 2 of ${ripaPages}: applications 11 to`));
  expect(opened(await d.say(AO, 'ripa 2'), 'ripa.open')).toEqual(opened(queue2, 'ripa.open'));
  const officerSees = [...opened(queue1, 'ripa.open')];
  for (let p = 2; p <= ripaPages; p++)
    officerSees.push(...opened(await d.invoke(AO, 'ripa.queue', { page: String(p) }), 'ripa.open'));
  expect(officerSees).toEqual(inTab);

  // An authorising officer in no team (an officer acts for every team): the one rule that sends them the card
  // and lists it in "waiting for me" (approversOf) gives them the same RIPA queue — not an empty one (brief W 3).
  const NO_TEAM = 'demo-ao-no-team';
  const added = await upsertStaff(w.running.deps, {
    key: `roles-${d.name}-ao-no-team`,
    actorId: 'demo-admin',
    staff: { id: NO_TEAM, name: 'Noor Quayle (demo)', role: 'authorised-officer', teamIds: [] },
  });
  expect(added.ok).toBe(true);
  const theirWaiting = (
    (await (await tabOf(NO_TEAM, '/api/v1/decisions/awaiting')).json()) as {
      id: string;
      authority: string;
    }[]
  )
    .filter((r) => r.authority === 'authorised-officer')
    .map((r) => r.id);
  expect(theirWaiting.length).toBeGreaterThan(0);
  expect(await register(NO_TEAM)).toEqual(inTab);
  expect([...theirWaiting].sort()).toEqual([...inTab].sort());
  const theirs = await d.say(NO_TEAM, 'ripa');
  expect(textOf(theirs)).not.toMatch(/Nothing is waiting/);
  expect(opened(theirs, 'ripa.open')).toEqual(opened(queue1, 'ripa.open'));
}
