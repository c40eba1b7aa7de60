/**
 * The bot's authorisation matrix (issue 12, "Also build"): every card verb of the route table (verbs.ts) ×
 * every role × a target of the person's own team, of another team, or of no one, sent over HTTP as Teams
 * would send it. Each answer is either allowed or a refusal with a plain reason, and every refusal wrote
 * exactly one audit event (an allowed answer wrote none). A verb added to verbs.ts without a row here
 * fails the first test.
 */
import { isVerb, isVersioned, verbs, type Verb } from '../../src/bot/verbs';
import { authoriseRipa } from '../../src/workflow';
import { actionData, execute, textOf } from '../bot/client';
import { botWorld, cleanupBotWorlds, type BotWorld } from '../bot/world';

let w: BotWorld;
beforeAll(async () => {
  w = await botWorld();
  for (const scope of ['own team', 'other team'] as const) {
    const t = await raised(scope, TEAM[scope].checkRef);
    await decided(scope, t, 'request.approve');
    approved[scope] = t.requestId;
  }
});
afterAll(async () => {
  await w?.close();
  await cleanupBotWorlds();
});

const ROLES = {
  'case-manager': 'demo-cm-north-1',
  'team-manager': 'demo-tm-north',
  'service-manager': 'demo-sm',
  'information-governance': 'demo-ig',
  'authorised-officer': 'demo-ao',
  administrator: 'demo-admin',
} as const;
type RoleName = keyof typeof ROLES;
type Scope = 'own team' | 'other team' | 'none';
/** The north staff's own team is north; the other team is south; "none" is an id that names nothing. */
const TEAM = {
  'own team': { caseRef: 'DEMO-0001', checkRef: 'DEMO-0002', raiser: 'demo-cm-north-1', tm: 'demo-tm-north' },
  'other team': {
    caseRef: 'DEMO-0101',
    checkRef: 'DEMO-0101',
    raiser: 'demo-cm-south-1',
    tm: 'demo-tm-south',
  },
} as const;

type Target = { childId: string; requestId: string; ripaId: string };
const today = new Date().toISOString().slice(0, 10);
/** A viewing now, to the minute, on the team's calendar (Europe/London): no earlier than its approval. */
const viewedNow = () => {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .map((x) => [x.type, x.value]),
  );
  return { viewedDate: `${p.year}-${p.month}-${p.day}`, viewedTime: `${p.hour}:${p.minute}` };
};
let form = 0;
const formId = () => `matrix-form-${++form}`;

/** One row per verb: what it is about, and a well-formed payload for a target. */
type About =
  | 'request'
  | 'approved request'
  | 'request awaiting an answer'
  | 'escalated request'
  | 'authorisation'
  | 'child'
  | 'nothing';
const plusDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const ROWS: Record<Verb, { about: About; data: (t: Target) => Record<string, unknown> }> = {
  'request.new': { about: 'nothing', data: () => ({}) },
  'requests.mine': { about: 'nothing', data: () => ({}) },
  'requests.waiting': { about: 'nothing', data: () => ({}) },
  hello: { about: 'nothing', data: () => ({}) },
  'request.preview': { about: 'child', data: (t) => requestForm(t) },
  'request.send': { about: 'child', data: (t) => requestForm(t) },
  'request.refresh': { about: 'request', data: (t) => ({ requestId: t.requestId }) },
  'request.approve': {
    about: 'request',
    data: (t) => ({ requestId: t.requestId, reasons: 'Fictional: necessary and proportionate.' }),
  },
  'request.decline': {
    about: 'request',
    data: (t) => ({ requestId: t.requestId, reasons: 'Fictional: not proportionate.' }),
  },
  'request.more-info': {
    about: 'request',
    data: (t) => ({ requestId: t.requestId, reasons: 'Fictional: say more about the risk.' }),
  },
  'request.answer': {
    about: 'request awaiting an answer',
    data: (t) => ({ requestId: t.requestId, formId: formId(), rationale: 'Fictional: the risk is new.' }),
  },
  'request.withdraw': { about: 'request', data: (t) => ({ requestId: t.requestId, formId: formId() }) },
  'check.open': { about: 'approved request', data: (t) => ({ requestId: t.requestId }) },
  'check.record': {
    about: 'approved request',
    data: (t) => ({
      requestId: t.requestId,
      formId: formId(),
      ...viewedNow(),
      accounts: 'account-0',
      relevantInfo: '',
      thirdPartyData: 'none',
      sensitive: 'false',
      attestNoFriendFollow: 'true',
      attestOpenSourceOnly: 'true',
    }),
  },
  'child.summary': { about: 'child', data: (t) => ({ childId: t.childId }) },
  'consent.open': { about: 'child', data: (t) => ({ childId: t.childId }) },
  'consent.record': {
    about: 'child',
    data: (t) => ({
      formId: formId(),
      childId: t.childId,
      givenBy: 'child and parent',
      date: today,
      platforms: '',
    }),
  },
  // The RIPA route: refuse runs before authorise, whose success puts an authorisation in force for the child.
  'ripa.queue': { about: 'nothing', data: () => ({}) },
  'ripa.open': { about: 'escalated request', data: (t) => ({ requestId: t.requestId }) },
  'ripa.refuse': {
    about: 'escalated request',
    data: (t) => ({
      requestId: t.requestId,
      formId: formId(),
      ground: 'not-necessary',
      refuseReasons: 'Fictional: not necessary.',
    }),
  },
  'ripa.authorise': {
    about: 'escalated request',
    data: (t) => ({ requestId: t.requestId, ...authorisation(formId()) }),
  },
  'ripa.show': { about: 'authorisation', data: (t) => ({ ripaId: t.ripaId }) },
  'ripa.review': {
    about: 'authorisation',
    data: (t) => ({
      ripaId: t.ripaId,
      formId: formId(),
      reviewedOn: today,
      reviewNotes: 'Fictional: still necessary.',
      nextReviewAt: plusDays(7),
    }),
  },
  'ripa.renew': {
    about: 'authorisation',
    data: (t) => ({
      ripaId: t.ripaId,
      formId: formId(),
      renewedOn: today,
      renewUntil: plusDays(50),
      renewReasons: 'Fictional: still necessary.',
      renewMagistrateOn: today,
      renewNextReviewAt: plusDays(40),
    }),
  },
  'ripa.magistrate': {
    about: 'authorisation',
    data: (t) => ({ ripaId: t.ripaId, formId: formId(), approvedOn: today }),
  },
  'ripa.cancel': {
    about: 'authorisation',
    data: (t) => ({ ripaId: t.ripaId, formId: formId(), cancelOn: today, cancelReasons: 'Fictional.' }),
  },
  'ripa.correct': {
    about: 'authorisation',
    data: (t) => ({
      ripaId: t.ripaId,
      formId: formId(),
      fixOffence: 'Fictional offence, corrected.',
      fixReason: 'Fictional: a typo.',
    }),
  },
  'objection.open': { about: 'child', data: (t) => ({ childId: t.childId }) },
  'objection.raise': {
    about: 'child',
    data: (t) => ({
      formId: formId(),
      childId: t.childId,
      raisedBy: 'the child',
      raisedAt: today,
      detail: 'Fictional objection.',
    }),
  },
};

/** A directed-surveillance authorisation as an authorising officer fills it in (000 §12). */
function authorisation(form: string) {
  return {
    formId: form,
    reference: `DS-MATRIX-${form}`,
    offence: 'Robbery (fictional)',
    maxSentenceMonths: '9999',
    necessity: 'Fictional: necessary.',
    proportionality: 'Fictional: proportionate.',
    legalAdvice: 'Fictional: legal services advise it is lawful.',
    grantedOn: today,
    magistrateApprovedOn: today,
    from: today,
    // Ends within a month: a renewal today falls in its final month (renewals are made near the end).
    until: plusDays(25),
    reviewAt: plusDays(7),
    confidentialInfoLikely: 'false',
    authoriserInvolved: 'false',
  };
}

function requestForm(t: Target) {
  return {
    formId: formId(),
    childId: t.childId,
    reason: 'risk-of-cse',
    platforms: 'instagram: @demo_account',
    viewer: 'own-personal-account',
    rationale: 'Fictional: new information suggests a risk to the child.',
  };
}

/** A request of a team raised by its case manager (and, if asked, sent back for more information by its team
 * manager), fresh for each cell so no cell depends on another; the check verbs share one approved request
 * per team (one approval per child in three months), made before any cell runs. */
const approved: Partial<Record<Exclude<Scope, 'none'>, string>> = {};
async function raised(scope: Exclude<Scope, 'none'>, caseRef: string): Promise<Target> {
  const childId = await w.childId(caseRef);
  const sent = await execute(
    w.url,
    TEAM[scope].raiser,
    'request.send',
    requestForm({ childId, requestId: '', ripaId: '' }),
  );
  const requestId = actionData(sent.json.value, 'request.withdraw')?.['requestId'];
  if (typeof requestId !== 'string')
    throw new Error(`no request raised for ${caseRef}: ${textOf(sent.json)}`);
  return { childId, requestId, ripaId: 'no-such-authorisation' };
}
/** Decided by whoever the policy makes the authority now: the team manager, or after an approval in the last
 * three months, the authorised officer. */
