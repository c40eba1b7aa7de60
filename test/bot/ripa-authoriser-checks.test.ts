/**
 * The checks the code of practice expects of an authorising officer (issue 13 walk, finding 5), over plain
 * HTTP as the officer walks them from cards, on SQLite:
 * - an officer who ticks "I am involved in this case" gives the reason it could not be avoided: without it the
 *   form comes back with the problem beside that input, what was typed kept, nothing written, the refusal
 *   audited; with it, the reason is kept and shown on the card, in the central record (tab), its CSV and PDF;
 * - a renewal is made near the end of the period, in its final month: one on the day of grant, three months
 *   early, is refused beside its date, saying from when it can be, nothing written, audited.
 */
import { pdfText } from '../api/pdf-text';
import { actionData, inputsOf, problemOf, textOf } from './client';
import { AO, httpSuite, plainForPeople, plusDays, repeatToOfficer, tab, today } from './ripa-journey';
import type { CentralRecordEntry } from '../../src/workflow/queries/ripa';

const suite = httpSuite();
const d = suite.d;
/** The officer's refusals (other notices and deliveries, written after a reply, are not counted). */
const refusals = async () =>
  (await suite.world().running.store.audit.list()).filter(
    (e) => e.actor.id === AO && (e.outcome === 'refuse' || e.action.startsWith('bot:')),
  );

const REASON = 'Fictional: the only other authorising officer is on leave and the child is missing tonight.';

it('an involved officer says why it could not be avoided; the reason is kept and shown in the central record, CSV and PDF; a renewal three months early is refused', async () => {
  const w = suite.world();
  const store = w.running.store;
  const t = today();
  // A first check, then a repeat inside three months: to the authorising officer.
  const requestId = await repeatToOfficer(d, w, 'DEMO-0003');
  const app = await d.invoke(AO, 'ripa.open', { requestId });
  expect(textOf(app)).toMatch(/If you are involved: why it could not be avoided that you authorise it/);
  const good = {
    ...actionData(app, 'ripa.authorise'),
    reference: 'DS-NOTTS-313',
    offence: 'Robbery (fictional)',
    maxSentenceMonths: '9999',
    necessity: 'Fictional: the child is missing; no less intrusive way is known.',
    proportionality: 'Fictional: public posts only, by one officer, for the shortest time.',
    legalAdvice: 'Fictional: legal services advise it is lawful (LS-0313).',
    grantedOn: t,
    magistrateApprovedOn: t,
    from: t,
    until: plusDays(t, 60),
    reviewAt: plusDays(t, 7),
    confidentialInfoLikely: 'false',
    authoriserInvolved: 'true',
  };

  // Involved, no reason: the form again, the problem beside the reason, what was typed kept; nothing written.
  const before = (await refusals()).length;
  const noReason = await d.invoke(AO, 'ripa.authorise', { ...good, authoriserInvolvedReason: '  ' });
  expect(problemOf(noReason, 'authoriserInvolvedReason')).toMatch(
    /You are involved in this case: say why it could not be avoided that you authorise it/,
  );
  expect(inputsOf(noReason)).toMatchObject({ reference: 'DS-NOTTS-313', authoriserInvolved: 'true' });
  plainForPeople(noReason);
  expect((await store.count('ripa'))[0]!.count).toBe(0);
  expect((await store.get('request', requestId))!.record.status).toBe('escalated');
  const refused = (await refusals()).slice(before);
  expect(refused).toEqual([expect.objectContaining({ actor: expect.objectContaining({ id: AO }) })]);
  expect(JSON.stringify(refused[0]!.details)).toMatch(/authoriserInvolvedReason|could not be avoided/);

  // With the reason: recorded, and the card says so.
  const authorised = await d.invoke(AO, 'ripa.authorise', {
    ...good,
    ...actionData(noReason, 'ripa.authorise'),
    authoriserInvolvedReason: REASON,
  });
  expect(textOf(authorised)).toMatch(/Authorisation recorded/);
  expect(textOf(authorised)).toContain(`Authoriser involved in the case\nYes: ${REASON}`);
  const ripaId = actionData(authorised, 'ripa.renew')!['ripaId'] as string;
  expect((await store.get('ripa', ripaId))!.record).toMatchObject({
    authoriserInvolved: true,
    authoriserInvolvedReason: REASON,
  });

  // The central record: the tab's, its CSV and its PDF.
  const central = (await (await tab(w, AO, '/api/v1/ripa')).json()) as { entries: CentralRecordEntry[] };
  expect(central.entries.find((e) => e.reference === 'DS-NOTTS-313')).toMatchObject({
    authoriserInvolved: true,
    authoriserInvolvedReason: REASON,
  });
  const csv = await (await tab(w, AO, '/api/v1/ripa/central-record.csv')).text();
  const [head, ...lines] = csv.trim().split(/\r?\n/);
  expect(head).toMatch(
    /Authoriser involved in the case,Why the involved authoriser could not be avoided,State$/,
  );
  expect(lines.find((l) => l.includes('DS-NOTTS-313'))).toContain(`Yes,${REASON},In force`);
  const pdf = Buffer.from(await (await tab(w, AO, '/api/v1/ripa/central-record.pdf')).arrayBuffer());
  const pages = pdfText(pdf).join('\n').replace(/\s+/g, ' ');
  expect(pages).toMatch(/Why the involved authoriser could not be avoided/);
  expect(pages).toContain('the only other authorising officer is on leave');

  // A renewal on the day of grant, three months early: refused beside its date, saying from when; nothing
  // written; audited.
  const kept = (await store.get('ripa', ripaId))!;
  const beforeRenew = (await refusals()).length;
  const early = await d.invoke(AO, 'ripa.renew', {
    ...actionData(authorised, 'ripa.renew'),
    ...inputsOf(authorised),
    renewedOn: t,
    renewMagistrateOn: t,
    renewReasons: 'Fictional: the child is still missing.',
  });
  expect(problemOf(early, 'renewedOn')).toMatch(
    /It runs to \d{1,2} \w+ \d{4}: it can be renewed from \d{1,2} \w+ \d{4}, in its final month\. The code of practice expects a renewal only when the authorisation is drawing to an end/,
  );
  expect(inputsOf(early)).toMatchObject({ renewReasons: 'Fictional: the child is still missing.' });
  plainForPeople(early);
  expect((await store.get('ripa', ripaId))!.version).toBe(kept.version);
  expect((await refusals()).slice(beforeRenew)).toEqual([
    expect.objectContaining({ actor: expect.objectContaining({ id: AO }) }),
  ]);
  // The card says when the renewal opens, before it is tried.
  expect(textOf(authorised)).toMatch(/It can be renewed from \d{1,2} \w+ \d{4}, in its final month/);
}, 120_000);
