import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The README's worked example runs as written: each `npx overt …` line under the fernmoor-example marker is
 * run from the project folder, as `overt` itself (the sources, through tsx, since a fresh clone's `npm install`
 * builds the same), and must succeed with what the README says it prints.
 */
const root = join(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const block = /<!-- fernmoor-example[^>]*-->\n```sh\n([\s\S]*?)```/.exec(readme);
const lines = (block?.[1] ?? '').trim().split('\n');

function run(line: string): string {
  const [npx, overt, ...args] = line.split(/\s+/);
  expect([npx, overt]).toEqual(['npx', 'overt']);
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'test/cli/overt-process.ts'), ...args],
    { cwd: root, encoding: 'utf8' },
  );
}

describe('the README worked example', () => {
  it('has its three commands', () => {
    expect(lines).toHaveLength(3);
  });
  it('check, test and eval succeed as the README says', () => {
    const [check, test, evalLine] = lines.map(run);
    expect(check).toMatch(/valid profile fernmoor-cs v1/);
    expect(test).toMatch(/^22 passed, 0 failed$/m);
    const verdict = JSON.parse(evalLine!);
    expect(verdict).toMatchObject({
      outcome: 'needs-escalation',
      authority: 'head-of-service',
      cites: expect.arrayContaining(['SMP-4']),
      profile: {
        id: 'fernmoor-cs',
        version: '1',
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      },
    });
  }, 60_000);
});
