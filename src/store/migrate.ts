import type { AuditEvent } from './audit';
import { existingIds, existingUnitKeys, importEvents, importRecords, importUnits } from './graph/import';
import type { GraphStore } from './graph/graph-store';
import { kinds, type Kind } from './records';
import type { SqliteStore } from './sqlite/sqlite-store';

/**
 * `overt migrate --from sqlite --to graph`: a local service moved into SharePoint whole — every record of
 * every kind, every audit event with its seq and hashes (so the chain verifies the same), and every
 * committed unit's result (so a retried command still replays).
 *
 * Resumable and idempotent: what the site already holds is read first (record ids per kind, the events
 * page by page, the unit keys) and only what is missing is sent, so a run that was cut off (a process
 * killed, a connection gone) is finished by running the same command again, and a run over a finished
 * site copies nothing. What is there must have come from this source: a record id the source lacks, or
 * an event whose hash differs from the source's at its seq, stops it, naming what. Progress is reported
 * as it goes (at most every two seconds per step, and at each step's end).
 */
export interface MigrationReport {
  records: Partial<Record<Kind, number>>;
  events: number;
  units: number;
  /** How many items this run sent (records, events and units); 0 when the site was already complete. */
  copied: number;
}

const PAGE = 1000;

function progress(log: (s: string) => void, what: string, total: number, already: number) {
  let last = 0;
  return (done: number) => {
    const now = Date.now();
    if (done < total - already && now - last < 2000) return;
    last = now;
    log(`${what}: ${already + done}/${total}`);
  };
}

export async function migrateSqliteToGraph(
  from: SqliteStore,
  to: GraphStore,
  log: (s: string) => void = () => undefined,
): Promise<MigrationReport> {
  const before = await from.audit.verify();
  if (!before.ok)
    throw new Error(
      `the source's audit chain is broken at event ${before.seq} (${before.reason}): fix or export it before migrating`,
    );
  const report: MigrationReport = { records: {}, events: 0, units: 0, copied: 0 };

  for (const kind of kinds) {
    if (kind === 'lease') continue; // leases are for running instances, not history
    const records = (await from.query(kind)).map((v) => v.record);
    const present = await existingIds(to, kind);
    const ours = new Set(records.map((r) => r.id));
    const foreign = [...present].filter((id) => !ours.has(id));
    if (foreign.length)
      throw new Error(
        `the SharePoint site holds ${foreign.length} ${kind} record(s) that this data folder does not (first: ${foreign[0]}): migrate into a freshly provisioned site, or into the one this folder was being moved to`,
      );
    const missing = records.filter((r) => !present.has(r.id));
    report.records[kind] = records.length;
    report.copied += missing.length;
    if (!records.length) continue;
    await importRecords(to, kind, missing, progress(log, kind, records.length, present.size));
    if (!missing.length) log(`${kind}: ${records.length}/${records.length} (already there)`);
  }

  let after = 0;
  const eventProgress = progress(log, 'audit events', before.count, 0);
  for (;;) {
    const page: AuditEvent[] = await from.audit.list({ afterSeq: after, limit: PAGE });
    if (!page.length) break;
    const last = page[page.length - 1]!.seq;
    const there = new Map(
      (await to.audit.list({ afterSeq: after, limit: PAGE }))
        .filter((e) => e.seq <= last)
        .map((e) => [e.seq, e.hash]),
    );
    for (const e of page) {
      const hash = there.get(e.seq);
      if (hash !== undefined && hash !== e.hash)
        throw new Error(
          `the SharePoint audit trail differs from this data folder's at event ${e.seq}: it was not migrated from here`,
        );
    }
    const missing = page.filter((e) => !there.has(e.seq));
    await importEvents(to, missing);
    report.events += page.length;
    report.copied += missing.length;
    eventProgress(report.events);
    after = last;
  }

  const units: { key: string; at: string; result: unknown }[] = [];
  for await (const u of from.units()) units.push(u);
  const keys = await existingUnitKeys(to);
  const missingUnits = units.filter((u) => !keys.has(u.key));
  await importUnits(
    to,
    missingUnits,
    progress(log, 'units', units.length, units.length - missingUnits.length),
  );
  if (!missingUnits.length) log(`units: ${units.length}/${units.length} (already there)`);
  report.units = units.length;
  report.copied += missingUnits.length;

  await to.ctx.readTail();
  const check = await to.audit.verify();
  if (!check.ok)
    throw new Error(
      `after the copy, the SharePoint audit chain fails at event ${check.seq}: ${check.reason}`,
    );
  if (check.count !== report.events)
    throw new Error(`copied ${report.events} events but SharePoint holds ${check.count}`);
  for (const kind of Object.keys(report.records) as Kind[]) {
    const n = (await to.count(kind))[0]?.count ?? 0;
    if (n !== report.records[kind])
      throw new Error(`copied ${report.records[kind]} ${kind} records but SharePoint holds ${n}`);
  }
  return report;
}
