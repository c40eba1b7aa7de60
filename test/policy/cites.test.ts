import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectCaseFiles, runCaseFile } from '../../src/policy/cases';

/**
 * A verdict cites what it rests on: the deciding rule's clauses and its obligations', never a rule the deciding
 * one overrode. Before, an escalation also cited the allow it overrode, so a case expecting the team manager's
 * clause (ASH/A1) passed when the three-week rule (ASH/A3) decided.
 */
const fixtures = join(__dirname, 'fixtures/ashbridge');
const dir = mkdtempSync(join(tmpdir(), 'overt-cites-'));
const second = JSON.parse(readFileSync(join(fixtures, 'cases/04-second-in-3-weeks.json'), 'utf8')) as {
  profile: string;
  expect: Record<string, unknown>;
};
const write = (name: string, expect: Record<string, unknown>) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify({ ...second, profile: join(fixtures, 'policy-v1.json'), expect }));
  return f;
};

describe('what a verdict cites', () => {
  it('an escalation cites the rule that decided, not the allow it overrode', () => {
    const r = runCaseFile(write('ok.json', second.expect));
    expect(r.failures).toEqual([]);
    expect(r.verdict?.determining).toEqual(['second-in-3-weeks']);
    expect(r.verdict?.fired.map((f) => f.rule)).toEqual(['tm-authorises', 'second-in-3-weeks']);
    expect(r.verdict?.cites).toEqual(['ASH/A3']);
  });

  it('a case expecting the overridden rule’s clause fails', () => {
    const r = runCaseFile(
      write('a1.json', { outcome: 'needs-escalation', authority: 'assistant-director', cites: ['ASH/A1'] }),
    );
    expect(r.failures).toEqual(['cites: expected ASH/A1 among ASH/A3']);
  });

  it('notCites: the overridden rule’s clause is not cited', () => {
    const r = runCaseFile(write('not.json', { outcome: 'needs-escalation', notCites: ['ASH/A1'] }));
    expect(r.failures).toEqual([]);
  });

  it('citesExactly: exactly the verdict’s citations, order-free', () => {
    expect(
      runCaseFile(write('ex.json', { outcome: 'needs-escalation', citesExactly: ['ASH/A3'] })).failures,
    ).toEqual([]);
    expect(
      runCaseFile(write('ex2.json', { outcome: 'needs-escalation', citesExactly: ['ASH/A3', 'ASH/A1'] }))
        .failures,
    ).toEqual(['citesExactly: expected ASH/A3, ASH/A1, the verdict cites ASH/A3']);
    expect(
      runCaseFile(write('ex3.json', { outcome: 'needs-escalation', citesExactly: ['ASH/A9'] })).failures,
    ).toEqual([expect.stringMatching(/^expect\.citesExactly: "ASH\/A9" is not a clause of ashbridge-cs/)]);
  });

  it('a built-in: the verdict cites its deciding rules and obligations only, on every project case', () => {
    const { files } = collectCaseFiles([join(__dirname, '../policy-cases'), join(fixtures, 'cases')]);
    for (const f of files) {
      const v = runCaseFile(f).verdict;
      if (!v || v.determining[0] === 'default' || v.determining[0] === 'not-in-force') continue;
      const carried = new Set(
        v.fired
          .filter((x) => v.determining.includes(x.rule) || (x.effect === 'oblige' && v.outcome !== 'refuse'))
          .flatMap((x) => x.cites),
      );
      expect({ f, extra: v.cites.filter((c) => !carried.has(c)) }).toEqual({ f, extra: [] });
    }
  });

  it('the Ashbridge cases pass', () => {
    const { files } = collectCaseFiles([join(fixtures, 'cases')]);
    expect(files).toHaveLength(14);
    expect(files.map((f) => runCaseFile(f)).filter((r) => !r.passed)).toEqual([]);
  });
});
