import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { CommanderError, type Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { AuditEvent } from '../store/audit';
import { Anchor, anchorPaths } from '../store/anchor';
import { verifyTrail } from '../store/integrity';
import { openStore, sqliteFile, storeOptions } from '../store/open';
import { IsoDate } from '../store/records';
import type { Store } from '../store/store';

/** `overt audit verify|export`: check the tamper-evident chain, or write a period out as CSV or JSON lines. */

const DATA_HELP = 'data folder (default: $OVERT_DATA, else ./.data)';
const PAGE = 500;

/** Writes a message to stderr and ends the command with this exit code. */
function fail(exitCode: number, message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(exitCode, 'overt.audit', message);
}

/** Opens the store of an existing data folder; a missing one is a mistake, not an empty trail. */
async function openExisting(data: string | undefined): Promise<Store> {
  const options = storeOptions(data);
  if (!options.ok) return fail(2, options.error.message);
  const { dataDir, kind } = options.value;
  if (kind === 'sqlite' && !existsSync(sqliteFile(dataDir))) {
    return fail(
      2,
      `no Overt data in ${dataDir} (expected ${sqliteFile(dataDir)}); pass --data DIR or set OVERT_DATA`,
    );
  }
  const opened = await openStore(options.value);
  if (!opened.ok) return fail(2, opened.error.message);
  return opened.value;
}

/** A cell that a spreadsheet would read as a formula gets a leading apostrophe. */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export const CSV_COLUMNS = [
  'seq',
  'id',
  'at',
  'actor_id',
  'actor_role',
  'action',
  'target_kind',
  'target_id',
  'outcome',
  'cites',
  'profile_id',
  'profile_version',
  'key',
  'details',
  'prev_hash',
  'hash',
] as const;

function csvRow(e: AuditEvent): (string | number)[] {
  const cells = [
    e.seq,
    e.id,
    e.at,
    e.actor.id,
    e.actor.role ?? '',
    e.action,
    e.target.kind,
    e.target.id,
    e.outcome,
    e.cites.join('; '),
    e.profileId ?? '',
    e.profileVersion ?? '',
    e.key,
    JSON.stringify(e.details),
    e.prevHash,
    e.hash,
  ];
  return cells.map((c) => (typeof c === 'string' ? neutralise(c) : c));
}

const ExportOptions = z.object({
  data: z.string().optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  format: z.enum(['csv', 'jsonl'], { error: 'format is csv or jsonl' }),
  out: z.string().min(1).optional(),
});

async function verify(opts: { data?: string; unanchored?: boolean }): Promise<void> {
  const options = storeOptions(opts.data);
  if (!options.ok) return fail(2, options.error.message);
  let anchor: Anchor | undefined;
  if (!opts.unanchored) {
    const opened = Anchor.open(anchorPaths(options.value.dataDir), { create: false });
    if (!opened.ok) return fail(2, `${opened.message}; or pass --unanchored to check the store alone`);
    anchor = opened.anchor;
  }
  const store = await openExisting(opts.data);
  try {
    const restored = (store as { restoredTriggers?: readonly string[] }).restoredTriggers ?? [];
    if (restored.length)
      process.stdout.write(
        `the audit trail's triggers were missing or altered and have been put back: ${restored.join(', ')}\n`,
      );
    const result = await verifyTrail(store, anchor ? { anchor } : {});
    if (result.ok) {
      const signed = result.latest
        ? `, anchored by ${result.checkpoints} signed checkpoints (the latest counts ${result.latest.count} at ${result.latest.at})`
        : anchor
          ? ''
          : ' (not anchored: checked against the store alone)';
      process.stdout.write(
        `audit chain intact: ${result.count} events${signed}; ${result.records} records match the events that wrote them\n`,
      );
      return;
    }
    if (result.seq === undefined || result.seq < 1) {
      process.stdout.write(`audit trail broken: ${result.reason}\n`);
      for (const p of result.problems?.slice(1) ?? []) process.stdout.write(`  also: ${p}\n`);
      throw new CommanderError(1, 'overt.audit.broken', 'audit trail broken');
    }
    let about = '';
    try {
      const [event] = await store.audit.list({ afterSeq: result.seq - 1, limit: 1 });
      if (event?.seq === result.seq)
        about = ` (${event.at} ${event.action} on ${event.target.kind} ${event.target.id})`;
    } catch {
      about = ' (unreadable)';
    }
    process.stdout.write(`audit chain broken at event ${result.seq}${about}: ${result.reason}\n`);
    throw new CommanderError(1, 'overt.audit.broken', `audit chain broken at event ${result.seq}`);
  } finally {
    await store.close();
  }
}

async function exportTrail(raw: unknown): Promise<void> {
  const parsed = ExportOptions.safeParse(raw);
  if (!parsed.success) return fail(2, `audit export: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  const store = await openExisting(opts.data);
  const fd = opts.out === undefined ? undefined : openSync(opts.out, 'w');
  const write = (text: string) => (fd === undefined ? process.stdout.write(text) : writeSync(fd, text));
  try {
    if (opts.format === 'csv') write(stringify([[...CSV_COLUMNS]]));
    let afterSeq = 0;
    for (;;) {
      const events = await store.audit.list({ from: opts.from, to: opts.to, afterSeq, limit: PAGE });
      if (events.length === 0) break;
      write(
        opts.format === 'csv'
          ? stringify(events.map(csvRow))
          : events.map((e) => `${JSON.stringify(e)}\n`).join(''),
      );
      afterSeq = events[events.length - 1]!.seq;
      if (events.length < PAGE) break;
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
    await store.close();
  }
}

export function register(cli: Command): void {
  const audit = cli
    .command('audit')
    .description('the tamper-evident audit trail: verify the chain, export a period');

  audit
    .command('verify')
    .description(
      'recompute the hash chain, check it against the signed checkpoints and every record against the event that wrote it; exit 1 naming the first fault',
    )
    .option('--data <dir>', DATA_HELP)
    .option(
      '--unanchored',
      'check the store alone, without the signing key ($OVERT_AUDIT_KEY, else <data>.audit/signing-key.pem) and checkpoints ($OVERT_AUDIT_CHECKPOINTS)',
    )
    .action(verify);

  audit
    .command('export')
    .description('write the audit events of a period as CSV or JSON lines')
    .option('--data <dir>', DATA_HELP)
    .option('--from <iso>', 'events at or after this day or instant (ISO 8601)')
    .option('--to <iso>', 'events before this day or instant (ISO 8601)')
    .requiredOption('--format <format>', 'csv or jsonl')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(exportTrail);
}
