import { addDays, addHours, addMonths } from 'date-fns';
import {
  bootstrapAdministrator,
  decideRequest,
  importCaseList,
  progressObjection,
  raiseObjection,
  raiseRequest,
  recordCheck,
  recordConsent,
  recordReminder,
  authoriseRipa,
  runJobs,
  upsertStaff,
  upsertTeam,
  type Deps,
  type Outcome,
} from '../workflow';

/**
 * A fictional demo service, created through the workflow so that its audit chain is real: three teams,
 * forty children, a year of requests, decisions, checks, consents, reminders, one objection and one RIPA
 * case. Every name is invented and marked "(demo)"; no account is real.
 */

export interface DemoSummary {
  teams: number;
  staff: number;
  children: number;
  requests: number;
  checks: number;
  refusals: number;
  auditEvents: number;
}

/** A small seeded generator, so that the demo is the same every time (test data, not security). */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

const TEAMS = [
  { id: 'north', name: 'North Locality Team (demo)' },
  { id: 'south', name: 'South Locality Team (demo)' },
  { id: 'city', name: 'City Team (demo)' },
] as const;
const FIRST = [
  'Arlo',
  'Bryn',
  'Cass',
  'Dara',
  'Eden',
  'Fenn',
  'Gale',
  'Harlow',
  'Ines',
  'Jory',
  'Kit',
  'Lark',
];
const LAST = ['Ashdown', 'Birchwood', 'Cobble', 'Dunmore', 'Elmstead', 'Foxley', 'Greywell', 'Hollins'];
const REASONS = [
  'risk-of-cce',
  'risk-of-cse',
  'repeated-missing-episodes',
  'gang-involvement',
  'serious-self-harm-risk',
  'breach-of-conditions',
  'weapon-offence',
];
const PLATFORMS = ['instagram', 'tiktok', 'snapchat', 'youtube', 'facebook'];

const must = <T>(o: Outcome<T>, what: string): T => {
  if (!o.ok) throw new Error(`demo: ${what} failed: ${o.error.message}`);
  return o.value;
};

/** A demo child's date of birth (day/month/year, as a case system exports it): aged 10 to 17 at the start. */
function bornOn(start: Date, i: number): string {
  const d = addDays(start, -Math.round(365.25 * (10 + (i % 8)) + ((i * 37) % 360)));
  return d.toLocaleDateString('en-GB', { timeZone: 'UTC' });
}

