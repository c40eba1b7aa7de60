import { join } from 'node:path';
import { openStore } from '../../src/store/open';
import { tempDirs } from '../store/temp-dirs';
import { runCli } from './run';

/** issue 15 item 5: a demo service moved three years on, `overt retention run`; what is due is gone, what
 * must stay stays, and `overt audit verify` passes. */
const dirs = tempDirs('retention');
afterAll(() => dirs.cleanup());
afterEach(() => {
  delete process.env.OVERT_AUDIT_KEY;
  delete process.env.OVERT_AUDIT_CHECKPOINTS;
});

it('erases what is due three years on, keeps what must stay, and the anchored chain still verifies', async () => {
  const base = dirs.make();
  const data = join(base, 'data');
  process.env.OVERT_AUDIT_KEY = join(base, 'anchor', 'key.pem');
  process.env.OVERT_AUDIT_CHECKPOINTS = join(base, 'anchor', 'checkpoints.jsonl');
  // Only overt audit keygen makes the audit signing key (issue 19): made first.
  expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
  expect((await runCli('demo', '--data', data)).code).toBe(0);
  const later = new Date(Date.now() + (3 * 365 + 1) * 86_400_000).toISOString();

  // Nothing is due today.
  const today = await runCli('retention', 'run', '--data', data);
  expect(today.stdout).toMatch(/^0 records erased, 0 audit events’ details erased/);

  const run = await runCli('retention', 'run', '--data', data, '--now', later);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(
    /^\d+ records erased \(.*\d+ check.*\), \d+ audit events’ details erased, [1-9]\d* past their period kept/,
  );

  const opened = await openStore({ dataDir: data, kind: 'sqlite' });
  if (!opened.ok) throw new Error(opened.error.message);
  const store = opened.value;
  try {
    const [ripa] = await store.query('ripa');
    expect(ripa).toBeDefined();
    const held = ripa!.record.childId;
    // What must stay: the RIPA record (three years after its authorisation ended is still ahead), and every
    // record about that child.
    expect(ripa!.record.offence).toMatch(/class A drug/);
    const heldChecks = await store.query('check', { where: { childId: held } });
    expect(heldChecks.length).toBeGreaterThan(0);
    for (const c of heldChecks) expect(c.record.relevantInfo).not.toBe('');
    // What is due is gone: every other check's findings and accounts, decisions' reasons, requests' rationale.
    const checks = (await store.query('check')).filter((c) => c.record.childId !== held);
    expect(checks.length).toBeGreaterThan(10);
    for (const c of checks) expect(c.record).toMatchObject({ relevantInfo: '', accounts: [] });
    for (const r of (await store.query('request')).filter((r) => r.record.childId !== held))
      if (!['pending', 'more-info', 'approved', 'escalated'].includes(r.record.status))
        expect(r.record.rationale).toBeUndefined();
    // Each erasure is an audit event naming the events whose details it erased; those keep their hashes.
    const events = await store.audit.list();
    const erasures = events.filter((e) => e.action === 'retention.erase');
    expect(erasures.length).toBeGreaterThan(10);
    const named = new Set(erasures.flatMap((e) => (e.details as { events: number[] }).events));
    expect(named.size).toBeGreaterThan(10);
    for (const e of events)
      if (named.has(e.seq)) expect(e).toMatchObject({ detailsErased: true, details: {} });
    const aboutHeld = events.filter(
      (e) => e.target.kind === 'check' && heldChecks.some((c) => c.record.id === e.target.id),
    );
    for (const e of aboutHeld) expect(e.detailsErased).toBeUndefined();
  } finally {
    await store.close();
  }

  const verify = await runCli('audit', 'verify', '--data', data);
  expect(verify.code).toBe(0);
  expect(verify.stdout).toMatch(/^audit chain intact: \d+ events?, anchored by \d+ signed checkpoints?/);

  // A second run erases nothing twice.
  const again = await runCli('retention', 'run', '--data', data, '--now', later);
  expect(again.stdout).toMatch(/^0 records erased, 0 audit events’ details erased/);
}, 120_000);

it('the timers keep the schedule: once a day, `jobs run-once` erases what is due and the next run waits', async () => {
  const base = dirs.make();
  const data = join(base, 'data');
  process.env.OVERT_AUDIT_KEY = join(base, 'anchor', 'key.pem');
  process.env.OVERT_AUDIT_CHECKPOINTS = join(base, 'anchor', 'checkpoints.jsonl');
  // Only overt audit keygen makes the audit signing key (issue 19): made first.
  expect((await runCli('audit', 'keygen', '--data', data)).code).toBe(0);
  expect((await runCli('demo', '--data', data)).code).toBe(0);
  // Today: the timers run retention (nothing is due yet), and not again within the day.
  const today = await runCli('jobs', 'run-once', '--data', data);
  expect(today.code).toBe(0);
  expect(today.stdout).toMatch(/retention: 0 records erased/);
  const again = await runCli('jobs', 'run-once', '--data', data);
  expect(again.code).toBe(0);
  expect(again.stdout).not.toMatch(/retention:/);
  // Three years on (a copy, as --now always is): the timer's run erases what the schedule says is due.
  const later = new Date(Date.now() + (3 * 365 + 1) * 86_400_000).toISOString();
  const run = await runCli('jobs', 'run-once', '--data', data, '--now', later);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/retention: [1-9]\d* records erased, [1-9]\d* audit events’ details erased/);
}, 120_000);
