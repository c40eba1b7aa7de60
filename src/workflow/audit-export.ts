import { onlyRoles } from '../vocabulary';
import { z } from 'zod';
import type { AuditEvent } from '../store/audit';
import type { Staff } from '../store/records';
import { actor, cmdOf, commit, teamProfile } from './context';
import { mayRead } from './child-record';
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
  if (!READERS.includes(staff.value.role)) return fail('FORBIDDEN', onlyRoles(READERS));
  const events = await deps.store.audit.list({ from: i.from, to: i.to, limit: MAX + 1 });
  if (events.length > MAX)
    return fail('INVALID_INPUT', `to: more than ${MAX} events: choose a shorter period`, 'to');
  const shown = await asViewable(deps, staff.value, events);
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
        details: { from: i.from, to: i.to, events: events.length, withheld: shown.withheld },
      },
    ],
    { events: events.length },
  );
  if ('conflict' in r || !r.ok) return fail('CONFLICT', 'the export could not be recorded: retry');
  return ok(shown.events);
}

/** Kinds of record that belong to one child (each carries `childId`). */
const CHILD_KINDS = new Set<string>([
  'request',
  'check',
  'decision',
  'consent',
  'objection',
  'ripa',
  'reminder',
]);
const UNKNOWN_CHILD = '\u0000unknown';
/** What a withheld event shows in place of its details (and of a child's id as its target). */
export const WITHHELD = 'withheld: not yours to see';

/**
 * The export follows the same view rules as the tab: an event about a child whose record the reader may not
 * see (not their team, or the profile refuses their role, as Nottinghamshire refuses the administrator) keeps
 * its sequence, time, actor, action, outcome, clauses and hash; its details, and a child's id as its target,
 * are withheld, and the text in their place names no child. An event about a record whose child cannot be
 * found is withheld too (fail closed).
 */
async function asViewable(
  deps: Deps,
  staff: Staff,
  events: AuditEvent[],
): Promise<{ events: AuditEvent[]; withheld: number }> {
  const childOfRecord = new Map<string, Map<string, string>>();
  const childOf = async (e: AuditEvent): Promise<string | undefined> => {
    if (e.target.kind === 'child') return e.target.id;
    const d = (e.details ?? {}) as Record<string, unknown>;
    if (typeof d.childId === 'string') return d.childId;
    const [kind, id] = CHILD_KINDS.has(e.target.kind)
      ? [e.target.kind, e.target.id]
      : typeof d.requestId === 'string'
        ? ['request', d.requestId]
        : [undefined, undefined];
    if (!kind || !id) return undefined;
    let ids = childOfRecord.get(kind);
    if (!ids) {
      const all = await deps.store.query(kind as 'request');
      ids = new Map(all.map((x) => [x.record.id, (x.record as { childId: string }).childId]));
      childOfRecord.set(kind, ids);
    }
    return ids.get(id) ?? UNKNOWN_CHILD;
  };
  const verdicts = new Map<string, Promise<boolean>>();
  /** Whether this reader may see this child's record (an unknown child or team: no, fail closed). */
  const maySee = (childId: string): Promise<boolean> => {
    let v = verdicts.get(childId);
    if (!v) {
      v = (async () => {
        const child = childId === UNKNOWN_CHILD ? undefined : await deps.store.get('child', childId);
        if (!child) return false;
        const teamAndProfile = await teamProfile(deps, child.record.teamId);
        if (!teamAndProfile.ok) return false;
        return (await mayRead(deps, staff, child.record, teamAndProfile.value.profile)).ok;
      })();
      verdicts.set(childId, v);
    }
    return v;
  };
  let withheld = 0;
  const out: AuditEvent[] = [];
  for (const e of events) {
    const childId = await childOf(e);
    if (childId === undefined || (await maySee(childId))) out.push(e);
    else {
      withheld += 1;
      // The reason for withholding names no child: neither its case reference nor its id (a child's id may be
      // its case reference), in the details or as the target.
      out.push({
        ...e,
        target: e.target.kind === 'child' ? { kind: 'child', id: WITHHELD } : e.target,
        details: { withheld: WITHHELD },
      });
    }
  }
  return { events: out, withheld };
}
