import { z } from 'zod';
import type { Ripa } from '../store/records';
import { childCommand, roleIn, type Step } from './child-command';
import { Id, Key, parse, ShortText, When } from './input';
import { clausesAbout } from './policy-facts';
import type { Deps, Outcome } from './types';

export const RipaInput = z
  .object({
    key: Key,
    actorId: Id,
    childId: Id,
    legalAdviceRef: ShortText,
    offence: ShortText,
    /** The offence's maximum sentence in months: directed surveillance needs over six (000 §12). */
    maxSentenceMonths: z.number().int(),
    from: When,
    until: When,
    reviewAt: When,
  })
  .superRefine((r, ctx) => {
    if (r.maxSentenceMonths <= 6)
      ctx.addIssue({
        code: 'custom',
        path: ['maxSentenceMonths'],
        message: 'RIPA directed surveillance is only for an offence punishable by over six months in prison',
      });
    if (Date.parse(r.until) <= Date.parse(r.from))
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after from' });
    if (Date.parse(r.reviewAt) < Date.parse(r.from) || Date.parse(r.reviewAt) > Date.parse(r.until))
      ctx.addIssue({
        code: 'custom',
        path: ['reviewAt'],
        message: 'must fall within the authorisation period',
      });
  });

/** An authorised officer records a RIPA directed-surveillance authorisation, after legal advice (000 §12). */
export async function recordRipa(deps: Deps, input: z.input<typeof RipaInput>): Promise<Outcome<Ripa>> {
  const parsed = parse(RipaInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  return childCommand(deps, i, 'ripa.authorise', roleIn('authorised-officer'), (ctx): Step<Ripa> => {
    const cites = clausesAbout(ctx.profile, 'ripaInForce');
    if (!cites.length)
      return {
        code: 'POLICY_REFUSED',
        message: `${ctx.profile.name} has no RIPA route: no surveillance can be authorised under it`,
      };
    const ripa: Ripa = {
      id: deps.ids(),
      childId: ctx.child.id,
      teamId: ctx.child.teamId,
      officerId: ctx.staff.id,
      legalAdviceRef: i.legalAdviceRef,
      offence: i.offence,
      maxSentenceMonths: i.maxSentenceMonths,
      from: i.from,
      until: i.until,
      reviewAt: i.reviewAt,
    };
    return {
      writes: [{ kind: 'ripa', record: ripa, ifVersion: null }],
      audit: {
        target: { kind: 'ripa', id: ripa.id },
        outcome: 'authorised',
        cites,
        details: {
          childId: ctx.child.id,
          offence: i.offence,
          maxSentenceMonths: i.maxSentenceMonths,
          until: i.until,
          legalAdviceRef: i.legalAdviceRef,
        },
      },
      value: ripa,
    };
  });
}

export const CancelRipaInput = z.object({ key: Key, actorId: Id, ripaId: Id, at: When });

/** The authorised officer cancels an authorisation: repeat viewing is no longer covered from then. */
export async function cancelRipa(deps: Deps, input: z.input<typeof CancelRipaInput>): Promise<Outcome<Ripa>> {
  const parsed = parse(CancelRipaInput, input);
  if (!parsed.ok) return parsed;
  const i = parsed.value;
  const found = await deps.store.get('ripa', i.ripaId);
  if (!found)
    return {
      ok: false,
      error: { code: 'NOT_FOUND', message: `ripaId: no RIPA authorisation "${i.ripaId}"`, field: 'ripaId' },
    };
  return childCommand(
    deps,
    { ...i, childId: found.record.childId },
    'ripa.cancel',
    roleIn('authorised-officer'),
    (ctx): Step<Ripa> => {
      if (found.record.cancelledAt)
        return { code: 'WRONG_STATE', message: 'ripaId: already cancelled', field: 'ripaId' };
      const ripa: Ripa = { ...found.record, cancelledAt: i.at };
      return {
        writes: [{ kind: 'ripa', record: ripa, ifVersion: found.version }],
        audit: {
          target: { kind: 'ripa', id: ripa.id },
          outcome: 'cancelled',
          cites: clausesAbout(ctx.profile, 'ripaInForce'),
          details: { childId: ripa.childId },
        },
        value: ripa,
      };
    },
  );
}
