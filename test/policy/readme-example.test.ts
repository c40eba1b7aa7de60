import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { overtIn } from '../council/overt-run';

/**
 * The README's worked example runs as written, as from a fresh clone: each line under the fernmoor-example
 * marker — an `npx overt …` command, perhaps after `NAME=value` settings — is run as `overt` itself (the
 * sources, through tsx, since a fresh clone's `npm install` builds the same) in a folder holding the clone's
 * `examples/` (so its paths and its demo data folder are as written), and must succeed with what the README
 * says it prints: check, test with coverage, eval, show, then the audit key and the demo service,
 * `teams set-profile` with the `--as` and `OVERT_PROFILE_FILES` it needs, and `teams list` showing the team's
 * new profile.
 */
const root = join(__dirname, '../..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const block = /<!-- fernmoor-example[^>]*-->\n```sh\n([\s\S]*?)```/.exec(readme);
const lines = (block?.[1] ?? '').trim().split('\n');
const clone = mkdtempSync(join(tmpdir(), 'overt-readme-example-'));
cpSync(join(root, 'examples'), join(clone, 'examples'), { recursive: true });
afterAll(() => rmSync(clone, { recursive: true, force: true }));

async function run(line: string): Promise<string> {
  const words = line.split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [k, ...v] = words.shift()!.split('=');
    env[k!] = v.join('=');
  }
  const [npx, overt, ...args] = words;
  expect([npx, overt]).toEqual(['npx', 'overt']);
  // As from a fresh clone's folder, with only the settings the line gives (none of this process's OVERT_*).
  const r = await overtIn(clone, env, ...args);
  expect({ line, status: r.status, ...(r.status ? { stderr: r.stderr } : {}) }).toEqual({ line, status: 0 });
  return r.stdout;
}

describe('the README worked example', () => {
  it('has its eight commands', () => {
    expect(lines).toHaveLength(8);
  });
  it('every command succeeds as the README says', async () => {
    const outs: string[] = [];
    for (const line of lines) outs.push(await run(line));
    const [check, test, evalLine, show, keygen, demo, setProfile, list] = outs;
    expect(check).toMatch(/valid profile fernmoor-cs v1/);
    expect(test).toMatch(/^22 passed, 0 failed$/m);
    expect(test).toMatch(/every rule and every clause that carries one is exercised by a passing case/);
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
    expect(show).toMatch(/^Who may act as each authority:$/m);
    expect(show).toMatch(/^How verdicts combine:$/m);
    expect(keygen).toMatch(/^audit signing key made at .*\.data-fernmoor\.audit\/signing-key\.pem /);
    expect(demo).toMatch(/demo service created: 3 teams/);
    expect(setProfile).toMatch(
      /^team north: profile fernmoor-cs \(Fernmoor social media viewing procedure, version 1\)$/m,
    );
    expect(list).toMatch(/^north\t[^\t]+\tfernmoor-cs\t/m);
  }, 240_000);
});
