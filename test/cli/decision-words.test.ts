import { join } from 'node:path';
import { openStore } from '../../src/store/open';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from './run';

/**
 * Issue 13: `overt decision explain <event>` in words, for the information-governance lead or administrator
 * who runs it: who acted by name and role, the child by case reference and name, what was asked, the policy by
 * its name and version, the dates in en-GB, the verdict and each deciding rule in the policy's words with its
 * clauses cited as people read them — no staff id, record id, rule id, clause id, code or ISO date; the only id
 * is the event as the person typed it. (Before, it printed "action: request-check by demo-cm-… (case-manager)",
 * "profile: nottinghamshire-yjs", the rule ids, "000 §11" and ISO moments.)
 */
const dirs = tempDirs('decision-words');
afterAll(() => dirs.cleanup());
afterEach(() => {
  delete process.env.OVERT_AUDIT_KEY;
  delete process.env.OVERT_AUDIT_CHECKPOINTS;
});

const NOT_WORDS = [
  /\bdemo-[a-z0-9-]+/, // a staff id
  /[0-9a-f]{8}-[0-9a-f]{4}-/, // a record id
  /§/, // a clause id
  /\d{4}-\d{2}-\d{2}/, // an ISO date
  /\b(allow|needs-escalation|request-check|approve-check|record-check|own-personal-account|risk-of-[a-z]+)\b/,
  /\b[a-z]+(?:-[a-z]+){2,}\b/, // a rule id or any other hyphenated code
  /digest|fingerprint/,
];

it('says each kind of decision in words: raised, approved, recorded; allowed, escalated, refused', async () => {
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
  const staff = new Map((await opened.value.query('staff')).map((s) => [s.record.id, s.record.name]));
  await opened.value.close();

  // One of each action and each outcome the demo has.
  const picked = new Map<string, (typeof events)[number]>();
  for (const e of events)
    if (['request.raise', 'request.approve', 'check.record'].includes(e.action) && e.profileId)
      picked.set(`${e.action} ${e.outcome}`, picked.get(`${e.action} ${e.outcome}`) ?? e);
  expect([...picked.keys()]).toEqual(
    expect.arrayContaining([
      'request.raise allow',
      'request.raise refuse',
      'request.raise needs-escalation',
      'request.approve allow',
      'check.record allow',
    ]),
  );
  for (const [what, e] of picked) {
    // By sequence number, and by the event's id: the id typed is the only id shown.
    for (const typed of [String(e.seq), e.id]) {
      const run = await runCli('decision', 'explain', typed, '--data', data);
      expect({ what, code: run.code, stderr: run.stderr }).toEqual({ what, code: 0, stderr: '' });
      const text = run.stdout.replace(`Event ${typed}:`, 'Event:');
      for (const bad of NOT_WORDS)
        expect({ what, text, bad: bad.exec(text)?.[0] }).toMatchObject({ bad: undefined });
      expect(run.stdout.startsWith(`Event ${typed}: `)).toBe(true);
      // Who acted, by the name on their staff record and their role in words.
      expect(run.stdout).toContain(`By: ${staff.get(e.actor.id)!}, `);
      expect(run.stdout).toMatch(/^Child: .+ \(DEMO-\d{4}\)$/m);
      expect(run.stdout).toMatch(/^Policy: Nottinghamshire YJS[^,]*, version \S+$/m);
      // en-GB: "1 December 2026 at 14:05".
      expect(run.stdout).toMatch(/, \d{1,2} [A-Z][a-z]+ \d{4}(,| at) \d{2}:\d{2}\n/);
      expect(run.stdout).toMatch(/^Verdict recorded: (Allowed|Refused|Needs escalation)/m);
      expect(run.stdout).toMatch(
        /^ {2}because: .+ \((Nottinghamshire YJS policy, sections? .+|a local decision)\)$/m,
      );
      expect(run.stdout).toMatch(/^Replayed with the same policy version: the same verdict/m);
    }
  }
  const escalated = await runCli(
    'decision',
    'explain',
    String(picked.get('request.raise needs-escalation')!.seq),
    '--data',
    data,
  );
  expect(escalated.stdout).toMatch(
    /Verdict recorded: Needs escalation; for the authorising officer to decide/,
  );
}, 300_000);
