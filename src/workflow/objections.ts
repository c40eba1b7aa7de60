import { z } from 'zod';
import type { Child, Objection } from '../store/records';
import { childCommand, childFormCommand, roleIn, type Step } from './child-command';
import { BlankText, Id, Key, parseGiven, Reasons, ShortText, When } from './input';
import { clausesAbout } from './policy-facts';
import type { Deps, Outcome } from './types';

/**
 * A child's objection (000 §8): raised → with information governance → formal response sent → resolved
 * (checks may resume, or stopped). While it is open the policy refuses every check.
 */

export const RaiseObjectionInput = z.object({
  key: Key,
  actorId: Id,
  childId: Id,
  raisedBy: ShortText,
  raisedAt: When,
  detail: BlankText.default(''),
});

export async function raiseObjection(
  deps: Deps,
  input: z.input<typeof RaiseObjectionInput>,
): Promise<Outcome<Objection>> {
  return childFormCommand(
    deps,
    RaiseObjectionInput,
    input,
    'objection.raise',
    () => undefined,
    (i) =>
      (ctx): Step<Objection> => {
        if (Date.parse(i.raisedAt) > deps.clock().getTime())
          return { code: 'INVALID_INPUT', message: 'raisedAt: cannot be in the future', field: 'raisedAt' };
        if (ctx.child.openObjectionId)
          return {
            code: 'WRONG_STATE',
            message: 'childId: an objection is already open for this child',
            field: 'childId',
          };
        const objection: Objection = {
          id: deps.ids(),
          childId: ctx.child.id,
          teamId: ctx.child.teamId,
          raisedAt: i.raisedAt,
          raisedBy: i.raisedBy,
          status: 'open',
        };
        const child: Child = { ...ctx.child, openObjectionId: objection.id };
        return {
          writes: [
            { kind: 'objection', record: objection, ifVersion: null },
            { kind: 'child', record: child, ifVersion: ctx.childVersion },
          ],
          audit: {
            target: { kind: 'objection', id: objection.id },
            outcome: 'open',
            cites: clausesAbout(ctx.profile, 'objection'),
            details: { childId: ctx.child.id, raisedBy: i.raisedBy, detail: i.detail },
          },
          value: objection,
        };
      },
  );
}

const IG = roleIn('information-governance');

export const ObjectionStepInput = z.discriminatedUnion('step', [
  z.object({ step: z.literal('take'), key: Key, actorId: Id, objectionId: Id }),
  z.object({ step: z.literal('respond'), key: Key, actorId: Id, objectionId: Id, response: Reasons }),
  z.object({
    step: z.literal('resolve'),
    key: Key,
    actorId: Id,
    objectionId: Id,
    outcome: z.enum(['checks-may-resume', 'checks-stopped']),
  }),
]);
export type ObjectionStepInput = z.input<typeof ObjectionStepInput>;

const NEXT = { take: 'open', respond: 'with-ig', resolve: 'response-sent' } as const;

/** Information governance moves an objection on: takes it, sends the formal response, resolves it. */
/** Which step on which objection, by whom: what information governance's standing is checked on before the
 * form (`parseGiven`). */
const StepTarget = z.object({
  step: z.enum(['take', 'respond', 'resolve']),
  key: Key,
  actorId: Id,
  objectionId: Id,
});

export async function progressObjection(deps: Deps, input: ObjectionStepInput): Promise<Outcome<Objection>> {
  const parsed = parseGiven(ObjectionStepInput, StepTarget, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const found = await deps.store.get('objection', i.objectionId);
  if (!found)
    return {
      ok: false,
      error: {
        code: 'NOT_FOUND',
        message: `objectionId: no objection "${i.objectionId}"`,
        field: 'objectionId',
      },
    };
  const { record, version } = found;
  return childCommand(
    deps,
    { ...i, childId: record.childId },
    `objection.${i.step}`,
    IG,
    (ctx): Step<Objection> => {
      if (record.status !== NEXT[i.step])
        return {
          code: 'WRONG_STATE',
          message: `objectionId: the objection is ${record.status}; it must be ${NEXT[i.step]} to ${i.step}`,
          field: 'objectionId',
        };
      // Only now, with the actor's standing established, is what they wrote looked at.
      if (i.form) return i.form;
      const at = deps.clock().toISOString();
      const next: Objection =
        i.step === 'take'
          ? { ...record, status: 'with-ig' }
          : i.step === 'respond'
            ? { ...record, status: 'response-sent', response: i.response, respondedAt: at }
            : { ...record, status: 'resolved', outcome: i.outcome, resolvedAt: at };
      const { openObjectionId: _open, ...childRest } = ctx.child;
      return {
        writes: [
          { kind: 'objection', record: next, ifVersion: version },
          ...(i.step === 'resolve'
            ? [{ kind: 'child' as const, record: childRest, ifVersion: ctx.childVersion }]
            : []),
        ],
        audit: {
          target: { kind: 'objection', id: record.id },
          outcome: next.status,
          cites: clausesAbout(ctx.profile, 'objection'),
          details: { childId: record.childId, ...(i.step === 'resolve' ? { outcome: i.outcome } : {}) },
        },
        value: next,
      };
    },
    'objection.progress',
  );
}
