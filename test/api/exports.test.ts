import { parse as parseCsv } from 'csv-parse/sync';
import { decideRequest, raiseObjection, raiseRequest } from '../../src/workflow';
import { recordSurfaceEvent } from '../../src/workflow/surface-events';
import { must } from '../workflow/world';
import { actionText, AUDIT_HEADER } from '../../src/api/audit-csv';
import { startApi, type Api } from './harness';

/**
 * Issue 12, fault 8: the administrator's audit export leaked what the policy refuses them. Nottinghamshire
 * refuses the administrator any child's record (the tab's history answers 403), yet `GET /api/v1/audit.csv`
 * gave them decision reasons, objection detail and the request's rationale. Exports follow the tab's rules,
 * and the text in place of what is withheld names no child (it named the child's case reference).
 */

let api: Api;
beforeAll(async () => {
  api = await startApi();
  await api.w.consent('notts', '2026-02-01');
  const raised = must(
    await raiseRequest(api.w.deps, {
      key: api.w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      reason: 'risk-of-cce',
      platforms: [{ platform: 'Instagram', account: '@demo_ab' }],
      viewer: 'own-personal-account',
      rationale: 'SECRET-RATIONALE: intelligence about the child (fictional).',
    }),
  );
  must(
    await decideRequest(api.w.deps, {
      key: api.w.key(),
      actorId: 'tm-notts',
      requestId: raised.request.id,
      outcome: 'decline',
      reasons: 'SECRET-REASON: the decision reasons (fictional).',
    }),
  );
  must(
    await raiseObjection(api.w.deps, {
      key: api.w.key(),
      actorId: 'cm-notts',
      childId: 'child-notts',
      raisedBy: 'the child',
      raisedAt: '2026-03-01',
      detail: 'SECRET-OBJECTION: what the child said (fictional).',
    }),
  );
});
afterAll(() => api.close());

const exportAs = async (who: 'admin' | 'ig' | 'sm') => {
  const res = await api.get('/api/v1/audit.csv?from=2026-01-01&to=2027-01-01', who);
  expect(res.status).toBe(200);
  return { text: await res.text() };
};

