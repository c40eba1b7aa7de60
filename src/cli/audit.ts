import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { CommanderError, type Command } from 'commander';
import { z } from 'zod';
import type { AuditEvent } from '../store/audit';
import { Anchor, anchorPaths, checkpointsSettingProblem, unanchoredProblem } from '../store/anchor';
import { verifyTrail, type AuditGuard } from '../store/integrity';
import type { Kind } from '../store/records';
import { isSealedAnswer, openAnswer, sealProblem, SEALED } from '../store/rows';
import { openGuarded, openStore, sqliteFile, storeOptions, type StoreOptions } from '../store/open';
import { IsoDate } from '../store/records';
import type { Store, Write } from '../store/store';
import { csvRecords } from '../util/csv';
import { plural } from '../util/plural';

/** `overt audit verify|export`: check the tamper-evident chain, or write a period out as CSV or JSON lines. */

const DATA_HELP =
  'the SQLite data folder (default: $OVERT_DATA, else ./.data); for a SharePoint store, where its signing key and checkpoints are kept (<data>.audit/)';
const STORE_HELP =
  'sqlite or graph (SharePoint lists; default: $OVERT_STORE, else sqlite; --site implies graph)';
const SITE_HELP = 'the SharePoint site of a graph store (default: $OVERT_GRAPH_SITE)';

type Where = { data?: string; store?: string; site?: string; graphUrl?: string; caFile?: string };

/**
 * Which store the command reads: `--store`/`--site` on the command line, else OVERT_STORE and
 * OVERT_GRAPH_SITE. `--data` is never ignored silently: for a SharePoint store it only says where the
 * signing key is kept, so a command that has no use for that refuses it (`dataUse: 'none'`).
 */
function where(opts: Where, dataUse: 'anchor' | 'none'): StoreOptions & { label: string } {
  const kind = opts.store ?? (opts.site ? 'graph' : (process.env.OVERT_STORE ?? 'sqlite'));
  if (kind !== 'sqlite' && kind !== 'graph')
    return fail(2, `--store: ${kind} is not a store: sqlite or graph`);
  if (kind === 'sqlite' && (opts.site || opts.graphUrl || opts.caFile))
    return fail(
      2,
      `${opts.site ? '--site' : opts.graphUrl ? '--graph-url' : '--ca-file'} is for a SharePoint store (--store graph), not SQLite`,
    );
  if (kind === 'graph' && opts.data !== undefined && dataUse === 'none')
    return fail(
      2,
      `--data ${opts.data}: this command reads the SharePoint store (${opts.site ?? process.env.OVERT_GRAPH_SITE ?? 'OVERT_GRAPH_SITE'}), not a data folder; drop --data, or pass --store sqlite to read the SQLite store in it`,
    );
  const options = storeOptions(opts.data, { ...process.env, OVERT_STORE: kind });
  if (!options.ok) return fail(2, options.error.message);
  if (kind === 'sqlite') return { ...options.value, label: `the SQLite store in ${options.value.dataDir}` };
  const site = opts.site ?? process.env.OVERT_GRAPH_SITE;
  if (!site) return fail(2, 'a SharePoint store needs its site: --site <url> or OVERT_GRAPH_SITE');
  return {
    ...options.value,
    graph: {
      siteUrl: site,
      ...(opts.graphUrl ? { graphUrl: opts.graphUrl } : {}),
      ...(opts.caFile ? { caFile: opts.caFile } : {}),
    },
    label: `the SharePoint store at ${site}`,
  };
}

function storeOptionsOn(c: Command, dataHelp = DATA_HELP): Command {
  return c
    .option('--data <dir>', dataHelp)
    .option('--store <kind>', STORE_HELP)
    .option('--site <url>', SITE_HELP)
    .option('--graph-url <url>', 'a Graph endpoint other than https://graph.microsoft.com (the local server)')
    .option('--ca-file <path>', 'a CA certificate (PEM) to trust, for the local server');
}
const PAGE = 500;

/** Writes a message to stderr and ends the command with this exit code. */
function fail(exitCode: number, message: string): never {
  process.stderr.write(`overt: ${message}\n`);
  throw new CommanderError(exitCode, 'overt.audit', message);
}

