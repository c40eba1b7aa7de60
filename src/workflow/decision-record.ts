/**
 * The decision record (OPA's decision log is the model): every audit event that carries a policy verdict
 * keeps, in `details.decision`, what is needed to explain it later — the action and its input, who acted,
 * the verdict in short (outcome, authority, the determining rules and the clauses each cites), the profile's
 * id and version, and the facts the policy was given (the moment and the child's history) with their
 * digest. `overt decision explain <event id>` re-evaluates the facts with that profile and shows the
 * same verdict. One helper writes it (`decisionAudit`); one schema reads it (`DecisionRecord`).
 */
import { z } from 'zod';
import { evaluate } from '../policy/evaluate';
import type { Profile } from '../policy/profile';
import { Action, Actor, ChildFacts, HistoryEvent, type Situation } from '../policy/situation';
import type { Verdict } from '../policy/verdict';
import { digestOf, type AuditDraft, type AuditEvent } from '../store/audit';
import type { Store } from '../store/store';
import type { Deps } from './types';
import { fingerprint } from '../policy/authority';
import { notesSettingId, withEditedNotes } from './edited-notes';
import { AUDIT_ACTION } from '../vocabulary';

export const DECISION_SCHEMA = 1;

export const DecisionRecord = z.object({
  schema: z.literal(DECISION_SCHEMA),
  /** The action asked about, with its input as the policy read it (who acted is its `by`). */
  action: Action,
  /** Who acted, as the policy read them: role, flags, groups and teams (the same as the action's `by`). */
  actor: Actor,
  verdict: z.object({
    outcome: z.enum(['allow', 'refuse', 'needs-escalation']),
    authority: z.string().nullable(),
    /** The rules that decided it, each with the clauses it cites (none for a local decision). */
    determining: z.array(z.object({ rule: z.string().min(1), cites: z.array(z.string()) })),
    cites: z.array(z.string()),
  }),
  /** The profile that decided: id, version and fingerprint (a hash of its canonical form). */
  profile: z.object({ id: z.string().min(1), version: z.string().min(1), fingerprint: z.string().min(1) }),
  /** Every fact the policy read besides the action: the moment, what was on record for the child, what the
   * case system holds about the child (team, date of birth) and who is who among the people the record
   * names (role, flags, groups, teams). A replay needs nothing from the live store. */
  facts: z.object({
    now: z.string().min(1),
    given: z.array(HistoryEvent),
    child: ChildFacts.optional(),
    people: z.array(Actor).optional(),
  }),
  /** SHA-256 of the facts' canonical JSON. */
  factsDigest: z.string().regex(/^[0-9a-f]{64}$/),
});
export type DecisionRecord = z.infer<typeof DecisionRecord>;

/** A verdict and the situation it answered: what `verdictFor` returns. */
export type VerdictGiven = Readonly<Verdict> & { readonly situation: Situation };

/** The decision record of a verdict given for a situation. */
export function decisionRecord(verdict: VerdictGiven): DecisionRecord {
  const { situation } = verdict;
  const facts = {
    now: situation.now,
    given: situation.given,
    ...(situation.child ? { child: situation.child } : {}),
    ...(situation.people ? { people: situation.people } : {}),
  };
  const fired = new Map(verdict.fired.map((f) => [f.rule, f.cites]));
  return {
    schema: DECISION_SCHEMA,
    action: situation.action,
    actor: situation.action.by,
    verdict: {
      outcome: verdict.outcome,
      authority: verdict.authority ?? null,
      determining: verdict.determining.map((rule) => ({ rule, cites: [...(fired.get(rule) ?? [])] })),
      cites: [...verdict.cites],
    },
    profile: {
      id: verdict.profile.id,
      version: verdict.profile.version,
      fingerprint: verdict.profile.fingerprint,
    },
    facts,
    factsDigest: digestOf(facts),
  };
}

/** The audit fields of an event that records a verdict: outcome, clauses, profile, and in its details the
 * decision record beside the event's own `details`. The one place a decision event is written from. */
export function decisionAudit(
  verdict: VerdictGiven,
  details: Record<string, unknown> = {},
): Pick<AuditDraft, 'outcome' | 'cites' | 'profileId' | 'profileVersion' | 'details'> {
  return {
    outcome: verdict.outcome,
    cites: [...verdict.cites],
    profileId: verdict.profile.id,
    profileVersion: verdict.profile.version,
    details: { ...details, decision: decisionRecord(verdict) } as AuditDraft['details'],
  };
}

