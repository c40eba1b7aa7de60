import { CommanderError, type Command } from 'commander';
import { guardOf } from '../store/integrity';
import { runRetention } from '../workflow/retention';
import { openService } from './service';

/** `overt retention run`: erase what each team's profile says is due (issue 15 item 5). */

function fail(exitCode: number, message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(exitCode, 'overt.retention', message);
}

export function register(cli: Command): void {
  const retention = cli
    .command('retention')
    .description('the retention schedule in each team’s profile: erase what is due');
  retention
    .command('run')
    .description(
      'erase the personal content of every record past its period, and the details of the audit events about it (their hashes kept); each erasure is an audit event',
    )
    .option('--data <dir>', 'data folder (default: $OVERT_DATA, else ./.data)')
    .option('--now <instant>', 'the moment to run at (default: now)')
    .action(async (opts: { data?: string; now?: string }) => {
      const at = opts.now ? new Date(opts.now) : new Date();
      if (Number.isNaN(at.getTime())) return fail(2, `--now: not an instant: ${opts.now}`);
      const { store, deps } = await openService(opts.data, () => at);
      try {
        // Nothing is erased on a trail that does not verify.
        const checked = await guardOf(store)?.verifyAll();
        if (checked && !checked.ok)
          return fail(
            1,
            `the audit trail is broken${checked.seq === undefined ? '' : ` at event ${checked.seq}`} (${checked.reason}): nothing erased`,
          );
        const r = await runRetention(deps);
        const kinds = Object.entries(r.erased)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ');
        const total = Object.values(r.erased).reduce((a, b) => a + b, 0);
        process.stdout.write(
          `${total} records erased${kinds ? ` (${kinds})` : ''}, ${r.eventDetails} audit events’ details erased, ${r.held} past their period kept (open, current consent or RIPA)\n`,
        );
      } finally {
        await store.close();
      }
    });
}