async function decided(
  scope: Exclude<Scope, 'none'>,
  t: Target,
  verb: 'request.approve' | 'request.more-info',
) {
  let why = '';
  for (const by of [TEAM[scope].tm, 'demo-ao']) {
    const r = await execute(w.url, by, verb, {
      requestId: t.requestId,
      ...(await shownData(by, verb, t)),
      reasons: 'Fictional: necessary and proportionate; say when it was last viewed.',
    });
    if (!isRefusal(r.json?.value)) return;
    why += textOf(r.json?.value).slice(0, 200);
  }
  throw new Error(`${verb} refused: ${why}`);
}
const DECISIONS: ReadonlySet<string> = new Set(['request.approve', 'request.decline', 'request.more-info']);
/** What a decision button on the person's own view of the request sends (its version), as Teams would. Where
 * their view has no such button, the press is made by hand with the request's current version (as an older
 * card of it would carry), so that this matrix tests who may act, not how stale a card is (that is
 * test/bot/card-version.test.ts). */
async function shownData(who: string, verb: string, t: Target): Promise<Record<string, unknown>> {
  if (!isVerb(verb) || !isVersioned(verb)) return {};
  // Every other verb that changes a record names its version too: the record's current one, as its card would.
  if (ROWS[verb].about === 'authorisation') {
    const ripa = await w.running.store.get('ripa', t.ripaId);
    return ripa ? { version: ripa.version } : {};
  }
  const current = t.requestId ? await w.running.store.get('request', t.requestId) : undefined;
  if (!DECISIONS.has(verb)) return current ? { version: current.version } : {};
  const view = (await execute(w.url, who, 'request.refresh', { requestId: t.requestId })).json?.value;
  return actionData(view, verb) ?? (current ? { version: current.version } : {});
}
async function target(scope: Scope, about: About): Promise<Target> {
  const none = { requestId: 'no-such-request', ripaId: 'no-such-authorisation' };
  if (scope === 'none' || about === 'nothing') return { childId: 'no-such-child', ...none };
  if (about === 'approved request')
    return { ...none, childId: await w.childId(TEAM[scope].checkRef), requestId: approved[scope]! };
  // Only a request's verbs need a request: the objection verbs run last, so an objection blocks none.
  if (about === 'child') return { ...none, childId: await w.childId(TEAM[scope].caseRef) };
  // A repeat inside three months of the approved check: on the RIPA route.
  if (about === 'escalated request') return raised(scope, TEAM[scope].checkRef);
  if (about === 'authorisation') {
    const childId = await w.childId(TEAM[scope].caseRef);
    const made = await authoriseRipa(w.running.deps, {
      key: `matrix-ripa-${formId()}`,
      actorId: 'demo-ao',
      childId,
      ...authorisation(formId()),
      maxSentenceMonths: 9999,
      legalAdvice: 'Fictional: legal services advise it is lawful.',
      confidentialInfoLikely: false,
      authoriserInvolved: false,
    });
    if (!made.ok) throw new Error(`no authorisation for ${scope}: ${made.error.message}`);
    return { ...none, childId, ripaId: made.value.ripa.id };
  }
  const t = await raised(scope, TEAM[scope].caseRef);
  if (about === 'request awaiting an answer') await decided(scope, t, 'request.more-info');
  return t;
}

const refusals = async () =>
  (await w.running.store.audit.list()).filter((e) => e.outcome === 'refuse').length;

/** A refusal card is drawn in the attention style (failure-card.ts); an allowed answer is not. */
const isRefusal = (card: unknown) => JSON.stringify(card).includes('"attention"');

/** What must be refused whatever else the profile says. */
function mustRefuse(verb: Verb, role: RoleName, scope: Scope): boolean {
  const about = ROWS[verb].about;
  if (about === 'nothing') return false;
  if (scope === 'none') return true;
  // Case and team managers work for one team (north): another team's child or request is not theirs.
  if (scope === 'other team' && (role === 'case-manager' || role === 'team-manager')) return true;
  // The profiles refuse the administrator every child's record.
  if (role === 'administrator') return true;
  // The RIPA route is the authorising officer's; information governance may read an authorisation.
  if (verb.startsWith('ripa.') && role !== 'authorised-officer')
    return !(verb === 'ripa.show' && role === 'information-governance');
  return false;
}

