import { CommanderError, type Command } from 'commander';
import { explainEvent } from '../workflow/decision-record';
import { decisionInWords, notLoaded } from '../workflow/decision-words';
import { openService } from './service';

/** `overt decision explain <event>`: a recorded decision re-evaluated with the profile version it used. */

function fail(exitCode: number, message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(exitCode, 'overt.decision', message);
}

export function register(cli: Command): void {
  const decision = cli.command('decision').description('the policy decisions on the audit trail');
  decision
    .command('explain')
    .description(
      'show a decision event: the action, who acted, the facts, and the verdict re-evaluated with the profile version it used beside the one recorded (exit 1 if they differ or it cannot be replayed)',
    )
    .argument('<event>', 'the audit event’s id or sequence number')
    .option('--data <dir>', 'data folder (default: $OVERT_DATA, else ./.data)')
    .option(
      '--json',
      'print the explanation as JSON (for a version not loaded here: the decision recorded, replayed null, and the problem)',
    )
    .action(async (event: string, opts: { data?: string; json?: boolean }) => {
      const { store, deps } = await openService(opts.data, undefined, { anchored: false });
      try {
        const x = await explainEvent(deps, event);
        if (!x.ok && x.notLoaded) {
          // The version that decided is not configured here: say the recorded verdict, and plainly that it
          // cannot be replayed, rather than only an error — in words, or the same as JSON with its problem.
          const words = await decisionInWords(deps, {
            typed: event,
            event: x.event!,
            recorded: x.notLoaded,
            replayed: undefined,
            same: false,
          });
          if (opts.json) {
            const missing = notLoaded(deps, x.notLoaded);
            process.stdout.write(
              `${JSON.stringify({
                event: x.event!.id,
                same: false,
                recorded: x.notLoaded,
                replayed: null,
                problem: `${missing.what}: the decision recorded cannot be replayed. ${missing.fix}`,
                inWords: words.filter((l) => l !== ''),
              })}\n`,
            );
          } else process.stdout.write(words.join('\n'));
          process.exitCode = 1;
          return;
        }
        if (!x.ok) return fail(1, x.message);
        const { recorded, replayed } = x;
        if (opts.json)
          process.stdout.write(
            `${JSON.stringify({ event: x.event!.id, same: x.same, recorded, replayed })}\n`,
          );
        else
          process.stdout.write(
            (
              await decisionInWords(deps, {
                typed: event,
                event: x.event!,
                recorded,
                replayed,
                same: x.same,
              })
            ).join('\n'),
          );
        if (!x.same) process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}
