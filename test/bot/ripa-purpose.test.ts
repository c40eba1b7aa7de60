/**
 * What an authorisation in force covers, over plain HTTP (issue 13 walk, finding 1): it covers further requests
 * about the same child for the same purpose only. The walker's second request (risk of child criminal
 * exploitation) was for another purpose than the one its authorisation was granted on (risk of child sexual
 * exploitation: the walk's store), so it was not covered — but nobody was told why. Here:
 * - a request for the same purpose under the authorisation in force is not sent to the RIPA route;
 * - one for another purpose is, and both the case manager's verdict and the authorising officer's application
 *   card name the authorisation in force, its purpose and its end, and say it covers only that purpose.
 */
import { actionData, textOf } from './client';
import { AO, CM, httpSuite, plusDays, raise, repeatToOfficer, today } from './ripa-journey';

const suite = httpSuite();
const d = suite.d;
const idOf = (card: unknown) => actionData(card, 'request.withdraw')!['requestId'] as string;
const NOT_COVERED =
  /RIPA authorisation DS-PURPOSE-1 is in force for this child until \d{1,2} [A-Z][a-z]+ \d{4}, for risk of child sexual exploitation; it covers only that purpose, so this request, for risk of child criminal exploitation, needs an authorisation of its own\./;

it('an authorisation in force covers the same purpose; for another, the case manager and the authorising officer are told which is in force, for what, until when, and that it covers only that purpose', async () => {
  const w = suite.world();
  const store = w.running.store;
  const t = today();
  const repeat = await repeatToOfficer(d, w, 'DEMO-0003');
  const app = await d.invoke(AO, 'ripa.open', { requestId: repeat });
  const done = await d.invoke(AO, 'ripa.authorise', {
    ...actionData(app, 'ripa.authorise'),
    reference: 'DS-PURPOSE-1',
    offence: 'Trafficking a person for exploitation (fictional)',
    maxSentenceMonths: '9999',
    necessity: 'Fictional: the child is missing; no less intrusive way is known.',
    proportionality: 'Fictional: public posts only, by one officer, for the shortest time.',
    legalAdvice: 'Fictional: legal services advise it is lawful.',
    grantedOn: t,
    magistrateApprovedOn: t,
    from: t,
    until: plusDays(t, 60),
    reviewAt: plusDays(t, 14),
    confidentialInfoLikely: 'false',
    authoriserInvolved: 'false',
  });
  expect(await store.query('ripa', {})).toHaveLength(1);
  expect(textOf(done)).toMatch(/DS-PURPOSE-1/);

  // The record-the-check card names the authorisation the check is done under, and its end, before anything
  // is saved; "Before you view" lists only what the viewer must do (walk finding 5).
  const checkCard = await d.invoke(CM, 'check.open', { requestId: repeat });
  expect(textOf(checkCard)).toMatch(
    /This check is done under RIPA authorisation DS-PURPOSE-1, in force until \d{1,2} [A-Z][a-z]+ \d{4}: record only a viewing it covers\./,
  );
  expect(textOf(checkCard)).toMatch(/Before you view/);
  // (The policy gave the officer's and the manager's duties with the request's verdict: the card leaves them out.)
  expect(JSON.stringify((await store.get('request', repeat))!.record.verdict)).toMatch(
    /The (authorising|authorised) officer records/,
  );
  expect(textOf(checkCard)).not.toMatch(
    /The (authorising|authorised) officer records|The team manager (must|makes)/,
  );
  expect(await store.query('check', { where: { requestId: repeat } })).toHaveLength(0);

  // The same purpose (risk of child sexual exploitation): covered, decided under it, not a new application.
  const same = idOf(await raise(d, w, 'DEMO-0003'));
  const covered = (await store.get('request', same))!.record;
  expect(covered.status).toBe('pending');
  expect(covered.verdict).toMatchObject({ outcome: 'allow' });
  expect((covered.verdict as { determining: string[] }).determining).toContain('ripa-authorisation-in-force');

  // Another purpose: a new application, and everyone is told why the one in force does not cover it.
  const data = {
    formId: 'purpose-cce',
    childId: await w.childId('DEMO-0003'),
    reason: 'risk-of-cce',
    platforms: 'instagram: @demo_north_1',
    viewer: 'own-personal-account',
    rationale: 'Fictional: intelligence of county lines recruitment.',
  };
  const preview = await d.invoke(CM, 'request.preview', data);
  expect(textOf(preview)).toMatch(NOT_COVERED);
  const sent = await d.invoke(CM, 'request.send', data);
  const other = idOf(sent);
  expect((await store.get('request', other))!.record.authority).toBe('authorised-officer');
  expect(textOf(sent)).toMatch(NOT_COVERED);
  const application = await d.invoke(AO, 'ripa.open', { requestId: other });
  expect(textOf(application)).toMatch(NOT_COVERED);
  // The application for the same purpose's first repeat, now authorised, does not say so of itself.
  expect(textOf(await d.invoke(AO, 'ripa.open', { requestId: repeat }))).not.toMatch(
    /covers only that purpose/,
  );
}, 60_000);