describe('the audit export follows the view rules of the tab', () => {
  it("the administrator, refused the child's record in the tab, is refused its details in the export", async () => {
    expect((await api.get('/api/v1/children/child-notts/history', 'admin')).status).toBe(403);
    const { text } = await exportAs('admin');
    expect(text).not.toMatch(/SECRET-/);
    const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
    const aboutChild = rows.filter((r) =>
      /^(Request raised|Request declined|Objection raised)$/.test(r['What happened']!),
    );
    expect(aboutChild.length).toBeGreaterThanOrEqual(3);
    for (const r of aboutChild) expect(r.Details).toBe('withheld: not yours to see');
    // The withheld text names no child: neither its case reference nor its id, anywhere in the file (the
    // administrator's own refused read of the record included).
    const child = (await api.w.store.get('child', 'child-notts'))!.record;
    expect(text).not.toContain(child.caseRef);
    expect(text).not.toContain(child.id);
    expect(rows.some((r) => r['What happened'] === 'Record viewed' && r.Outcome === 'Refused')).toBe(true);
    // Events about no child (staff, teams) are shown whole; every row keeps its hash.
    expect(
      rows.some((r) => r['What happened'] === 'Staff details saved' && !/withheld/.test(r.Details!)),
    ).toBe(true);
    for (const r of rows) expect(r.Hash).toMatch(/^[0-9a-f]{64}$/);
    // The export says how many it withheld.
    const last = (await api.w.store.audit.list()).at(-1)!;
    expect(last).toMatchObject({ action: 'audit.export', actor: { id: 'admin' } });
    expect((last.details as { withheld: number }).withheld).toBeGreaterThanOrEqual(3);
  });

  it('information governance, who may read the record, gets the details', async () => {
    const { text } = await exportAs('ig');
    expect(text).toMatch(/SECRET-REASON/);
    expect(text).toMatch(/SECRET-OBJECTION/);
  });

  it('reads in words: headings, people by name, what happened and its outcome, en-GB times; no code', async () => {
    // A case manager asks for the trail: refused, and the refusal is on the trail in words.
    expect((await api.get('/api/v1/audit.csv', 'cm-notts')).status).toBe(403);
    const { text } = await exportAs('ig');
    const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(AUDIT_HEADER);
    const names = new Set((await api.w.store.query('staff')).map((s) => s.record.name));
    for (const r of rows) {
      expect(r.When).toMatch(/^\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}$/);
      expect(names.has(r.Who!) || r.Who === 'Overt (the service)').toBe(true);
      expect(r.Role).toMatch(/^$|^[A-Z][a-z]+( [a-z]+)*$/);
      expect(r['What happened']).not.toMatch(/^[a-z]+[.:][a-z-]+/);
      expect(r.Outcome).toMatch(/^[A-Z]/);
      expect(r.Details).not.toMatch(/[{}"]|\b(childId|teamId|requestId)\b/);
    }
    // No route, HTTP method or status code anywhere: what was asked, and the problem, in words.
    expect(text).not.toMatch(/\/api\/|\b(GET|POST|PUT|DELETE) |Status: \d/);
    const asked = rows.find((r) => r['What happened'] === 'Asked the service to download the audit trail')!;
    expect(asked).toMatchObject({ Outcome: 'Refused' });
    expect(asked.Details).toMatch(/^Through: the tab; Problem: Not allowed; Why: Only .+ can do this\.$/);
    const raised = rows.find((r) => r['What happened'] === 'Request raised')!;
    expect(raised.About).toBe('Request about CASE-NOTTS-1');
    expect(raised.Details).toMatch(/Status: Waiting for a decision; Authority: Team manager/);
    // A version is a number with a dot, kept as written (walk 14c, finding 3: "Version: 2 0").
    expect(raised.Details).toMatch(/Version: \d+\.\d+\b/);
    expect(text).not.toMatch(/Version: \d+ \d+/);
  });

  it('says what a message Overt could not deliver was and who was told, by name, never by key or staff id', async () => {
    const request = (await api.w.store.query('request'))[0]!.record;
    await recordSurfaceEvent(api.w.deps, `bot-unreachable:tm-notts:approval:${request.id}:pending`, {
      action: 'bot.deliver',
      target: { kind: 'staff', id: 'tm-notts' },
      outcome: 'unreachable',
      details: {
        about: `approval:${request.id}:pending`,
        told: [],
        toldOnReturn: ['cm-notts'],
        summary: '1 of 1',
      },
    });
    const rows = parseCsv((await exportAs('ig')).text, { columns: true }) as Record<string, string>[];
    const row = rows.find((r) => r.Outcome === 'Could not be delivered')!;
    // Overt sent it (walk 14c, finding 2: "a former member of staff"); it is about the manager, by name.
    expect(row.Who).toBe('Overt (the service)');
    expect(row.About).toBe(`Staff: ${(await api.w.store.get('staff', 'tm-notts'))!.record.name}`);
    const cm = (await api.w.store.get('staff', 'cm-notts'))!.record.name;
    expect(row.Details).toBe(
      `About: The approval card (Waiting for a decision); Told: none; Told when they next open Overt: ${cm}; Summary: 1 of 1`,
    );
  });
});

describe('the dashboard follows the same view rules (issue 12 walk: it named children to the administrator)', () => {
  it('names the child with an open objection to the service manager, and only counts it for the administrator', async () => {
    type Board = {
      attention: { childId: string; caseRef: string }[];
      open: Record<string, { openObjections: number }>;
    };
    const read = async (who: 'admin' | 'sm') => {
      const res = await api.get('/api/v1/dashboard', who);
      expect(res.status).toBe(200);
      return (await res.json()) as Board;
    };
    const sm = await read('sm');
    expect(sm.attention.map((a) => a.childId)).toContain('child-notts');
    const admin = await read('admin');
    expect((await api.get('/api/v1/children/child-notts/history', 'admin')).status).toBe(403);
    expect(admin.attention.map((a) => a.childId)).not.toContain('child-notts');
    expect(JSON.stringify(admin)).not.toContain(
      sm.attention.find((a) => a.childId === 'child-notts')!.caseRef,
    );
    // The counts are not about a child: the administrator still sees that an objection is open.
    expect(Object.values(admin.open).reduce((n, o) => n + o.openObjections, 0)).toBeGreaterThan(0);
  });
});

it("IG's audit export says people and days in words: a person written whole into an event's details by their name, no record bookkeeping, no day in a machine's form (issue 14 walk: 'By: Id: Demo cm north 1', 'Schema: 1', 'On: 2026 03 23')", async () => {
  const { text } = await exportAs('ig');
  const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
  const details = rows.map((r) => r.Details ?? '').join('\n');
  expect(details).toContain('By: cm-notts (demo)'); // this world's case manager's name
  expect(details).not.toContain('By: Id:');
  expect(details).not.toMatch(/\bSchema:|Facts digest:|\bStamp:/);
  expect(details).not.toMatch(/\b\d{4}[ -]\d{2}[ -]\d{2}\b/);
  expect(details).toMatch(/On: 1 February 2026/);
});

it("the export's own event says its period as days, never a date as a person (issue 12 walk: 'From: 1 December 2026; To: a former member of staff')", async () => {
  await exportAs('ig');
  const { text } = await exportAs('ig');
  const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
  const own = rows.filter((r) => /\bFrom: /.test(r.Details ?? ''));
  expect(own.length).toBeGreaterThan(0);
  for (const r of own) {
    expect(r.Details).toMatch(/From: 1 January 2026(, 00:00)?; To: 1 January 2027(, 00:00)?/);
    expect(r.Details).not.toMatch(/former member of staff/);
  }
});

it("IG's export asked without its period is refused with a plain sentence naming what is missing (issue 12 walk: 'Invalid input: expected string, received undefined')", async () => {
  const res = await api.get('/api/v1/audit.csv', 'ig');
  expect(res.status).toBe(400);
  const detail = String(((await res.json()) as { detail?: unknown }).detail);
  expect(detail).not.toMatch(/Invalid input|expected|received|undefined/);
  expect(detail).toMatch(/first day/);
  expect(detail).toMatch(/last day/);
  const half = await api.get('/api/v1/audit.csv?from=2026-01-01', 'ig');
  expect(((await half.json()) as { detail?: unknown }).detail).toMatch(/^[A-Z].*last day.*\.$/);
});

it("a check refused through the bot has the one label a check refused through the tab has (issue 12 walk: 'Check recorded' beside 'Used the bot: check record')", () => {
  expect(actionText('bot:check.record')).toBe(actionText('check.record'));
  expect(actionText('bot:check.record')).toBe('Check recorded');
  // A bot verb the trail records under no action of its own still says it was the bot.
  expect(actionText('bot:requests.mine')).toMatch(/^Used the bot: /);
});