export async function createDemo(
  deps: Deps & { setClock: (d: Date) => void },
  end: Date,
  seed = 24,
): Promise<DemoSummary> {
  const rnd = random(seed);
  const start = addDays(end, -365);
  let key = 0;
  const k = () => `demo-${seed}-${++key}`;
  deps.setClock(start);

  must(
    await bootstrapAdministrator(deps, {
      id: 'demo-admin',
      name: 'Dana Admin (demo)',
      email: 'admin@demo.invalid',
    }),
    'administrator',
  );
  const staff = async (
    id: string,
    name: string,
    role: Parameters<typeof upsertStaff>[1]['staff']['role'],
    teamIds: string[],
    extra = {},
  ) =>
    must(
      await upsertStaff(deps, {
        key: k(),
        actorId: 'demo-admin',
        staff: { id, name: `${name} (demo)`, email: `${id}@demo.invalid`, role, teamIds, ...extra },
      }),
      `staff ${id}`,
    );
  const all = TEAMS.map((t) => t.id);
  await staff('demo-sm', 'Sol Marsh', 'service-manager', all);
  await staff('demo-ig', 'Ivy Gardner', 'information-governance', all);
  await staff('demo-ao', 'Orla Fenwick', 'authorised-officer', all);
  const workers: Record<string, string[]> = {};
  for (const [n, t] of TEAMS.entries()) {
    await staff(`demo-tm-${t.id}`, `${FIRST[n]} ${LAST[n]}`, 'team-manager', [t.id], {
      socialMediaResponsibility: true,
    });
    workers[t.id] = [];
    for (let j = 0; j < 3; j++) {
      const id = `demo-cm-${t.id}-${j + 1}`;
      await staff(
        id,
        `${FIRST[(n * 3 + j + 3) % FIRST.length]} ${LAST[(n * 3 + j + 3) % LAST.length]}`,
        'case-manager',
        [t.id],
        // One designated officer a team (Camden 001 §4), so a team given Camden's profile can view.
        j === 0 ? { designatedOfficer: true } : {},
      );
      workers[t.id]!.push(id);
    }
    must(
      await upsertTeam(deps, {
        key: k(),
        actorId: 'demo-admin',
        team: { id: t.id, name: t.name, profileId: 'nottinghamshire-yjs', managerIds: [`demo-tm-${t.id}`] },
      }),
      `team ${t.id}`,
    );
  }

  // The case list, imported as an administrator would.
  const rows = ['case_reference,initials,team,worker,platforms,date of birth'];
  for (let i = 1; i <= 40; i++) {
    const team = TEAMS[i % 3]!.id;
    const initials = `${String.fromCharCode(65 + ((i * 7) % 26))}.${String.fromCharCode(65 + ((i * 11) % 26))}.`;
    const platforms = [rnd.pick(PLATFORMS), rnd.pick(PLATFORMS)]
      .filter((p, x, a) => a.indexOf(p) === x)
      .map((p) => `${p}:@demo_${team}_${i}_${p.slice(0, 2)}`);
    rows.push(
      `DEMO-${String(i).padStart(4, '0')},${initials} (demo),${team},${workers[team]![i % 3]},${platforms.join('; ')},${bornOn(start, i)}`,
    );
  }
  must(await importCaseList(deps, { key: k(), actorId: 'demo-admin', csv: rows.join('\n') }), 'case list');
  const children = (await deps.store.query('child', {}))
    .map((c) => c.record)
    .sort((a, b) => a.caseRef.localeCompare(b.caseRef));

  // Notice at the start of each intervention, over the first month.
  for (const c of children) {
    deps.setClock(addDays(start, Math.floor(rnd.next() * 30)));
    if (c.caseRef === 'DEMO-0040') continue; // one child whose notice was never recorded
    must(
      await recordConsent(deps, {
        key: k(),
        actorId: c.workerId,
        childId: c.id,
        givenBy: rnd.pick(['child and parent', 'child and carer', 'child']),
        date: deps.clock().toISOString().slice(0, 10),
        scope: { platforms: [], purposes: ['the criteria for looking at a child’s social media'] },
      }),
      'consent',
    );
  }

  // Two children have stories of their own, told after the year's routine: keep them out of it.
  const objector = children[7]!;
  const ripaChild = children[12]!;
  const routine = children.filter((c) => c !== objector && c !== ripaChild);

  let refusals = 0;
  const lastAsked = new Map<string, number>();
  // A year of weekly practice.
  for (let week = 5; week < 52; week++) {
    const weekStart = addDays(start, week * 7);
    // Reminders that fell due.
    for (const { record: c } of await deps.store.query('child', {
      where: { consentStatus: 'given' },
      range: { field: 'reminderDueAt', to: weekStart.toISOString() },
    })) {
      if (rnd.chance(0.15)) continue; // some reminders are late: the dashboard shows them
      deps.setClock(weekStart);
      must(
        await recordReminder(deps, {
          key: k(),
          actorId: c.workerId,
          childId: c.id,
          givenAt: weekStart.toISOString().slice(0, 10),
        }),
        'reminder',
      );
    }
    for (let n = 0; n < 3; n++) {
      // Practice mostly keeps to the three-month rule; now and then a worker asks again too soon (a
      // near-miss the policy sends to the RIPA route), as the dashboard should be able to show.
      const due = routine.filter((x) => (lastAsked.get(x.id) ?? 0) < addDays(weekStart, -95).getTime());
      const c = due.length && !rnd.chance(0.06) ? rnd.pick(due) : rnd.pick(routine);
      lastAsked.set(c.id, weekStart.getTime());
      const raisedAt = addHours(weekStart, 9 + n * 20 + Math.floor(rnd.next() * 6));
      deps.setClock(raisedAt);
      const platform = c.platforms[0] ?? { platform: 'instagram', account: `@demo_${c.caseRef}` };
      const raised = await raiseRequest(deps, {
        key: k(),
        actorId: c.workerId,
        childId: c.id,
        reason: rnd.chance(0.05) ? 'other' : rnd.pick(REASONS),
        platforms: [platform],
        viewer: rnd.chance(0.8) ? 'own-personal-account' : 'social-media-responsible-manager',
        rationale: rnd.chance(0.9)
          ? 'Fictional: new information suggests a risk to the child or others.'
          : '',
      });
      if (!raised.ok) {
        refusals++;
        continue;
      }
      if (raised.value.request.status === 'escalated') continue; // repeats inside three months wait for the RIPA route
      deps.setClock(addHours(raisedAt, 2 + Math.floor(rnd.next() * 40)));
      const roll = rnd.next();
      const outcome = roll < 0.82 ? 'approve' : roll < 0.92 ? 'decline' : 'more-info';
      const decided = await decideRequest(deps, {
        key: k(),
        actorId: `demo-tm-${c.teamId}`,
        requestId: raised.value.request.id,
        outcome,
        reasons:
          outcome === 'approve'
            ? 'Necessary and proportionate (fictional).'
            : 'Fictional: speak to the child first.',
      });
      if (!decided.ok || decided.value.request.status !== 'approved') continue;
      if (week > 49 && rnd.chance(0.5)) continue; // recent approvals not yet recorded
      if (rnd.chance(0.05)) continue; // approved, never recorded
      const viewedAt = addHours(deps.clock(), 3 + Math.floor(rnd.next() * 30));
      deps.setClock(addHours(viewedAt, 1));
      // A check on the case manager's behalf is viewed and recorded by the team manager with social media
      // responsibility (000 §13).
      const onBehalf = raised.value.request.viewer === 'social-media-responsible-manager';
      const viewer = onBehalf ? `demo-tm-${c.teamId}` : c.workerId;
      must(
        await recordCheck(deps, {
          key: k(),
          actorId: viewer,
          ...(onBehalf ? { viewerId: viewer } : {}),
          requestId: raised.value.request.id,
          viewedAt: viewedAt.toISOString(),
          accounts: [platform],
          relevantInfo: rnd.chance(0.6)
            ? 'Fictional: posts place the child with older peers at a known location.'
            : '',
          thirdPartyData: rnd.chance(0.7) ? 'seen-not-kept' : 'none',
          sensitive: rnd.chance(0.1),
          ...(rnd.chance(0.2) ? { safeguardingFollowUp: 'Fictional: raised at the next risk meeting.' } : {}),
          attestNoFriendFollow: true,
          attestOpenSourceOnly: true,
        }),
        'check',
      );
    }
    // The timers run through the year too, as they would in production.
    deps.setClock(addDays(weekStart, 6));
    await runJobs(deps, 'demo');
  }

  // One objection, handled by information governance.
  deps.setClock(addMonths(start, 5));
  const o = must(
    await raiseObjection(deps, {
      key: k(),
      actorId: objector.workerId,
      childId: objector.id,
      raisedBy: 'the child (demo)',
      raisedAt: deps.clock().toISOString(),
      detail: 'Fictional: the child objects to their posts being looked at.',
    }),
    'objection',
  );
  deps.setClock(addDays(deps.clock(), 2));
  must(
    await progressObjection(deps, { step: 'take', key: k(), actorId: 'demo-ig', objectionId: o.id }),
    'objection take',
  );
  deps.setClock(addDays(deps.clock(), 12));
  must(
    await progressObjection(deps, {
      step: 'respond',
      key: k(),
      actorId: 'demo-ig',
      objectionId: o.id,
      response: 'Fictional formal response, drafted with the service and the Caldicott Guardian.',
    }),
    'objection respond',
  );
  deps.setClock(addDays(deps.clock(), 5));
  must(
    await progressObjection(deps, {
      step: 'resolve',
      key: k(),
      actorId: 'demo-ig',
      objectionId: o.id,
      outcome: 'checks-stopped',
    }),
    'objection resolve',
  );

  // One RIPA case: a check, a repeat inside three months, legal advice, authorisation, approval, record.
  const account = ripaChild.platforms[0] ?? { platform: 'instagram', account: '@demo_ripa' };
  const tm = `demo-tm-${ripaChild.teamId}`;
  const at = (d: Date) => deps.setClock(d);
  at(addMonths(start, 9));
  const ask = (rationale: string) =>
    raiseRequest(deps, {
      key: k(),
      actorId: ripaChild.workerId,
      childId: ripaChild.id,
      reason: 'risk-of-cce',
      platforms: [account],
      viewer: 'own-personal-account',
      rationale,
    });
  const first = await ask('Fictional: intelligence of county lines recruitment.');
  if (first.ok && first.value.request.status === 'pending') {
    at(addHours(deps.clock(), 3));
    must(
      await decideRequest(deps, {
        key: k(),
        actorId: tm,
        requestId: first.value.request.id,
        outcome: 'approve',
        reasons: 'Necessary and proportionate: county lines intelligence (fictional).',
      }),
      'ripa first approve',
    );
    at(addHours(deps.clock(), 5));
    must(
      await recordCheck(deps, {
        key: k(),
        actorId: ripaChild.workerId,
        requestId: first.value.request.id,
        viewedAt: addHours(deps.clock(), -1).toISOString(),
        accounts: [account],
        relevantInfo: 'Fictional: photos with a known exploiter.',
        thirdPartyData: 'seen-not-kept',
        sensitive: false,
        attestNoFriendFollow: true,
        attestOpenSourceOnly: true,
      }),
      'ripa first record',
    );
  }
  at(addDays(deps.clock(), 20));
  const repeat = must(
    await ask('Fictional: the child went missing again; police ask for current location information.'),
    'ripa repeat',
  );
  at(addDays(deps.clock(), 2));
  const today = deps.clock().toISOString().slice(0, 10);
  const authorised = must(
    await authoriseRipa(deps, {
      key: k(),
      actorId: 'demo-ao',
      childId: ripaChild.id,
      ...(repeat.request.status === 'escalated' ? { requestId: repeat.request.id } : {}),
      reference: 'DS-DEMO-2026-001',
      offence: 'Being concerned in the supply of a class A drug (fictional case)',
      maxSentenceMonths: 9999,
      necessity:
        'Fictional: the child is missing and the police ask for current location information; no less intrusive way is known.',
      proportionality:
        'Fictional: public posts only, by one named officer, for the shortest time needed to find the child.',
      legalAdvice: 'Fictional: advice from the council’s legal services (DEMO-LEGAL-001) supports it.',
      grantedOn: today,
      magistrateApprovedOn: today,
      from: today,
      until: addDays(addMonths(deps.clock(), 3), -1).toISOString().slice(0, 10),
      reviewAt: addMonths(deps.clock(), 1).toISOString().slice(0, 10),
      confidentialInfoLikely: false,
      authoriserInvolved: false,
    }),
    'ripa',
  );
  if (authorised.request?.status === 'approved') {
    at(addHours(deps.clock(), 4));
    must(
      await recordCheck(deps, {
        key: k(),
        actorId: ripaChild.workerId,
        requestId: repeat.request.id,
        viewedAt: addHours(deps.clock(), -1).toISOString(),
        accounts: [account],
        relevantInfo: 'Fictional: a location tag used to find the child.',
        thirdPartyData: 'none',
        sensitive: false,
        safeguardingFollowUp: 'Fictional: child located and returned.',
        attestNoFriendFollow: true,
        attestOpenSourceOnly: true,
      }),
      'ripa record',
    );
  }

  // The day the demo starts: work waiting for each persona. Each team manager has requests raised this
  // morning awaiting their decision (so each case manager has one pending too), and information governance
  // has an objection raised yesterday to take. They are raised hours before `end`, so none has expired.
  const asked = new Set([objector.id, ripaChild.id]);
  for (const [n, t] of TEAMS.entries()) {
    let pending = 0;
    // The children asked about longest ago first: a repeat inside three months would go the RIPA route.
    const team = routine
      .filter((x) => x.teamId === t.id && !asked.has(x.id))
      .sort((a, b) => (lastAsked.get(a.id) ?? 0) - (lastAsked.get(b.id) ?? 0));
    for (const c of team) {
      if (pending === 2) break;
      deps.setClock(addHours(end, -(6 - n - pending)));
      const platform = c.platforms[0] ?? { platform: 'instagram', account: `@demo_${c.caseRef}` };
      const raised = await raiseRequest(deps, {
        key: k(),
        actorId: c.workerId,
        childId: c.id,
        reason: REASONS[(n * 2 + pending) % REASONS.length]!,
        platforms: [platform],
        viewer: 'own-personal-account',
        rationale: 'Fictional: raised this morning after new information about the child.',
      });
      if (raised.ok && raised.value.request.status === 'pending') {
        pending++;
        asked.add(c.id);
      }
    }
  }
  const objectsToday = routine.find((c) => !asked.has(c.id) && c.teamId === 'south');
  if (objectsToday) {
    deps.setClock(addHours(end, -20));
    must(
      await raiseObjection(deps, {
        key: k(),
        actorId: objectsToday.workerId,
        childId: objectsToday.id,
        raisedBy: 'the parent, by telephone (demo)',
        raisedAt: deps.clock().toISOString(),
        detail: 'Fictional: the parent asks why their child’s posts are being looked at.',
      }),
      'objection today',
    );
  }

  deps.setClock(end);
  const count = async (kind: 'team' | 'staff' | 'child' | 'request' | 'check') =>
    (await deps.store.count(kind))[0]?.count ?? 0;
  return {
    teams: await count('team'),
    staff: await count('staff'),
    children: await count('child'),
    requests: await count('request'),
    checks: await count('check'),
    refusals,
    auditEvents: (await deps.store.audit.list()).length,
  };
}
