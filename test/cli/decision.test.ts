import { join } from 'node:path';
import { openStore } from '../../src/store/open';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from './run';

/** Issue 17: every decision of the demo service, replayed through `overt decision explain`, gives the
 * verdict that was recorded; the record is one typed schema (workflow/decision-record.ts). */
const dirs = tempDirs('decision');
afterAll(() => dirs.cleanup());
afterEach(() => {
  delete process.env.OVERT_AUDIT_KEY;
  delete process.env.OVERT_AUDIT_CHECKPOINTS;
});

it('replays every decision of the demo service to the verdict recorded', async () => {
  const base = dirs.make();
  const data = join(base, 'data');
  process.env.OVERT_AUDIT_KEY = join(base, 'anchor', 'key.pem');
  process.env.OVERT_AUDIT_CHECKPOINTS = join(base, 'anchor', 'checkpoints.jsonl');
  // Only overt audit keygen makes the audit signing key (issue 19): made first.
  expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
  expect((await runCli('demo', '--data', data)).code).toBe(0);

  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const events = await opened.value.audit.list();
  await opened.value.close();
  // Every event that carries a verdict (a profile and a policy outcome) is a decision and keeps its record,
  // and every event keeping a record is one: the two are the same events.
  const decisions = events.filter(
    (e) => e.profileId && ['allow', 'refuse', 'needs-escalation'].includes(e.outcome),
  );
  const recorded = events.filter((e) => (e.details as { decision?: unknown }).decision);
  expect(recorded.map((e) => e.seq)).toEqual(decisions.map((e) => e.seq));
  // Each raise, approval and check the demo made asked the policy: every one of them is replayed, not a sample
  // (declines and requests for more information ask it nothing).
  const asked = events.filter((e) => ['request.raise', 'request.approve', 'check.record'].includes(e.action));
  expect(decisions.map((e) => e.seq)).toEqual(asked.map((e) => e.seq));
  expect(decisions.length).toBeGreaterThan(300);
  const outcomes = new Set<string>();
  let replayed = 0;
  // Each by its sequence number (read straight from the trail); by its id, one decision of each outcome below
  // (an id is looked up by itself: the trail is not read).
  const byId = new Map<string, string>();
  for (const e of decisions) {
    const run = await runCli('decision', 'explain', String(e.seq), '--data', data, '--json');
    expect([e.seq, run.stderr, run.code]).toEqual([e.seq, '', 0]);
    if (!byId.has(e.outcome)) byId.set(e.outcome, run.stdout);
    const shown = JSON.parse(run.stdout) as {
      same: boolean;
      recorded: { verdict: { outcome: string; cites: string[] } };
      replayed: { outcome: string; cites: string[] };
    };
    expect(shown.same).toBe(true);
    expect(shown.replayed).toEqual(shown.recorded.verdict);
    expect(shown.recorded.verdict.outcome).toBe(e.outcome);
    expect(shown.recorded.verdict.cites).toEqual(e.cites);
    outcomes.add(e.outcome);
    replayed++;
  }
  expect(replayed).toBe(decisions.length);
  for (const outcome of byId.keys()) {
    const e = decisions.find((d) => d.outcome === outcome)!;
    const run = await runCli('decision', 'explain', e.id, '--data', data, '--json');
    expect([e.id, run.stderr, run.code]).toEqual([e.id, '', 0]);
    expect(run.stdout).toBe(byId.get(outcome));
  }
  // The demo's decisions include refusals and escalations as well as allowances.
  expect([...outcomes].sort()).toEqual(['allow', 'needs-escalation', 'refuse']);

  // In words, for a person: the action, the profile and version, the facts, and the same verdict.
  const words = await runCli('decision', 'explain', String(decisions[0]!.seq), '--data', data);
  expect(words.code).toBe(0);
  expect(words.stdout).toMatch(/Policy: .+, version \S+/);
  expect(words.stdout).toMatch(/the same verdict/);
  // Not a decision, and no such event: said plainly, exit 1.
  const other = events.find((e) => !e.profileId)!;
  expect(await runCli('decision', 'explain', other.id, '--data', data)).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/records no policy decision/),
  });
  expect(await runCli('decision', 'explain', 'no-such-event', '--data', data)).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/no audit event "no-such-event"/),
  });
}, 300_000);
