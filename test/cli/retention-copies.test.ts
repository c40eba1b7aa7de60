import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  bootstrapAdministrator,
  createDeps,
  decideRequest,
  importCaseList,
  raiseRequest,
  recordCheck,
  recordConsent,
  upsertStaff,
  upsertTeam,
  type Deps,
} from '../../src/workflow';
import { runRetention } from '../../src/workflow/retention';
import { openService } from '../../src/cli/service';
import type { Store } from '../../src/store/store';
import { configFor, freshStore, reopen, startServer } from '../store/graph-harness';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from './run';

/**
 * issue 15 (retention): once retention erases a record, no copy of its text is left anywhere in the store.
 * It was left in the answers kept with the idempotency keys of the commands that wrote it (SQLite's units
 * table, SharePoint's units list, whose items also kept each unit's whole intent), in the details of events
 * about other records written by the same command, and in the SQLite file's free space. Each case here puts
 * text no other record holds through the workflow, runs retention three years on, and then searches every
 * byte the store keeps — the SQLite file and its journal, or every item of every SharePoint list — for it.
 */

const dirs = tempDirs('retention-copies');
afterAll(() => dirs.cleanup());
afterEach(() => {
  delete process.env.OVERT_AUDIT_KEY;
  delete process.env.OVERT_AUDIT_CHECKPOINTS;
});

const THREE_YEARS_ON = (3 * 365 + 1) * 86_400_000;

/** Words no demo record holds (letters only, so every field's rules take them). */
function markers() {
  const w = randomUUID()
    .replace(/-/g, '')
    .slice(0, 12)
    .replace(/[0-9a-f]/g, (c) => String.fromCharCode(97 + parseInt(c, 16)));
  return {
    account: `@mark_${w}`,
    givenBy: `guardian ${w}`,
    rationale: `Rationale ${w}: new information suggests a risk.`,
    reasons: `Reasons ${w}: necessary and proportionate.`,
    finding: `Finding ${w}: posts place the child at a known location.`,
    followUp: `Follow-up ${w}: raised at the risk meeting.`,
  };
}
type Markers = ReturnType<typeof markers>;

const must = <T>(o: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!o.ok) throw new Error(o.error.message);
  return o.value;
};

/** A child, consent, a request, its approval and its check, each carrying a marker; the raise's input for a
 * retry under the same key. */
async function markedCase(deps: Deps, m: Markers, who: { admin: string; worker: string; manager: string }) {
  const caseRef = `MARK-${m.account.slice(6, 10).toUpperCase()}`;
  must(
    await importCaseList(deps, {
      key: randomUUID(),
      actorId: who.admin,
      csv: [
        'case_reference,initials,team,worker,platforms,date of birth',
        `${caseRef},Q.Z. (demo),north,${who.worker},instagram:${m.account},2012-03-04`,
      ].join('\n'),
    }),
  );
  const child = (await deps.store.query('child', { where: { caseRef } }))[0]!.record;
  must(
    await recordConsent(deps, {
      key: randomUUID(),
      actorId: who.worker,
      childId: child.id,
      givenBy: m.givenBy,
      date: deps.clock().toISOString().slice(0, 10),
      scope: { platforms: [], purposes: ['the criteria for looking at a child’s social media'] },
    }),
  );
  const raise: Parameters<typeof raiseRequest>[1] = {
    key: randomUUID(),
    actorId: who.worker,
    childId: child.id,
    reason: 'weapon-offence',
    platforms: [{ platform: 'instagram', account: m.account }],
    viewer: 'own-personal-account',
    rationale: m.rationale,
  };
  const raised = must(await raiseRequest(deps, raise));
  expect(raised.request.status).toBe('pending');
  const decided = must(
    await decideRequest(deps, {
      key: randomUUID(),
      actorId: who.manager,
      requestId: raised.request.id,
      outcome: 'approve',
      reasons: m.reasons,
    }),
  );
  expect(decided.request.status).toBe('approved');
  must(
    await recordCheck(deps, {
      key: randomUUID(),
      actorId: who.worker,
      requestId: raised.request.id,
      viewedAt: deps.clock().toISOString(),
      accounts: [{ platform: 'instagram', account: m.account }],
      relevantInfo: m.finding,
      thirdPartyData: 'none',
      sensitive: false,
      safeguardingFollowUp: m.followUp,
      attestNoFriendFollow: true,
      attestOpenSourceOnly: true,
    }),
  );
  return { child, raise };
}

/** Each marker, with how many times it is found in these bytes. */
function found(m: Markers, bytes: Buffer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, text] of Object.entries(m)) {
    // As written, and as JSON inside JSON (a body inside an event, an answer inside a unit).
    const forms = [
      text,
      JSON.stringify(text).slice(1, -1),
      JSON.stringify(JSON.stringify(text)).slice(2, -2),
    ];
    out[name] = bytes.reduce(
      (n, b) => n + [...new Set(forms)].reduce((k, f) => k + (b.includes(Buffer.from(f)) ? 1 : 0), 0),
      0,
    );
  }
  return out;
}
const none = (m: Markers) => Object.fromEntries(Object.keys(m).map((k) => [k, 0]));

