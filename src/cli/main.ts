import { Command, CommanderError } from 'commander';
import { register as registerPolicy } from './policy';
import { register as registerAudit } from './audit';
import { register as registerMigrate } from './migrate';
import { register as registerProvision } from './provision';
import { register as registerService } from './service';
import { register as registerOnboard } from './onboard';
import { register as registerRetention } from './retention';
import { register as registerDecision } from './decision';

/** Builds the `overt` command. Each command group lives in its own file and registers itself here. */
export function program(): Command {
  const cli = new Command('overt')
    .description(
      'Overt: overt, authorised, proportionate and recorded checks of children’s public social media',
    )
    .exitOverride()
    .showHelpAfterError();
  registerPolicy(cli);
  registerAudit(cli);
  registerProvision(cli);
  registerMigrate(cli);
  registerService(cli);
  registerOnboard(cli);
  registerRetention(cli);
  registerDecision(cli);
  return cli;
}

/** Runs the CLI and resolves to the exit code; never throws for a user's mistake. */
export async function main(argv: string[]): Promise<number> {
  const cli = program();
  // Commands report failure through process.exitCode; it is read and cleared here, so that running the CLI
  // in-process (as the tests do) leaves no exit status behind.
  process.exitCode = undefined;
  try {
    await cli.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`overt: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  } finally {
    process.exitCode = undefined;
  }
}
