import { policyEvalsPerSec } from './policy';

/**
 * `npm run bench` prints a table of figures; `npm run bench -- --json` also prints, as its last line, one
 * JSON object of all figures. Benchmarks are programs that report, not tests that pass or fail.
 */
type Figure = { key: string; label: string; value: number; unit: string; goal?: string };

async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const figures: Figure[] = [];
  figures.push({
    key: 'policyEvalsPerSec',
    label: 'policy evaluations per second, one core',
    value: policyEvalsPerSec(),
    unit: '/s',
    goal: '≥ 200,000',
  });

  const width = Math.max(...figures.map((f) => f.label.length));
  for (const f of figures)
    console.log(
      `${f.label.padEnd(width)}  ${f.value.toLocaleString('en-GB').padStart(12)} ${f.unit}${f.goal ? `   (goal ${f.goal})` : ''}`,
    );
  if (json) console.log(JSON.stringify(Object.fromEntries(figures.map((f) => [f.key, f.value]))));
}

void main(process.argv.slice(2));
