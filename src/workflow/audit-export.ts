import { z } from 'zod';
import type { AuditEvent } from '../store/audit';
import type { Staff } from '../store/records';
import { actor, cmdOf, commit } from './context';
import { Id, Key, parse, When } from './input';
import { fail, ok, type Deps, type Outcome } from './types';

/** The audit trail for a period, for information governance, the service manager or the administrator; the
 * export is itself an audit event. */

export const AuditExportInput = z
  .object({ key: Key, actorId: Id, from: When, to: When })
  .refine((i) => Date.parse(i.from) < Date.parse(i.to), { message: 'from must be before to', path: ['to'] });
const READERS: Staff['role'][] = ['information-governance', 'service-manager', 'administrator'];
const MAX = 200_000;

export async function auditExport(
  deps: Deps,
  input: z.input<typeof AuditExportInput>,
): Promise<Outcome<AuditEvent[]>> {
  const parsed = parse(AuditExportInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const c = cmdOf('audit.export', i);
  const staff = await actor(deps, i.actorId);
  if (!staff.ok) return staff;
  if (!READERS.includes(staff.value.role))
    return fail('FORBIDDEN', `the audit export is for ${READERS.join(', ')}`);
  const events = await deps.store.audit.list({ from: i.from, to: i.to, limit: MAX + 1 });
  if (events.length > MAX)
    return fail('INVALID_INPUT', `to: more than ${MAX} events: choose a shorter period`, 'to');
  const r = await commit(
    deps,
    c,
    [],
    [
      {
        actor: { id: staff.value.id, role: staff.value.role },
        action: 'audit.export',
        target: { kind: 'audit', id: `${i.from}/${i.to}` },
        outcome: 'exported',
        details: { from: i.from, to: i.to, events: events.length },
      },
    ],
    { events: events.length },
  );
  if ('conflict' in r || !r.ok) return fail('CONFLICT', 'the export could not be recorded: retry');
  return ok(events);
}