/** What must be allowed: the work each role exists to do, on its own team. (Declining or questioning a
 * repeat within three months falls to the authorised officer, so those cells follow the profile.) */
const MUST_ALLOW: [Verb, RoleName, Scope | 'n/a'][] = [
  ['request.new', 'case-manager', 'n/a'],
  ['requests.mine', 'case-manager', 'n/a'],
  ['request.send', 'case-manager', 'own team'],
  ['request.refresh', 'case-manager', 'own team'],
  ['request.approve', 'team-manager', 'own team'],
  ['request.answer', 'case-manager', 'own team'],
  ['request.withdraw', 'case-manager', 'own team'],
  ['check.open', 'case-manager', 'own team'],
  ['check.record', 'case-manager', 'own team'],
  ...(['case-manager', 'team-manager', 'service-manager', 'information-governance'] as const).map(
    (r) => ['child.summary', r, 'own team'] as [Verb, RoleName, Scope],
  ),
  ['consent.record', 'case-manager', 'own team'],
  ['objection.raise', 'case-manager', 'own team'],
  ['ripa.queue', 'authorised-officer', 'n/a'],
  ['ripa.queue', 'information-governance', 'n/a'],
  ...(
    [
      'ripa.open',
      'ripa.refuse',
      'ripa.authorise',
      'ripa.show',
      'ripa.review',
      'ripa.renew',
      'ripa.cancel',
      'ripa.correct',
    ] as const
  ).map((v) => [v, 'authorised-officer', 'own team'] as [Verb, RoleName, Scope]),
  ['ripa.show', 'information-governance', 'own team'],
];
const mustAllow = (c: { verb: Verb; role: RoleName; scope: Scope | 'n/a' }) =>
  MUST_ALLOW.some(([v, r, s]) => v === c.verb && r === c.role && s === c.scope);

interface Cell {
  verb: Verb;
  role: RoleName;
  scope: Scope | 'n/a';
  status: number;
  refused: boolean;
  audited: number;
  text: string;
}

describe('the bot authorisation matrix', () => {
  it('has a row for every verb the route table handles, and no other', () => {
    expect(Object.keys(ROWS).sort()).toEqual(Object.keys(verbs).sort());
  });

  it('every verb × role × own team / other team / none: allowed, or refused plainly with one audit event', async () => {
    const cells: Cell[] = [];
    for (const verb of Object.keys(ROWS) as Verb[])
      for (const role of Object.keys(ROLES) as RoleName[]) {
        const scopes: (Scope | 'n/a')[] =
          ROWS[verb].about === 'nothing' ? ['n/a'] : ['own team', 'other team', 'none'];
        for (const scope of scopes) {
          const t = await target(scope === 'n/a' ? 'none' : scope, ROWS[verb].about);
          // A decision carries the version the person's own card showed (read before counting: opening
          // the card is its own event).
          const pressed = await shownData(ROLES[role], verb, t);
          const before = await refusals();
          const r = await execute(w.url, ROLES[role], verb, { ...ROWS[verb].data(t), ...pressed });
          const audited = (await refusals()) - before;
          const card = r.json?.value;
          cells.push({
            verb,
            role,
            scope,
            status: r.status,
            refused: isRefusal(card),
            audited,
            text: textOf(card),
          });
        }
      }
    const wrong = cells.filter(
      (c) =>
        c.status !== 200 ||
        c.audited !== (c.refused ? 1 : 0) ||
        (c.scope !== 'n/a' && mustRefuse(c.verb, c.role, c.scope) && !c.refused) ||
        (mustAllow(c) && c.refused) ||
        // A plain reason: no staff id, no code, no field name in capitals.
        (c.refused && (/demo-(cm|tm|sm|ig|ao|admin)/.test(c.text) || /\b[A-Z]{2,}_[A-Z_]+\b/.test(c.text))),
    );
    const provoked = cells.filter((c) => c.refused).length;
    const audited = cells.filter((c) => c.refused && c.audited === 1).length;
    console.log(
      `bot matrix: ${cells.length} rows, ${provoked} refusals provoked, ${audited} audited\n` +
        cells
          .map(
            (c) =>
              `${c.verb.padEnd(18)} ${c.role.padEnd(23)} ${c.scope.padEnd(10)} ${c.refused ? `refused: ${c.text.split('\n').slice(0, 2).join(' / ').slice(0, 140)}` : 'allowed'}`,
          )
          .join('\n'),
    );
    expect(wrong.map((c) => ({ ...c, text: c.text.slice(0, 300) }))).toEqual([]);
    expect(audited).toBe(provoked);
  }, 240_000);
});
