import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEED_CLAUSES } from '../../src/policy/seed-clauses';
import nottinghamshire from '../../src/policy/profiles/nottinghamshire-yjs.json';
import { runCli } from './run';

/**
 * `overt policy coverage`: every clause of the five seeds is enforced by a rule that a passing case exercises,
 * or carries the profile's reason for no rule; and docs/POLICY-COVERAGE.md is exactly what it generates.
 */
const doc = join(__dirname, '../../docs/POLICY-COVERAGE.md');
const dir = mkdtempSync(join(tmpdir(), 'overt-coverage-'));

describe('overt policy coverage', () => {
  it('accounts for every clause of all five seeds and exits 0', async () => {
    const r = await runCli('policy', 'coverage');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const all = Object.values(SEED_CLAUSES).flat();
    expect(all).toHaveLength(108);
    for (const clause of all)
      expect(r.stdout).toMatch(
        new RegExp(`^ {2}(ENFORCED|OBLIGED |NO RULE ) ${clause.replace(/[.]/g, '\\.')}( —|$)`, 'm'),
      );
    expect(r.stdout).not.toMatch(/GAP/);
    expect(r.stdout.trim().split('\n').pop()).toMatch(
      /^108 clauses in 5 policies, \d+ cases: 0 not accounted for, 0 rules not exercised by any case$/,
    );
    // The examples: §12, §10 and §17 are enforced by the rules that now carry them.
    expect(r.stdout).toMatch(/rule repeat-no-ripa-route \(refuse\): [1-9]/);
    expect(r.stdout).toMatch(/rule approval-without-reasons \(refuse\): [1-9]/);
    expect(r.stdout).toMatch(/rule third-party-authoriser-not-team-manager \(refuse\): [1-9]/);
  });

  it('a clause whose only exercised rules are obligations is OBLIGED (shown to staff, not blocked), not ENFORCED', async () => {
    const r = await runCli('policy', 'coverage', 'nottinghamshire-yjs');
    expect(r.code).toBe(0);
    // §7 (reminders) is carried only by the reminder-due obligation: shown, never a block.
    expect(r.stdout).toMatch(
      /^ {2}OBLIGED {2}000 §7 — Reminders at least every three months\n {6}shown to staff, not blocked: .*\n {6}rule reminder-due \(oblige\): [1-9]/m,
    );
    expect(r.stdout).not.toMatch(/ENFORCED 000 §7 /);
    // A clause with a refusal exercised alongside an obligation stays ENFORCED.
    expect(r.stdout).toMatch(/^ {2}ENFORCED 000 §10 /m);
    const md = await runCli('policy', 'coverage', '--markdown');
    expect(md.stdout).toMatch(
      /\| 000 §7 \| .* \| obliged — shown to staff, not blocked \| `reminder-due` \(obligation, \d+\) \|/,
    );
  });

  it('lists the retention schedule under the data-protection clause that carries it, or as a local decision', async () => {
    const kent = await runCli('policy', 'coverage', 'kent-ics');
    expect(kent.code).toBe(0);
    expect(kent.stdout).toMatch(
      /^ {2}ENFORCED 002 §Appendix 2 Data protection — .*\n(?: {6}rule .*\n)+ {6}retention schedule .*:\n {8}Requests: kept 24 months from when the request is closed\n[\s\S]* {8}RIPA authorisation records: kept 36 months from when the authorisation ends/m,
    );
    expect(kent.stdout).not.toMatch(/LOCAL {4}retention/);
    const notts = await runCli('policy', 'coverage', 'nottinghamshire-yjs');
    expect(notts.stdout).toMatch(
      /^ {2}LOCAL {4}retention schedule, a local decision: no clause carries it .*:\n {8}Requests: kept 24 months/m,
    );
    // Westgate's Appendix 1 is the golden rules of sharing: it names no period, so its schedule is local too,
    // and section 3 (read with RIPA and data protection law) carries no rule of its fail-closed refusal.
    const westgate = await runCli('policy', 'coverage', 'westgate-youth-project');
    expect(westgate.stdout).toMatch(/^ {2}LOCAL {4}retention schedule, a local decision/m);
    expect(westgate.stdout).toMatch(/^ {2}NO RULE {2}004 §3 — .*\n {6}why no rule: .*sets no step/m);
    const md = await runCli('policy', 'coverage', '--markdown');
    expect(md.stdout).toMatch(
      /Retention schedule \(carried by 002 §Appendix 2 Data protection; .*\):\n\n- Requests: kept 24 months from when the request is closed/,
    );
    expect(md.stdout).toMatch(/Retention schedule \(a local decision: no clause carries it; /);
  });

  it('keeps docs/POLICY-COVERAGE.md in sync with what it generates', async () => {
    const r = await runCli('policy', 'coverage', '--markdown');
    expect(r.code).toBe(0);
    expect(readFileSync(doc, 'utf8')).toBe(r.stdout);
  });

  it('exits 1 naming a clause that has neither a rule exercised by a case nor a reason', async () => {
    const p = JSON.parse(JSON.stringify(nottinghamshire));
    delete p.unenforced['000 §26'];
    const file = join(dir, 'gap.json');
    writeFileSync(file, JSON.stringify(p));
    const r = await runCli('policy', 'coverage', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /GAP {6}000 §26 — The DPIA is amended for material changes\n {6}problem: no rule enforces it and the profile gives no reason/,
    );
    expect(r.stdout).toMatch(/^ {2}ENFORCED 000 §11 /m);
    expect(r.stdout.trim().split('\n').pop()).toMatch(
      /^27 clauses in 1 policy, \d+ cases: 1 not accounted for, 0 rules not exercised by any case$/,
    );
  });

  it('a clause the profile does not declare is a gap', async () => {
    const p = JSON.parse(JSON.stringify(nottinghamshire));
    delete p.clauses['000 §27'];
    delete p.unenforced['000 §27'];
    const file = join(dir, 'undeclared.json');
    writeFileSync(file, JSON.stringify(p));
    const r = await runCli('policy', 'coverage', file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/GAP {6}000 §27\n {6}problem: the profile does not declare this clause/);
  });
});