/**
 * `--by` and `--reason` of a step recorded as an audit event (`adopt`, `seal`): each must say something. An empty
 * one is refused in a sentence naming the option, before anything is opened (was a raw schema dump after).
 */
function wordsOf(command: string, opts: { by: string; reason: string }): void {
  const bad = [
    ...(opts.by.trim() === '' ? ['--by needs the name of the person doing it'] : []),
    ...(opts.reason.trim() === '' ? ['--reason needs a few words saying why'] : []),
  ];
  if (bad.length > 0)
    fail(2, `audit ${command}: ${bad.join('; ')} (both are kept in the audit event); nothing was written`);
}

/** Opens the store of an existing data folder; a missing one is a mistake, not an empty trail. */
async function openExisting(options: StoreOptions, how: { readonly?: boolean } = {}): Promise<Store> {
  const { dataDir, kind } = options;
  if (kind === 'sqlite' && !existsSync(sqliteFile(dataDir))) {
    return fail(
      2,
      `no Overt data in ${dataDir} (expected ${sqliteFile(dataDir)}); pass --data DIR or set OVERT_DATA (or --store graph --site URL for a SharePoint store)`,
    );
  }
  const opened = await openStore(options, process.env, how);
  if (!opened.ok) return fail(2, opened.error.message);
  return opened.value;
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
  return [
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
}

const ExportOptions = z.object({
  data: z.string().optional(),
  store: z.string().optional(),
  site: z.string().optional(),
  graphUrl: z.string().optional(),
  caFile: z.string().optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  format: z.enum(['csv', 'jsonl'], { error: 'format is csv or jsonl' }),
  out: z.string().min(1).optional(),
});

async function verify(opts: Where & { unanchored?: boolean; witness?: string[] }): Promise<void> {
  const options = where(opts, opts.unanchored ? 'none' : 'anchor');
  let anchor: Anchor | undefined;
  if (!opts.unanchored) {
    const settings = checkpointsSettingProblem(options.kind, process.env);
    if (settings) return fail(2, settings);
    const paths = anchorPaths(options.dataDir);
    const opened = Anchor.open(paths, { create: false });
    if (!opened.ok) return fail(2, `${opened.message}; or pass --unanchored to check the store alone`);
    anchor = opened.anchor;
    if (options.kind === 'graph')
      process.stdout.write(`checking ${options.label} against the checkpoints in ${paths.checkpointsFile}\n`);
  }
  // Read only: verify changes nothing it checks (a trigger missing is reported, not put back; a SharePoint
  // unit under way is left for the service to finish).
  const store = await openExisting(options, { readonly: true });
  try {
    const witnesses = opts.witness ?? [];
    const result = await verifyTrail(store, anchor ? { anchor, witnesses } : {});
    if (result.ok) {
      const signed = result.latest
        ? `, anchored by ${plural(result.checkpoints ?? 0, 'signed checkpoint')} (the latest counts ${result.latest.count} at ${result.latest.at})`
        : anchor
          ? ''
          : ' (not anchored: checked against the store alone)';
      process.stdout.write(
        `audit chain intact: ${plural(result.count, 'event')}${signed}; ${plural(result.records, 'record')} ${result.records === 1 ? 'matches the event that wrote it' : 'match the events that wrote them'}\n`,
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

/**
 * `overt audit adopt`: the one way to anchor here a trail that holds events no checkpoint here vouches for
 * (the checkpoints file lost, or the trail moved). Only once the chain alone verifies; the adoption is itself an
 * audit event naming who did it and why, and the first checkpoint is signed over it. Never done by a start.
 */
async function adopt(opts: Where & { by: string; reason: string }): Promise<void> {
  wordsOf('adopt', opts);
  const options = where(opts, 'anchor');
  const settings = checkpointsSettingProblem(options.kind, process.env);
  if (settings) return fail(2, settings);
  const paths = anchorPaths(options.dataDir);
  const store = await openExisting(options);
  let count: number;
  let unsealed: Unsealed;
  try {
    const existing = Anchor.open(paths, { create: false });
    if (existing.ok) {
      const problem = await unanchoredProblem(existing.anchor, store.audit);
      // Or a trail from before seals whose events no checkpoint of exactly their count vouches for (audit.ts).
      const unvouched =
        !problem &&
        (await verifyTrail(store, { anchor: existing.anchor, records: false }).then(
          (r) => !r.ok && r.unvouched === true,
        ));
      if (!problem && !unvouched)
        return fail(
          1,
          `nothing to adopt: the trail already has checkpoints in ${paths.checkpointsFile} that vouch for its events (or no events); run overt audit verify`,
        );
    }
    const chain = await verifyTrail(store, {});
    if (!chain.ok) {
      process.stdout.write(
        `audit trail broken${chain.seq === undefined ? '' : ` at event ${chain.seq}`}: ${chain.reason}; not adopted\n`,
      );
      throw new CommanderError(1, 'overt.audit.broken', 'audit trail broken');
    }
    count = chain.count;
    // A trail adopted is a store taken on as it is: what it holds unsealed, or sealed with a key this one is
    // not, is sealed with it (below).
    const key = Anchor.open(paths, { create: false });
    unsealed = key.ok ? await unsealedIn(store, key.anchor) : { rows: [], answers: [] };
  } finally {
    await store.close();
  }
  if (!existsSync(paths.keyFile))
    return fail(
      2,
      `OVERT_AUDIT_KEY: no audit signing key at ${paths.keyFile}: make it first with overt audit keygen${(process.env.OVERT_AUDIT_KEY ?? '').trim() ? '' : ` --data ${options.dataDir}`}, then adopt the trail with it (only keygen makes a key). Nothing was adopted`,
    );
  const opened = await openGuarded(options, process.env, { create: false, adopt: true });
  if (!opened.ok) return fail(2, opened.error.message);
  const { store: guarded, guard } = opened.value;
  try {
    const r = await guarded.commit({
      key: `audit.adopt:${randomUUID()}`,
      at: new Date().toISOString(),
      writes: [],
      audit: [
        {
          actor: { id: opts.by },
          action: 'audit.adopt',
          target: { kind: 'audit', id: 'trail' },
          outcome: 'adopted',
          details: {
            events: count,
            checkpoints: paths.checkpointsFile,
            keyId: guard.anchor!.keyId,
            reason: opts.reason,
          },
        },
      ],
    });
    if (r.status !== 'committed') return fail(1, 'the adoption could not be recorded; nothing was anchored');
    if (unsealed.rows.length > 0 || unsealed.answers.length > 0)
      await sealUnsealed(guarded, guard, unsealed, { by: opts.by, reason: opts.reason }, true);
  } finally {
    await guarded.close();
  }
  process.stdout.write(
    `audit trail adopted: ${plural(count, 'event')} verified by the chain alone, the adoption recorded as event ${count + 1}, and checkpoints signed in ${paths.checkpointsFile}\n`,
  );
}

/** What a store written before seals holds unsealed: rows of the kinds written with no event, as read (with
 * their versions), and the keys of the answers kept with no seal (rows.ts). Read from the store unguarded. */
type Unsealed = {
  rows: { kind: Kind; record: { id: string }; version: string }[];
  answers: string[];
  /** Whether any row or kept answer read carries a seal (the store was written by a version with seals). */
  anySealed?: boolean;
};

async function unsealedIn(store: Store, anchor?: Anchor): Promise<Unsealed> {
  // With the anchor (an adoption under a new key): also what another key sealed, which this one cannot vouch for.
  const rows: Unsealed['rows'] = [];
  let anySealed = false;
  for (const kind of SEALED)
    for (const { record, version } of await store.query(kind)) {
      const sealed = (record as { seal?: string }).seal !== undefined;
      anySealed ||= sealed;
      if (anchor ? sealProblem(kind, record, anchor.rowSealOf) !== undefined : !sealed)
        rows.push({ kind, record, version });
    }
  const answers: string[] = [];
  for (const [key, kept] of (await store.unitAnswers?.()) ?? new Map<string, unknown>()) {
    const sealed = isSealedAnswer(kept);
    anySealed ||= sealed;
    if (anchor ? !openAnswer(key, kept, anchor.rowSealOf).ok : !sealed) answers.push(key);
  }
  return { rows, answers, anySealed };
}

/** The first few of what is unsealed, by kind and id (an answer by its key), for a message. */
function describeUnsealed(u: Unsealed): string {
  const named = [
    ...u.rows.map((r) => `${r.kind} ${r.record.id}`),
    ...u.answers.map((k) => `the answer kept under ${k}`),
  ];
  return named.length > 5 ? `${named.slice(0, 5).join(', ')} and ${named.length - 5} more` : named.join(', ');
}

/** Rows a seal event writes again at most (its record of them must fit one SharePoint item). */
const SEAL_PART = 100;

/**
 * Seals what a store written before seals holds unsealed, through the guard (which seals each row it writes
 * and each answer it keeps): each part of at most SEAL_PART rows is one unit with an `audit.seal` event naming
 * who and why (the event's record of the rows it wrote is the trail's record that they exist); then the
 * answers. Returns the events' sequence numbers.
 */
async function sealUnsealed(
  store: Store,
  guard: AuditGuard,
  unsealed: Unsealed,
  who: { by: string; reason: string },
  again = false,
): Promise<number[]> {
  const parts: Unsealed['rows'][] = [];
  for (let i = 0; i < unsealed.rows.length; i += SEAL_PART) parts.push(unsealed.rows.slice(i, i + SEAL_PART));
  if (parts.length === 0) parts.push([]);
  const kinds = (rows: Unsealed['rows']) =>
    Object.fromEntries(
      [...SEALED].map((k) => [k, rows.filter((r) => r.kind === k).length]).filter(([, n]) => n),
    );
  const seqs: number[] = [];
  const batch = randomUUID();
  for (const [i, part] of parts.entries()) {
    const r = await store.commit({
      key: `audit.seal:${batch}:${i}`,
      at: new Date().toISOString(),
      writes: part.map((p) => ({ kind: p.kind, record: p.record, ifVersion: p.version }) as Write),
      audit: [
        {
          actor: { id: who.by },
          action: 'audit.seal',
          target: { kind: 'audit', id: 'trail' },
          outcome: 'sealed',
          details: {
            reason: who.reason,
            part: i + 1,
            parts: parts.length,
            rows: kinds(part),
            // Which rows, by kind and id: the trail then says what this sealing vouched for.
            ids: part.map((p) => `${p.kind} ${p.record.id}`),
            ...(i === 0 ? { answers: unsealed.answers.length, rowsInAll: kinds(unsealed.rows) } : {}),
          },
        },
      ],
    });
    if (r.status !== 'committed')
      return fail(
        1,
        r.status === 'conflict'
          ? `${r.kind} ${r.id} changed while it was being sealed (is the service running on this store?); run overt audit seal again`
          : 'the sealing could not be recorded; nothing more was sealed',
      );
    seqs.push(r.events[0]!.seq);
  }
  await guard.sealAnswers(unsealed.answers, again);
  return seqs;
}

/**
 * `overt audit seal`: the one way to seal what a store written before seals holds unsealed (rows written with
 * no event, the answers kept under commands' keys): only once the trail verifies in every other way; recorded
 * as `audit.seal` events naming who did it and why. A row or answer whose seal does not match is never
 * sealed again: that stays a break. Never done by a start.
 */
async function seal(opts: Where & { by: string; reason: string }): Promise<void> {
  wordsOf('seal', opts);
  const options = where(opts, 'anchor');
  const settings = checkpointsSettingProblem(options.kind, process.env);
  if (settings) return fail(2, settings);
  const paths = anchorPaths(options.dataDir);
  const anchored = Anchor.open(paths, { create: false });
  if (!anchored.ok) return fail(2, anchored.message);
  const raw = await openExisting(options);
  let unsealed: Unsealed;
  try {
    const report = await verifyTrail(raw, { anchor: anchored.anchor, allowUnsealed: true });
    if (!report.ok) {
      process.stdout.write(
        `audit trail broken${report.seq === undefined ? '' : ` at event ${report.seq}`}: ${report.reason}; nothing was sealed\n`,
      );
      throw new CommanderError(1, 'overt.audit.broken', 'audit trail broken');
    }
    unsealed = await unsealedIn(raw);
    // A store written before seals carries no seal at all. One that carries some was written by a version that
    // seals everything it writes, so what it holds unsealed was written outside Overt: sealing it would vouch
    // for a forgery (a conversation reference pointing someone's cards elsewhere, an answer handed to the
    // wrong person). That stays a break, for a backup to mend.
    if ((unsealed.rows.length > 0 || unsealed.answers.length > 0) && unsealed.anySealed) {
      process.stdout.write(
        `not sealed: this store was written with seals, so ${unsealed.rows.length} ${unsealed.rows.length === 1 ? 'row' : 'rows'} and ${unsealed.answers.length} kept ${unsealed.answers.length === 1 ? 'answer' : 'answers'} with none were written outside Overt (${describeUnsealed(unsealed)}); overt audit seal is only for a store from before seals. Restore them from a backup; overt audit verify names them. Nothing was sealed\n`,
      );
      throw new CommanderError(1, 'overt.audit.broken', 'unsealed rows in a sealed store');
    }
  } finally {
    await raw.close();
  }
  if (unsealed.rows.length === 0 && unsealed.answers.length === 0)
    return fail(
      1,
      'nothing to seal: every row and kept answer already carries the audit key’s seal; run overt audit verify',
    );
  const opened = await openGuarded(options, process.env, { create: false, seal: true });
  if (!opened.ok) return fail(2, opened.error.message);
  let seqs: number[];
  try {
    seqs = await sealUnsealed(opened.value.store, opened.value.guard, unsealed, opts);
  } finally {
    await opened.value.store.close();
  }
  process.stdout.write(
    `sealed ${unsealed.rows.length} ${unsealed.rows.length === 1 ? 'row' : 'rows'} written with no audit event and ${unsealed.answers.length} kept ${unsealed.answers.length === 1 ? 'answer' : 'answers'}, recorded as event ${seqs.join(', ')}; overt audit verify checks them from now on\n`,
  );
}

/**
 * `overt audit keygen`: the deliberate step that makes the audit trail's signing key, once, at OVERT_AUDIT_KEY
 * (with an empty checkpoints file at OVERT_AUDIT_CHECKPOINTS). The production start never makes a key, so two
 * instances starting together can never make two; and this refuses a key that is already there (a new one
 * could not vouch for what the old one signed). Two run at once make one key: the file is linked into place
 * whole, and the second is told a key is already there.
 */
export function makeAuditKey(
  env: NodeJS.ProcessEnv,
  data?: string,
): { ok: true; message: string } | { ok: false; code: number; message: string } {
  const named = (env.OVERT_AUDIT_KEY ?? '').trim();
  // A local SQLite data folder named with --data: the key beside it, where every command looks by default.
  const beside = !named && data !== undefined && (env.OVERT_STORE ?? 'sqlite') === 'sqlite';
  if (!named && !beside)
    return {
      ok: false,
      code: 2,
      message:
        "OVERT_AUDIT_KEY: not set: the file to make the audit trail's signing key in (outside the data folder, where the store's administrators cannot write; every instance is given this same file). For a local SQLite data folder, --data <dir> makes it beside the folder, where the commands look by default",
    };
  const paths = anchorPaths(data ?? ((env.OVERT_DATA ?? '').trim() || '.data'), env);
  const key = named || paths.keyFile;
  const already = `OVERT_AUDIT_KEY: a key is already at ${key}: keep it (a new key could not vouch for the checkpoints signed with this one)`;
  if (existsSync(key)) return { ok: false, code: 1, message: already };
  // Checkpoints already kept were signed by another key: a new one could not vouch for them, and every write
  // signed with it would break the trail for the instances holding the right key.
  if (existsSync(paths.checkpointsFile) && statSync(paths.checkpointsFile).size > 0)
    return {
      ok: false,
      code: 1,
      message: `OVERT_AUDIT_KEY: checkpoints signed with another key are already at ${paths.checkpointsFile}: a new key could not vouch for them. Point OVERT_AUDIT_KEY at the key that signed them (the one every instance is given); a new key goes with a new OVERT_AUDIT_CHECKPOINTS file for a new store only`,
    };
  const made = Anchor.open(paths, { create: true });
  if (!made.ok) return { ok: false, code: 1, message: made.message };
  if (!made.created) return { ok: false, code: 1, message: already };
  return {
    ok: true,
    message: `audit signing key made at ${paths.keyFile} (key id ${made.anchor.keyId}); checkpoints will be signed into ${paths.checkpointsFile}. Give every instance and every overt command these same two files.`,
  };
}

function keygen(opts: { data?: string }): void {
  const made = makeAuditKey(process.env, opts.data);
  if (!made.ok) return fail(made.code, made.message);
  process.stdout.write(`${made.message}\n`);
}

async function exportTrail(raw: unknown): Promise<void> {
  const parsed = ExportOptions.safeParse(raw);
  if (!parsed.success) return fail(2, `audit export: ${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  const store = await openExisting(where(opts, 'none'));
  const fd = opts.out === undefined ? undefined : openSync(opts.out, 'w');
  const write = (text: string) => (fd === undefined ? process.stdout.write(text) : writeSync(fd, text));
  try {
    if (opts.format === 'csv') write(csvRecords([CSV_COLUMNS]));
    let afterSeq = 0;
    for (;;) {
      const events = await store.audit.list({ from: opts.from, to: opts.to, afterSeq, limit: PAGE });
      if (events.length === 0) break;
      write(
        opts.format === 'csv'
          ? csvRecords(events.map(csvRow))
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

  storeOptionsOn(
    audit
      .command('verify')
      .description(
        'recompute the hash chain, check it against the signed checkpoints and every record against the event that wrote it; exit 1 naming the first fault. The SQLite store in --data, or a SharePoint store (--store graph --site URL)',
      ),
  )
    .option(
      '--unanchored',
      'check the store alone, without the signing key ($OVERT_AUDIT_KEY, else <data>.audit/signing-key.pem) and checkpoints ($OVERT_AUDIT_CHECKPOINTS)',
    )
    .option(
      '--witness <file...>',
      "the service's saved log (JSON lines): the checkpoints it logged are read beside the checkpoints file and $OVERT_AUDIT_WITNESS, so a trail cut together with the checkpoints file is found",
    )
    .action(verify);

  storeOptionsOn(
    audit
      .command('adopt')
      .description(
        'anchor here a trail that has events but no checkpoints this service can see (the checkpoints file lost or moved): only after the chain alone verifies (overt audit verify --unanchored); recorded as an audit event, then the first checkpoint is signed. Never done by a start',
      ),
  )
    .requiredOption('--by <name>', 'who verified the trail and adopts it (kept in the audit event)')
    .requiredOption('--reason <text>', 'why the checkpoints were missing (kept in the audit event)')
    .action(adopt);

  storeOptionsOn(
    audit
      .command('seal')
      .description(
        'seal what a store written by a version of Overt before seals holds unsealed (rows written with no audit event, the answers kept under commands’ keys), which Overt otherwise refuses: only once overt audit verify names nothing else; recorded as an audit event. Never done by a start',
      ),
  )
    .requiredOption('--by <name>', 'who checked the store and seals it (kept in the audit event)')
    .requiredOption('--reason <text>', 'why the store holds unsealed rows (kept in the audit event)')
    .action(seal);

  audit
    .command('keygen')
    .description(
      "make the audit trail's signing key at $OVERT_AUDIT_KEY, once, before the first start (no start and no other command makes one), with an empty checkpoints file at $OVERT_AUDIT_CHECKPOINTS; refuses if a key is already there",
    )
    .option(
      '--data <dir>',
      'a local SQLite data folder: without OVERT_AUDIT_KEY, the key is made beside it (<dir>.audit/signing-key.pem), where every command looks by default',
    )
    .action(keygen);

  storeOptionsOn(
    audit
      .command('export')
      .description(
        'write the audit events of a period as CSV or JSON lines, from the SQLite store in --data or a SharePoint store (--store graph --site URL)',
      ),
    'the SQLite data folder (default: $OVERT_DATA, else ./.data); not for a SharePoint store',
  )
    .option('--from <iso>', 'events at or after this day or instant (ISO 8601)')
    .option('--to <iso>', 'events before this day or instant (ISO 8601)')
    .requiredOption('--format <format>', 'csv or jsonl')
    .option('--out <file>', 'write to this file instead of standard output')
    .action(exportTrail);
}
