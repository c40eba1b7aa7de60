import { z } from 'zod';
import type { AuditEvent } from '../store/audit';
import type { Child, Staff, Team } from '../store/records';
import type { Profile } from '../policy/profile';
import { actor, canActForTeam, cmdOf, commit, getOr, refuse, replayed, teamProfile } from './context';
import { Id, Key, parse } from './input';
import type { AuditProjection } from './audit-projection';
import { decisionAudit } from './decision-record';
import { policyActor, verdictFor } from './policy-facts';
import { fail, ok, type Deps, type Outcome } from './types';
import { citations } from '../vocabulary';

/**
 * Reading one child's whole record: the policy's `view-history` action decides who may (a member of the
 * child's team, or a role that spans teams, and whatever the profile says), and every read is itself on the
 * record: an audit event (`record.view`, `record.export`) in the access log. A refusal is audited too.
 */

export const ReadChildInput = z.object({ key: Key, actorId: Id, childId: Id });
export type ReadChildInput = z.input<typeof ReadChildInput>;

export interface ChildRecord {
  child: Child;
  team: Team;
  profile: { id: string; version: string; name: string };
  requests: Awaited<ReturnType<typeof gather>>['requests'];
  decisions: Awaited<ReturnType<typeof gather>>['decisions'];
  checks: Awaited<ReturnType<typeof gather>>['checks'];
  consents: Awaited<ReturnType<typeof gather>>['consents'];
  reminders: Awaited<ReturnType<typeof gather>>['reminders'];
  objections: Awaited<ReturnType<typeof gather>>['objections'];
  ripas: Awaited<ReturnType<typeof gather>>['ripas'];
  /** The child's audit events (refusals, views, exports …), oldest first. */
  events: AuditEvent[];
  /** The clauses the read rests on. */
  cites: string[];
  reader: Pick<Staff, 'id' | 'name' | 'role'>;
}

async function gather(deps: Deps, childId: string) {
  const where = { childId };
  const [requests, decisions, checks, consents, reminders, objections, ripas] = await Promise.all([
    deps.store.query('request', { where }),
    deps.store.query('decision', { where }),
    deps.store.query('check', { where }),
    deps.store.query('consent', { where }),
    deps.store.query('reminder', { where }),
    deps.store.query('objection', { where }),
    deps.store.query('ripa', { where }),
  ]);
  const r = <T>(xs: { record: T }[]) => xs.map((x) => x.record);
  return {
    requests: r(requests),
    decisions: r(decisions),
    checks: r(checks),
    consents: r(consents),
    reminders: r(reminders),
    objections: r(objections),
    ripas: r(ripas),
  };
}

/** May this member of staff read this child's record? A refusal as a value, not yet audited. The audit
 * export asks it too, for each child its events are about. */
export async function mayRead(
  deps: Deps,
  staff: Staff,
  child: Child,
  profile: Profile,
): Promise<
  | { ok: true; cites: string[]; audit: ReturnType<typeof decisionAudit> }
  | { ok: false; message: string; audit?: ReturnType<typeof decisionAudit> }
> {
  if (!canActForTeam(staff, child.teamId))
    return { ok: false, message: 'childId: this child is not a child of your team' };
  const verdict = await verdictFor(deps, profile, child, { type: 'view-history', by: policyActor(staff) });
  if (verdict.outcome !== 'allow')
    return {
      ok: false,
      message: verdict.cites.length
        ? `${verdict.explanation} (${citations(verdict.cites, profile)})`
        : verdict.explanation,
      audit: decisionAudit(verdict),
    };
  return { ok: true, cites: [...verdict.cites], audit: decisionAudit(verdict) };
}

/** A sitting: reads of one child's record by one person within this long of their last are one entry. */
export const SITTING_MS = 30 * 60_000;

export async function readChildRecord(
  deps: Deps,
  projection: AuditProjection,
  input: ReadChildInput,
  action: 'record.view' | 'record.export',
  roles?: readonly Staff['role'][],
): Promise<Outcome<ChildRecord>> {
  const parsed = parse(ReadChildInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const c = cmdOf(action, i);
  const again = await replayed<{ childId: string }>(deps, c);
  if (again) return fail('CONFLICT', 'key: this idempotency key was used for another command', 'key');
  const staff = await actor(deps, i.actorId);
  if (!staff.ok) return staff;
  const found = await getOr(deps, 'child', i.childId, 'childId');
  if (!found.ok) return found;
  const child = found.value.record;
  const teamAndProfile = await teamProfile(deps, child.teamId);
  if (!teamAndProfile.ok) return teamAndProfile;
  const who = { id: staff.value.id, role: staff.value.role };
  const target = { kind: 'child', id: child.id };
  const base = {
    profileId: teamAndProfile.value.profile.id,
    profileVersion: teamAndProfile.value.profile.version,
  };
  const may: Awaited<ReturnType<typeof mayRead>> =
    roles && !roles.includes(staff.value.role)
      ? { ok: false, message: `only ${roles.join(', ')} can do this` }
      : await mayRead(deps, staff.value, child, teamAndProfile.value.profile);
  if (!may.ok)
    return refuse(
      deps,
      c,
      {
        actor: who,
        action,
        target,
        ...base,
        ...(may.audit ?? {}),
        details: { ...(may.audit?.details as object), childId: child.id, teamId: child.teamId },
      },
      { code: 'FORBIDDEN', message: may.message, field: 'childId' },
    );
  const [records] = await Promise.all([gather(deps, child.id), projection.sync()]);
  // One "Record viewed" per person per child per sitting: a view within SITTING_MS of their last is not
  // written again (exports always are).
  const now = deps.clock().getTime();
  const sitting =
    action === 'record.view' &&
    projection
      .childEvents(child.id)
      .some(
        (e) =>
          e.action === 'record.view' &&
          e.outcome === 'allow' &&
          e.actor.id === staff.value.id &&
          now - Date.parse(e.at) < SITTING_MS &&
          now >= Date.parse(e.at),
      );
  const r = sitting
    ? ({ ok: true } as const)
    : await commit(
        deps,
        c,
        [],
        [
          {
            actor: who,
            action,
            target,
            ...may.audit,
            outcome: 'allow',
            details: { ...(may.audit.details as object), childId: child.id, teamId: child.teamId },
          },
        ],
        { childId: child.id },
      );
  if ('conflict' in r || !r.ok) return fail('CONFLICT', 'the read could not be recorded: retry');
  await projection.sync();
  const { profile, team } = teamAndProfile.value;
  return ok({
    child,
    team,
    profile: { id: profile.id, version: profile.version, name: profile.name },
    ...records,
    events: [...projection.childEvents(child.id)],
    cites: may.cites,
    reader: { id: staff.value.id, name: staff.value.name, role: staff.value.role },
  });
}
