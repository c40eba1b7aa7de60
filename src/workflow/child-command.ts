import type { Profile } from '../policy/profile';
import type { AuditDraft } from '../store/audit';
import type { Child, Staff, Team } from '../store/records';
import type { Write } from '../store/store';
import {
  afresh,
  canActForTeam,
  cmdOf,
  commit,
  guardChild,
  openChildCommand,
  refuse,
  STALE,
  staleChild,
  type Cmd,
  type Stale,
} from './context';
import { fail, type Deps, type Failure, type Outcome } from './types';
import { z } from 'zod';
import { Id, Key, parseGiven } from './input';

export interface ChildCtx {
  staff: Staff;
  child: Child;
  childVersion: string;
  team: Team;
  profile: Profile;
}

export interface ChildStep<T> {
  writes: Write[];
  audit: Omit<AuditDraft, 'actor' | 'action'>;
  /** Further events of the same unit, by the same actor (a request stopped with the authorisation it was
   * approved under). */
  more?: Omit<AuditDraft, 'actor'>[];
  value: T;
}

/**
 * The shape of every use case on one child (consent, reminders, objections, RIPA): who acts, on which
 * child, may they, then one unit of writes and its audit event. A refusal is audited; bad input writes nothing.
 */
export type Step<T> = ChildStep<T> | Failure;

export async function childCommand<T>(
  deps: Deps,
  i: { key: string; actorId: string; childId: string },
  action: string,
  allowed: (staff: Staff, ctx: Omit<ChildCtx, 'staff'>) => string | undefined,
  /** What the command does, once the actor may act; or the problems of the form it was given, answered then
   * (`parseGiven`: who may act before what they filled in). */
  step: ((ctx: ChildCtx) => Promise<ChildStep<T> | Failure> | ChildStep<T> | Failure) | Failure,
  command = action,
): Promise<Outcome<T>> {
  // The key answers only this person's same command with the same input (`i` is the whole parsed input).
  const { form: _form, ...given } = i as typeof i & { form?: unknown };
  const c = cmdOf(command, given);
  return afresh(() => childCommandOnce(deps, i, c, action, allowed, step));
}

async function childCommandOnce<T>(
  deps: Deps,
  i: { key: string; actorId: string; childId: string },
  c: Cmd,
  action: string,
  allowed: (staff: Staff, ctx: Omit<ChildCtx, 'staff'>) => string | undefined,
  step: ((ctx: ChildCtx) => Promise<ChildStep<T> | Failure> | ChildStep<T> | Failure) | Failure,
): Promise<Outcome<T> | Stale> {
  const opened = await openChildCommand<T>(deps, c, i, false);
  if ('done' in opened) return opened.done;
  const { staff, child, childVersion, team, profile } = opened;
  const ctx: ChildCtx = { staff, child, childVersion, team, profile };
  const who = { id: staff.id, role: staff.role };
  const target = { kind: 'child', id: ctx.child.id };
  const why = canActForTeam(staff, ctx.child.teamId)
    ? allowed(staff, ctx)
    : `childId: ${ctx.child.caseRef} is not a child of your team`;
  if (why)
    return refuse(
      deps,
      c,
      { actor: who, action, target, profileId: ctx.profile.id, profileVersion: ctx.profile.version },
      { code: 'FORBIDDEN', message: why },
    );
  const s = typeof step === 'function' ? await step(ctx) : step;
  if ('code' in s) {
    // Bad input, an unknown record and a stale card write nothing here: the surface records the refusal.
    if (s.code === 'INVALID_INPUT' || s.code === 'NOT_FOUND' || s.code === 'CONFLICT')
      return { ok: false, error: s };
    return refuse(
      deps,
      c,
      { actor: who, action, target, profileId: ctx.profile.id, profileVersion: ctx.profile.version },
      s,
    );
  }
  // Every such unit changes what the policy reads about the child: it ends with the child, at the version
  // read before anything else (the step's own change to the child, if it makes one).
  const own = s.writes.find((w) => w.kind === 'child' && w.record.id === ctx.child.id);
  const writes = [
    ...s.writes.filter((w) => w !== own),
    guardChild((own?.record as Child | undefined) ?? ctx.child, ctx.childVersion),
  ];
  const r = await commit(
    deps,
    c,
    writes,
    [
      { actor: who, ...s.audit, action, profileId: ctx.profile.id, profileVersion: ctx.profile.version },
      ...(s.more ?? []).map((m) => ({
        actor: who,
        ...m,
        profileId: ctx.profile.id,
        profileVersion: ctx.profile.version,
      })),
    ],
    s.value,
  );
  if (staleChild(r)) return STALE;
  return 'conflict' in r ? fail('CONFLICT', 'the record changed meanwhile: look again and retry') : r;
}

export const roleIn =
  (...roles: Staff['role'][]) =>
  (staff: Staff): string | undefined =>
    roles.includes(staff.role) ? undefined : `only ${roles.join(', ')} can do this`;

const ChildTarget = z.object({ key: Key, actorId: Id, childId: Id });

/** A use case on one child from a form: who acts on which child parsed first, and the form's problems answered
 * only once they may act (`parseGiven`); else `step`, given the whole input. */
export async function childFormCommand<
  S extends z.ZodType<{ key: string; actorId: string; childId: string }>,
  T,
>(
  deps: Deps,
  schema: S,
  input: unknown,
  action: string,
  allowed: (staff: Staff, ctx: Omit<ChildCtx, 'staff'>) => string | undefined,
  step: (i: z.infer<S>) => (ctx: ChildCtx) => Promise<ChildStep<T> | Failure> | ChildStep<T> | Failure,
  command = action,
): Promise<Outcome<T>> {
  const parsed = parseGiven(schema, ChildTarget, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  return childCommand(deps, i, action, allowed, i.form ? i.form : step(i), command);
}
