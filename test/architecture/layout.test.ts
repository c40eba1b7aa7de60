/**
 * The layout checks itself: dependency-cruiser runs the rules in .dependency-cruiser.cjs over src/ (no
 * cycles; the policy imports no I/O; the workflow knows no Teams or HTTP; botbuilder only in src/bot; the
 * tab reaches data only through the API; CSV only through the one writer, src/util/csv.ts; the bot imports
 * nothing of the store but through its conversation port), and each rule is shown to bite on a forbidden import in a small tree of its own; ESLint stops the
 * bot using `deps.store` outside that port.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

import { childVerbs } from '../../src/bot/handlers/children';
import { verbHandlers } from '../../src/bot/routes';
import type { VerbHandlers } from '../../src/bot/turn';
import { verbs } from '../../src/bot/verbs';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const ESLINT = join(ROOT, 'node_modules/eslint/bin/eslint.js');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** The violations dependency-cruiser finds under `src` of `cwd`, with the project's rules. */
function cruise(cwd: string): Violation[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [CLI, 'src', '--config', CONFIG, '--output-type', 'json'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    // Exit code = the number of errors; the report is still on stdout.
    out = (err as { stdout: string }).stdout;
  }
  return (JSON.parse(out) as { summary: { violations: Violation[] } }).summary.violations;
}

test('src/ keeps every layout rule', () => {
  expect(cruise(ROOT).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
}, 120_000);

describe('each rule bites on a forbidden import', () => {
  let dir: string;
  let found: Violation[];
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'overt-layout-'));
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true } }));
    write('node_modules/botbuilder/package.json', JSON.stringify({ name: 'botbuilder', main: 'index.js' }));
    write('node_modules/botbuilder/index.js', 'exports.TurnContext = class {};\n');
    write(
      'node_modules/csv-stringify/package.json',
      JSON.stringify({ name: 'csv-stringify', main: 'index.js' }),
    );
    write('node_modules/csv-stringify/index.js', 'exports.stringify = () => "";\n');
    write(
      'src/api/export.ts',
      "import { stringify } from 'csv-stringify';\nexport const file = stringify;\n",
    );
    write('src/bot/card.ts', "export const card = { type: 'AdaptiveCard' };\n");
    write(
      'src/policy/evaluate.ts',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    );
    write(
      'src/workflow/decide.ts',
      "import { card } from '../bot/card';\nexport const decide = () => card;\n",
    );
    write('src/api/turn.ts', "import { TurnContext } from 'botbuilder';\nexport const turn = TurnContext;\n");
    write('src/tab/view.ts', "import { decide } from '../workflow/decide';\nexport const view = decide;\n");
    write('src/store/store.ts', 'export const openStore = () => ({});\n');
    write(
      'src/bot/reads.ts',
      "import { openStore } from '../store/store';\nexport const reads = openStore;\n",
    );
    // Even a type of the store is out of the bot's reach; its conversation port may use the store.
    write('src/store/records.ts', 'export type Request = { id: string };\n');
    write(
      'src/bot/views/card.ts',
      "import type { Request } from '../../store/records';\nexport const title = (r: Request) => r.id;\n",
    );
    write(
      'src/bot/conversations.ts',
      "import { openStore } from '../store/store';\nexport const kept = openStore;\n",
    );
    write('src/server/a.ts', "import { b } from './b';\nexport const a = () => b;\n");
    write('src/server/b.ts', "import { a } from './a';\nexport const b = () => a;\n");
    found = cruise(dir);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const broken = (rule: string) =>
    found.filter((v) => v.rule.name === rule).map((v) => `${v.from} → ${v.to}`);

  test('an import cycle', () => {
    expect(broken('no-cycles')).toEqual(['src/server/a.ts → src/server/b.ts']);
  });
  test('the policy reading a file', () => {
    expect(broken('policy-imports-no-io')).toEqual(['src/policy/evaluate.ts → fs']);
  });
  test('the workflow importing the bot', () => {
    expect(broken('workflow-knows-no-teams-or-http')).toEqual(['src/workflow/decide.ts → src/bot/card.ts']);
  });
  test('botbuilder outside src/bot', () => {
    expect(broken('botbuilder-only-in-bot')).toEqual([
      expect.stringMatching(/^src\/api\/turn\.ts → node_modules\/botbuilder\//),
    ]);
  });
  test('a CSV written other than by the one writer', () => {
    expect(broken('csv-only-through-the-writer')).toEqual([
      expect.stringMatching(/^src\/api\/export\.ts → node_modules\/csv-stringify\//),
    ]);
  });
  test('the bot reaching into the store instead of the workflow', () => {
    expect(broken('bot-reaches-store-through-its-port').sort()).toEqual([
      'src/bot/reads.ts → src/store/store.ts',
      'src/bot/views/card.ts → src/store/records.ts',
    ]);
  });
  test('the tab calling the workflow instead of the API', () => {
    expect(broken('tab-reaches-data-through-the-api')).toEqual(['src/tab/view.ts → src/workflow/decide.ts']);
  });
});

test("the bot using the store through the workflow's deps (deps.store) fails the lint, except in its conversation port", async () => {
  const text = [
    "import type { Deps } from '../workflow';",
    "export const a = (deps: Deps) => deps.store.get('request', 'r1');",
    'export const b = ({ store }: Deps) => store;',
    '',
  ].join('\n');
  // ESLint's own command line, with the project's config, on the text as if it were that file.
  const problems = (filePath: string) => {
    let out: string;
    try {
      out = execFileSync(
        process.execPath,
        [ESLINT, '--stdin', '--stdin-filename', filePath, '--format', 'json'],
        { cwd: ROOT, input: text, encoding: 'utf8' },
      );
    } catch (err) {
      out = (err as { stdout: string }).stdout;
    }
    return (JSON.parse(out) as { messages: { ruleId: string; line: number }[] }[])
      .flatMap((r) => r.messages)
      .filter((m) => m.ruleId === 'no-restricted-syntax')
      .map((m) => m.line);
  };
  expect(problems('src/bot/handlers/example.ts')).toEqual([2, 3]);
  expect(problems('src/bot/conversations.ts')).toEqual([]);
  expect(problems('src/workflow/example.ts')).toEqual([]);
}, 60_000);

test('the verb table is one typed object: a verb without a handler does not compile', () => {
  // @ts-expect-error the request verbs have no handler here (tsc, in `npm run lint`, fails if this compiles)
  const partial: VerbHandlers = { ...childVerbs };
  expect(Object.keys(partial)).not.toContain('request.approve');
  expect(Object.keys(verbHandlers).sort()).toEqual(Object.keys(verbs).sort());
});