export type Explained =
  | {
      ok: true;
      recorded: DecisionRecord;
      replayed: DecisionRecord['verdict'];
      same: boolean;
      differences: string[];
    }
  | {
      ok: false;
      message: string;
      /** The decision as recorded, when only its profile version is missing (it cannot be replayed here). */
      notLoaded?: DecisionRecord;
    };

/**
 * Re-evaluates a recorded decision with the profile it names (`profileOf(id, version)`: undefined when
 * that version is not at hand) and compares the verdict with the one recorded.
 */
export function explainDecision(
  event: AuditEvent,
  profileOf: (id: string, version: string, fingerprint: string, at: string) => Profile | undefined,
): Explained {
  const raw = (event.details as { decision?: unknown }).decision;
  if (event.detailsErased)
    return {
      ok: false,
      message: `event ${event.seq}: its details were erased by retention; the verdict cannot be replayed`,
    };
  if (raw === undefined)
    return {
      ok: false,
      message: `event ${event.seq} (${AUDIT_ACTION[event.action] ?? event.action}) records no policy decision`,
    };
  const parsed = DecisionRecord.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      message: `event ${event.seq}: its decision record is not readable: ${z.prettifyError(parsed.error)}`,
    };
  const recorded = parsed.data;
  if (digestOf(recorded.facts) !== recorded.factsDigest)
    return { ok: false, message: `event ${event.seq}: the facts do not match their digest` };
  // A record written before the whole actor was kept names only id and role: the action's `by` is the actor.
  const profile = profileOf(
    recorded.profile.id,
    recorded.profile.version,
    recorded.profile.fingerprint,
    recorded.facts.now,
  );
  if (!profile)
    return {
      ok: false,
      message: `event ${event.seq} was decided under profile ${recorded.profile.id} version ${recorded.profile.version} (fingerprint ${recorded.profile.fingerprint}), which is not configured here`,
      notLoaded: recorded,
    };
  const verdict = evaluate(profile, { ...recorded.facts, action: recorded.action });
  const replayed = decisionRecord({
    ...verdict,
    situation: { ...recorded.facts, action: recorded.action },
  }).verdict;
  const differences: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const k of ['outcome', 'authority', 'determining', 'cites'] as const)
    if (!same(recorded.verdict[k], replayed[k]))
      differences.push(
        `${k}: recorded ${JSON.stringify(recorded.verdict[k])}, now ${JSON.stringify(replayed[k])}`,
      );
  return { ok: true, recorded, replayed, same: differences.length === 0, differences };
}

/** An audit event by its id, or by its sequence number. */
export async function auditEventOf(store: Store, idOrSeq: string): Promise<AuditEvent | undefined> {
  if (/^\d+$/.test(idOrSeq)) {
    const [event] = await store.audit.list({ afterSeq: Number(idOrSeq) - 1, limit: 1 });
    if (event?.seq === Number(idOrSeq)) return event;
  }
  // By its id: the one event, looked up by its indexed id (the trail is not read).
  const [event] = await store.audit.list({ eventId: idOrSeq, limit: 1 });
  return event;
}

/** Explains one event: re-evaluated with the profile of the version it used (`deps.profiles`). */
export async function explainEvent(deps: Deps, idOrSeq: string): Promise<Explained & { event?: AuditEvent }> {
  const event = await auditEventOf(deps.store, idOrSeq);
  if (!event) return { ok: false, message: `no audit event "${idOrSeq}"` };
  // The profile as it was when it decided: the version in force at its moment, with the same fingerprint.
  const settings = await deps.store.query('setting');
  // Every loaded version of the profile is at hand (keyed by id, version and fingerprint), not only the
  // one in force at the decision's moment: a version loaded later may claim that moment by its date.
  const explained = explainDecision(event, (id, version, print) => {
    for (const shipped of deps.profileVersions(id)) {
      const edited = withEditedNotes(
        shipped,
        settings.find((x) => x.record.id === notesSettingId(shipped.id)),
      );
      const found = [edited, shipped].find((p) => p.version === version && fingerprint(p) === print);
      if (found) return found;
    }
    return undefined;
  });
  return { ...explained, event };
}