/** Every file in these folders (the data folder: the SQLite file, its journal; the anchor). */
function filesIn(...folders: string[]): Buffer[] {
  const out: Buffer[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(readFileSync(path));
    }
  };
  for (const f of folders) walk(f);
  return out;
}

it('SQLite: the demo three years on, retention run — no byte of the store holds an erased record’s text', async () => {
  const base = dirs.make();
  const data = join(base, 'data');
  const anchor = join(base, 'anchor');
  process.env.OVERT_AUDIT_KEY = join(anchor, 'key.pem');
  process.env.OVERT_AUDIT_CHECKPOINTS = join(anchor, 'checkpoints.jsonl');
  // Only overt audit keygen makes the audit signing key (issue 19): made first.
  expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
  expect((await runCli('demo', '--data', data)).code).toBe(0);

  const m = markers();
  const service = await openService(data);
  let raise: Awaited<ReturnType<typeof markedCase>>['raise'];
  try {
    ({ raise } = await markedCase(service.deps, m, {
      admin: 'demo-admin',
      worker: 'demo-cm-north-1',
      manager: 'demo-tm-north',
    }));
  } finally {
    await service.store.close();
  }
  // Before: every marker is in the store (so the search below would find it).
  for (const n of Object.values(found(m, filesIn(data)))) expect(n).toBeGreaterThan(0);

  const later = new Date(Date.now() + THREE_YEARS_ON);
  const run = await runCli('retention', 'run', '--data', data, '--now', later.toISOString());
  expect(run).toMatchObject({ code: 0, stderr: '' });
  expect(found(m, filesIn(data, anchor))).toEqual(none(m));

  const verify = await runCli('audit', 'verify', '--data', data);
  expect(verify.code).toBe(0);
  expect(verify.stdout).toMatch(/^audit chain intact/);

  // The raise's key is still known: a retry under it is answered, not run again, and says why it is bare.
  const after = await openService(data, () => later);
  try {
    const requests = (await after.store.query('request', { where: { childId: raise!.childId } })).length;
    const retry = await raiseRequest(after.deps, raise!);
    expect(retry).toMatchObject({ ok: false, replayed: true, error: { code: 'CONFLICT' } });
    expect(!retry.ok && retry.error.message).toMatch(/erased under the retention schedule/);
    expect(await after.store.query('request', { where: { childId: raise!.childId } })).toHaveLength(requests);
  } finally {
    await after.store.close();
  }
}, 180_000);

it('SharePoint: retention run — no item of any list holds an erased record’s text', async () => {
  const snapshot = join(dirs.make(), 'graph-state.json');
  let server = await startServer({ snapshotPath: snapshot });
  let store: Store | undefined;
  try {
    const fresh = await freshStore(server);
    store = fresh.store;
    let now = new Date();
    const deps = () => createDeps(store!, { clock: () => now });
    must(await bootstrapAdministrator(deps(), { id: 'admin', name: 'Ada Admin (demo)' }));
    for (const [id, name, role, extra] of [
      ['tm', 'Tam Manager (demo)', 'team-manager', { socialMediaResponsibility: true }],
      ['cm', 'Cai Worker (demo)', 'case-manager', { designatedOfficer: true }],
    ] as const)
      must(
        await upsertStaff(deps(), {
          key: randomUUID(),
          actorId: 'admin',
          staff: { id, name, email: `${id}@demo.invalid`, role, teamIds: ['north'], ...extra },
        }),
      );
    must(
      await upsertTeam(deps(), {
        key: randomUUID(),
        actorId: 'admin',
        team: { id: 'north', name: 'North (demo)', profileId: 'nottinghamshire-yjs', managerIds: ['tm'] },
      }),
    );
    const m = markers();
    await markedCase(deps(), m, { admin: 'admin', worker: 'cm', manager: 'tm' });
    // Before: every marker is in the lists (the server's whole state, written when it stops).
    await store.close();
    await server.stop();
    for (const n of Object.values(found(m, [readFileSync(snapshot)]))) expect(n).toBeGreaterThan(0);

    server = await startServer({ snapshotPath: snapshot });
    store = await reopen(configFor(server, fresh.config.siteUrl));
    now = new Date(now.getTime() + THREE_YEARS_ON);
    const report = await runRetention(deps());
    expect(report.erased).toMatchObject({ request: 1, decision: 1, check: 1, consent: 1, child: 1 });
    expect((await store.audit.verify()).ok).toBe(true);
    await store.close();
    store = undefined;
    await server.stop();
    // After: every item of every list, as the server keeps it.
    expect(found(m, [readFileSync(snapshot)])).toEqual(none(m));
  } finally {
    await store?.close();
    await server.stop().catch(() => undefined);
  }
}, 180_000);
