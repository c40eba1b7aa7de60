import type { AuditEvent } from './audit';
import { importEvents, importRecords, importUnits } from './graph/import';
import type { GraphStore } from './graph/graph-store';
import { kinds, type Kind } from './records';
import type { SqliteStore } from './sqlite/sqlite-store';

/**
 * `overt migrate --from sqlite --to graph`: a local service moved into SharePoint whole — every record of
 * every kind, every audit event with its seq and hashes (so the chain verifies the same), and every
 * committed unit's result (so a retried command still replays). The target must be empty.
 */
export interface MigrationReport {
  records: Partial<Record<Kind, number>>;
  events: number;
  units: number;
}

const PAGE = 1000;

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
  const occupied =
    (await to.audit.list({ limit: 1 })).length > 0 ||
    (await Promise.all(kinds.filter((k) => k !== 'lease').map((k) => to.count(k)))).some(
      (rows) => (rows[0]?.count ?? 0) > 0,
    );
  if (occupied)
    throw new Error(
      'the SharePoint site already holds Overt records: migrate only into a freshly provisioned site',
    );

  const report: MigrationReport = { records: {}, events: 0, units: 0 };
  for (const kind of kinds) {
    if (kind === 'lease') continue; // leases are for running instances, not history
    const records = (await from.query(kind)).map((v) => v.record);
    await importRecords(to, kind, records);
    report.records[kind] = records.length;
    if (records.length) log(`${kind}: ${records.length}`);
  }
  let after = 0;
  for (;;) {
    const page: AuditEvent[] = await from.audit.list({ afterSeq: after, limit: PAGE });
    if (!page.length) break;
    await importEvents(to, page);
    report.events += page.length;
    after = page[page.length - 1]!.seq;
  }
  log(`audit events: ${report.events}`);
  const units: { key: string; at: string; result: unknown }[] = [];
  for await (const u of from.units()) units.push(u);
  await importUnits(to, units);
  report.units = units.length;
  log(`units: ${units.length}`);

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
