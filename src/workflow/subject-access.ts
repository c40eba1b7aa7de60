import type { AuditProjection } from './audit-projection';
import { readChildRecord, type ChildRecord, type ReadChildInput } from './child-record';
import type { Outcome, Deps } from './types';

/** A child's subject-access export (UK GDPR Art. 15): the whole record and its audit events, for information
 * governance or the service manager; the export is itself recorded (`record.export`). */
export function subjectAccess(
  deps: Deps,
  projection: AuditProjection,
  input: ReadChildInput,
): Promise<Outcome<ChildRecord>> {
  return readChildRecord(deps, projection, input, 'record.export', [
    'information-governance',
    'service-manager',
  ]);
}
