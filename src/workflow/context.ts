import { createHash, randomUUID } from 'node:crypto';
import type { Profile } from '../policy/profile';
import type { HistoryEvent } from '../policy/situation';
import type { Verdict } from '../policy/verdict';
import type { AuditDraft } from '../store/audit';
import type { Child, Kind, RecordOf, Staff, Team } from '../store/records';
import { canonicalJson } from '../store/canonical-json';
import type { Versioned, Write } from '../store/store';
import { notesSettingId, withEditedNotes } from './edited-notes';
import { noteAudited } from './refusals';
import { fail, ok, type Deps, type Failure, type Outcome } from './types';
import type { z } from 'zod';
import { parseGiven, type Given } from './input';
import { awaitingMagistrate, grantedFor, type RipaScope } from './ripa-cover';

/** Shared steps of the use cases: look-ups that fail as values, the child's record as policy facts, and
 * the one commit per command (writes + audit, all or nothing, under the idempotency key). */

export const nowIso = (deps: Deps) => deps.clock().toISOString();

export async function getOr<K extends Kind>(
  deps: Deps,
  kind: K,
  id: string,
  field: string,
  first = false,
): Promise<Outcome<Versioned<K>>> {
  const found = await deps.store.get(kind, id, { first });
  return found ? ok(found) : fail('NOT_FOUND', `${field}: no ${kind} "${id}"`, field);
}

/** The acting person, from the store: roles are never trusted from a card or a request body. */
export async function actor(deps: Deps, actorId: string): Promise<Outcome<Staff>> {
  const s = await deps.store.get('staff', actorId);
  return s
    ? ok(s.record)
    : fail('FORBIDDEN', `actorId: "${actorId}" is not a member of staff known to Overt`, 'actorId');
}

export async function teamProfile(
  deps: Deps,
  teamId: string,
): Promise<Outcome<{ team: Team; profile: Profile }>> {
  const [team, notes] = await Promise.all([deps.store.get('team', teamId), deps.store.query('setting')]);
  return profileOf(deps, teamId, team, notes);
}

/**
 * The version of a team's profile that judges it: the one it is held to (`overt teams set-profile --version`),
 * else the one in force today. Undefined when that profile, or the version held to, is not loaded.
 */
export function teamVersion(
  deps: Deps,
  team: Pick<Team, 'profileId' | 'profileVersion'>,
): Profile | undefined {
  if (team.profileVersion === undefined) return deps.profiles(team.profileId);
  return deps.profileVersions(team.profileId).find((v) => v.version === team.profileVersion);
}

/** A team's record and the profile in force for it. */
export function profileOf(
  deps: Deps,
  teamId: string,
  t: Versioned<'team'> | undefined,
  settings: Versioned<'setting'>[],
): Outcome<{ team: Team; profile: Profile }> {
  if (!t) return fail('NOT_FOUND', `teamId: no team "${teamId}"`, 'teamId');
  const shipped = teamVersion(deps, t.record);
  const profile =
    shipped &&
    withEditedNotes(
      shipped,
      settings.find((x) => x.record.id === notesSettingId(shipped.id)),
    );
  if (!profile)
    return fail(
      'NOT_FOUND',
      t.record.profileVersion !== undefined && deps.profiles(t.record.profileId)
        ? `team ${t.record.name} is held to version ${t.record.profileVersion} of profile "${t.record.profileId}", which is not loaded`
        : `team ${t.record.name} uses profile "${t.record.profileId}", which is not configured`,
    );
  return ok({ team: t.record, profile });
}

/** Staff who work in the child's team, or whose role spans teams. */
export function canActForTeam(staff: Staff, teamId: string): boolean {
  return (
    staff.teamIds.includes(teamId) ||
    staff.role === 'information-governance' ||
    staff.role === 'authorised-officer'
  );
}

/** Everything on record for one child, as the policy's history events, oldest first. One indexed query per
 * kind, no joins: the shape a SharePoint $batch can read in one request. */
export async function childHistory(deps: Deps, child: Child): Promise<HistoryEvent[]> {
  return historyFrom(child, await childRecords(deps, child.id));
}

/** The six kinds of record about one child, read together (asked for in one turn, so one `$batch`). */
export async function childRecords(deps: Deps, childId: string) {
  const where = { childId };
  const [consents, reminders, requests, checks, objections, ripas] = await Promise.all([
    deps.store.query('consent', { where }),
    deps.store.query('reminder', { where }),
    deps.store.query('request', { where }),
    deps.store.query('check', { where }),
    deps.store.query('objection', { where }),
    deps.store.query('ripa', { where }),
  ]);
  return { consents, reminders, requests, checks, objections, ripas };
}
export type ChildRecords = Awaited<ReturnType<typeof childRecords>>;

/** A child's records as policy history, oldest first. With a scope (the request a step is about), only the
 * RIPA authorisations granted for that request or its purpose are in it (`ripa-cover.ts`); awaiting a
 * magistrate's approval, none is. */
export function historyFrom(child: Child, records: ChildRecords, scope?: RipaScope): HistoryEvent[] {
  const { consents, reminders, requests, checks, objections, ripas } = records;
  const events: HistoryEvent[] = [];
  if (child.assessmentStartedAt) events.push({ event: 'assessment-started', on: child.assessmentStartedAt });
  for (const { record: c } of consents) {
    if (c.exceptionAgreedBy)
      events.push({ event: 'consent-exception-agreed', on: c.date, by: c.exceptionAgreedBy });
    else
      events.push({
        event: 'consent-recorded',
        on: c.date,
        ...(c.scope.platforms.length ? { platforms: c.scope.platforms } : {}),
      });
    if (c.withdrawnAt) events.push({ event: 'consent-withdrawn', on: c.withdrawnAt });
  }
  for (const { record: r } of reminders)
    events.push({ event: 'reminder-given', on: r.givenAt, by: r.givenBy });
  for (const { record: r } of requests) {
    events.push({ event: 'check-requested', on: r.createdAt, by: r.requesterId });
    // An approval counts as a check until it is done; once done, the check record stands for it.
    // (Stopped with its RIPA authorisation: it may have been done before, so it still counts.)
    if ((r.status === 'approved' || r.status === 'stopped') && r.decidedAt)
      events.push({
        event: 'check-approved',
        on: r.decidedAt,
        by: r.decidedBy ?? 'unknown',
        requester: r.requesterId,
      });
  }
  for (const { record: c } of checks)
    events.push({ event: 'check-completed', on: c.viewedAt, by: c.viewerId });
  for (const { record: o } of objections) {
    events.push({ event: 'objection-raised', on: o.raisedAt });
    if (o.status === 'resolved' && o.resolvedAt && o.outcome)
      events.push({ event: 'objection-resolved', on: o.resolvedAt, outcome: o.outcome });
  }
  for (const { record: r } of ripas) {
    if (awaitingMagistrate(r) || (scope && !grantedFor(r, scope, requests))) continue;
    // Cancelled: not in force from the day of cancellation (the day before is the last it covers).
    const last = r.cancelledAt ? dayBefore(r.cancelledAt.slice(0, 10)) : undefined;
    const until = last && last < r.until.slice(0, 10) ? last : r.until;
    events.push({ event: 'ripa-authorised', on: r.from, by: r.officerId, until });
  }
  return events.sort((a, b) => Date.parse(a.on) - Date.parse(b.on));
}

function dayBefore(day: string): string {
  const t = new Date(`${day}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() - 1);
  return t.toISOString().slice(0, 10);
}

/** A lean copy of a verdict for records, cards and the audit trail. */
export function verdictSummary(v: Verdict) {
  return {
    outcome: v.outcome,
    authority: v.authority ?? null,
    authorities: [...v.authorities],
    cites: [...v.cites],
    determining: [...v.determining],
    obligations: v.obligations.map((o) => ({ id: o.id, text: o.text, cites: [...o.cites] })),
    explanation: v.explanation,
    profile: { ...v.profile },
  };
}
export type VerdictSummary = ReturnType<typeof verdictSummary>;

/**
 * A command's idempotency (issue 12, fault 3): the caller's key answers only the same person's same command
 * with the same input. The unit is kept under a key scoped to who sent which command, with a digest of the
 * input beside its result; the same key with other input is a conflict, never another person's answer.
 */
export interface Cmd {
  /** The store's unit key: a hash of the command, the actor and the caller's key. */
  readonly unitKey: string;
  /** A hash of the parsed input, less the key. */
  readonly digest: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The idempotency of one command: `command` names it (`check.record`), `i` is its parsed input. */
export function cmdOf(command: string, i: { key: string; actorId: string }): Cmd {
  const { key, ...input } = i;
  return {
    unitKey: `cmd:${sha256(canonicalJson([command, i.actorId, key]))}`,
    digest: sha256(canonicalJson(input)),
  };
}

/** What a unit keeps under its key: the input's digest and the command's answer. */
type Kept<T> = { digest: string; outcome: Outcome<T> };

const KEY_REUSED: Outcome<never> = fail(
  'CONFLICT',
  'this was already sent with different details under the same key, and the first stands; nothing more was done',
  'key',
);

/**
 * What a key keeps once retention has erased a record its answer held a copy of: the input's digest, so a
 * retry is still known for what it is and nothing is done again, and a plain answer in place of the first.
 * A kept result of another shape (a notice's) is dropped.
 */
export function erasedAnswer(result: unknown): unknown {
  const digest = (result as Partial<Kept<unknown>> | null | undefined)?.digest;
  if (typeof digest !== 'string') return null;
  const kept: Kept<never> = {
    digest,
    outcome: fail(
      'CONFLICT',
      'this was done before; what it answered has since been erased under the retention schedule, and nothing more was done',
    ),
  };
  return kept;
}

/** The answer kept under a key, if the input is the same; a conflict if it is not. */
function answerOf<T>(c: Cmd, result: unknown): Outcome<T> {
  const kept = result as Partial<Kept<T>> | undefined;
  if (!kept || typeof kept.digest !== 'string' || !kept.outcome) return KEY_REUSED;
  if (kept.digest !== c.digest) return { ...KEY_REUSED, replayed: true };
  return { ...kept.outcome, replayed: true };
}

/**
 * Commits one command's writes and audit events under its key. A replayed key returns the first run's
 * outcome unchanged; a version conflict comes back as `conflict` for the caller to explain.
 */
export async function commit<T>(
  deps: Deps,
  c: Cmd,
  writes: Write[],
  audit: AuditDraft[],
  value: T,
): Promise<Outcome<T> | { conflict: { kind: Kind; id: string; current: Versioned<Kind> | undefined } }> {
  const r = await commitVersioned(deps, c, writes, audit, value);
  return 'conflict' in r ? r : r.outcome;
}

/** `commit`, also giving a fresh commit's new versions of the writes, in the unit's order (a replay has
 * none: they are not kept with the key). */
export async function commitVersioned<T>(
  deps: Deps,
  c: Cmd,
  writes: Write[],
  audit: AuditDraft[],
  value: T,
): Promise<
  | { outcome: Outcome<T>; versions?: string[] }
  | { conflict: { kind: Kind; id: string; current: Versioned<Kind> | undefined } }
> {
  const outcome: Outcome<T> = ok(value);
  const kept: Kept<T> = { digest: c.digest, outcome };
  const r = await deps.store.commit({ key: c.unitKey, at: nowIso(deps), writes, audit, result: kept });
  if (r.status === 'replayed') return { outcome: answerOf<T>(c, r.result) };
  if (r.status === 'conflict') return { conflict: { kind: r.kind, id: r.id, current: r.current } };
  return { outcome, versions: r.versions.map((v) => v.version) };
}

/** A refusal: nothing but its audit event is written. It is never kept under the command's key, so a
 * corrected retry under the same key (a form sent again from the same card) is decided afresh — and so is the
 * same input again, which may now be allowed. Its event's unit is keyed by the command's key, the input and
 * the refusal's code and words: the same command refused again for the same reason (a card pressed twice, a
 * request sent again) answers the same and writes no second event; a corrected retry refused for another
 * reason, or another input refused, is an event of its own. */
export async function refuse(
  deps: Deps,
  c: Cmd,
  draft: Omit<AuditDraft, 'outcome'> & { outcome?: string },
  error: Failure,
): Promise<Outcome<never>> {
  // The facts refused on may be a copy of this very command's, under way on another instance (Teams
  // delivers an activity again; the copies land on two instances at once): its answer is this one's.
  // Read after the facts, so a copy whose writes were seen is found (waited for on SharePoint, where a
  // unit's records land before its key is done).
  const copy = await copyOfThis<never>(deps, c);
  if (copy) return copy;
  const outcome: Outcome<never> = { ok: false, error };
  noteAudited(deps);
  await deps.store.commit({
    key: `${c.unitKey}:refused:${sha256(canonicalJson([c.digest, error.code, error.message, error.field ?? '']))}`,
    at: nowIso(deps),
    writes: [],
    audit: [
      {
        ...draft,
        outcome: draft.outcome ?? 'refuse',
        details: { ...(draft.details as object), code: error.code, message: error.message },
      },
    ],
  });
  return outcome;
}

/** The answer of a copy of this very command that committed meanwhile, perhaps on another instance (Teams
 * delivers an activity again, and the copies may land on two instances at once); waited for on SharePoint,
 * where a unit's records land before its key is done. Every answer that rests on finding the work already
 * done — refused, or "you already did this" — asks this first, so each copy is answered as the first was. */
export async function copyOfThis<T>(deps: Deps, c: Cmd): Promise<Outcome<T> | undefined> {
  const copy = await deps.store.replay(c.unitKey, { settle: true });
  return copy ? answerOf<T>(c, copy.result) : undefined;
}

/** A replayed key answers before any work is done (a card clicked twice); other input under it conflicts. */
export async function replayed<T>(deps: Deps, c: Cmd): Promise<Outcome<T> | undefined> {
  const r = await deps.store.replay(c.unitKey);
  return r ? answerOf<T>(c, r.result) : undefined;
}

export type Rec<K extends Kind> = RecordOf<K>;

/**
 * The three-month rule across instances (issue 12, fault 2): a verdict is valid only for the facts it was
 * computed on. Every unit that changes what the policy reads about a child — the child, or any request,
 * check, consent, reminder, objection or RIPA authorisation about it — ends with this write: the child
 * again, with a new stamp, at the version read *before* the facts. Two units computed on the same facts
 * cannot both commit; the loser reads again and asks the policy again (`afresh`).
 *
 * Why the order matters on a store without transactions (SharePoint): a unit's writes land one by one in
 * the unit's order, so the child's new version is visible only after the records it covers; and a command
 * reads the child's version before the records, so records it saw can only be as new as, or newer than,
 * that version — never older, or its unit would not commit.
 */
export function guardChild(child: Child, version: string): Write {
  return { kind: 'child', record: { ...child, stamp: randomUUID() }, ifVersion: version };
}

/** What a command's body answers when its unit lost the race on the child's record: read and decide again. */
export const STALE = Symbol('the child changed since its facts were read');
export type Stale = typeof STALE;

/** A conflict on a child's record: the facts a verdict rested on have moved. */
export const staleChild = (r: object): boolean =>
  'conflict' in r && (r as { conflict: { kind: Kind } }).conflict.kind === 'child';

const ATTEMPTS = 12;

/** Runs a command until its facts held when its unit committed (each attempt reads and evaluates afresh),
 * waiting a little longer, with jitter, after each lost race. */
export async function afresh<T>(run: () => Promise<Outcome<T> | Stale>): Promise<Outcome<T>> {
  for (let attempt = 1; ; attempt++) {
    const r = await run();
    if (r !== STALE) return r;
    if (attempt >= ATTEMPTS)
      return fail(
        'CONFLICT',
        "the child's record kept changing while this was decided: look again and retry",
      );
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
  }
}

/** The shape every command on a child's facts shares: its input parsed — with a `target` schema, who acts and
 * on what first and the form's problems left for the command to answer after its check of who may act
 * (`parseGiven`); without, a bad field answers before any work — its idempotency scope (`cmdOf`), and its run
 * repeated afresh while the child changed under it. */
export async function childFactsCommand<
  S extends z.ZodType<{ key: string; actorId: string }>,
  R,
  T extends z.ZodType<{ key: string; actorId: string }> = never,
>(
  schema: S,
  command: string,
  input: unknown,
  once: (input: Given<S, T>, c: Cmd) => Promise<Outcome<R> | Stale>,
  target?: T,
): Promise<Outcome<R>> {
  const parsed = parseGiven(schema, target, input);
  if (!parsed.ok) return parsed;
  const { form: _form, ...given } = parsed.value as { form?: unknown; key: string; actorId: string };
  const cmd = cmdOf(command, given);
  // A card's version is compared on the first attempt only: a run repeated because the child changed under
  // it may find the record at a version its own first attempt wrote (on SharePoint a unit's writes land in
  // turn, the child's last, and that write is what lost); a change by someone else since is still refused by
  // the record's state and the unit's expected versions.
  let attempt = 0;
  return afresh(() =>
    once(
      attempt++ === 0 || !('expectedVersion' in (parsed.value as object))
        ? parsed.value
        : { ...parsed.value, expectedVersion: undefined },
      cmd,
    ),
  );
}

/**
 * The opening of every command on an existing request: the replayed answer for a key seen before, or who
 * is acting and the request as it is now — read together, so a store that batches reads makes one trip.
 */
export async function openRequestCommand<T>(
  deps: Deps,
  c: Cmd,
  i: { actorId: string; requestId: string },
): Promise<{ done: Outcome<T> } | { staff: Staff; request: Rec<'request'>; version: string }> {
  const [again, staff, found] = await Promise.all([
    replayed<T>(deps, c),
    actor(deps, i.actorId),
    getOr(deps, 'request', i.requestId, 'requestId'),
  ]);
  if (again) return { done: again };
  if (!staff.ok) return { done: staff };
  if (!found.ok) return { done: found };
  return { staff: staff.value, request: found.value.record, version: found.value.version };
}

/**
 * What deciding on a request needs besides the request itself: the child, the team, the child's whole
 * record and the decider's current delegations. Keyed by ids a card already carries, so these reads can
 * go out with the request's own (a decision then costs one round trip of reads and one of writes).
 */
export async function decisionFacts(deps: Deps, childId: string, teamId: string, actorId: string) {
  // The child (its version) is read before its records (`first`): see `guardChild`.
  const [child, team, records, delegations, settings] = await Promise.all([
    deps.store.get('child', childId, { first: true }),
    deps.store.get('team', teamId),
    childRecords(deps, childId),
    deps.store.query('delegation', {
      where: { toId: actorId },
      range: { field: 'until', from: nowIso(deps) },
    }),
    deps.store.query('setting'),
  ]);
  return { childId, teamId, child, team, records, delegations: delegations.map((d) => d.record), settings };
}
export type DecisionFacts = Awaited<ReturnType<typeof decisionFacts>>;

/**
 * The opening of every command on a child: the replayed answer for a key seen before (when there is a
 * key), or who is acting, the child, the child's team and profile, and (when the policy will be asked)
 * the child's whole record — the first three and the record read together, the team next.
 */
export async function openChildCommand<T>(
  deps: Deps,
  c: Cmd | undefined,
  i: { actorId: string; childId: string },
  withRecords: boolean,
): Promise<
  | { done: Outcome<T> }
  | { staff: Staff; child: Child; childVersion: string; team: Team; profile: Profile; records?: ChildRecords }
> {
  // The child (its version) is read before its records (`first`): see `guardChild`.
  const [again, staff, child, records] = await Promise.all([
    c ? replayed<T>(deps, c) : undefined,
    actor(deps, i.actorId),
    getOr(deps, 'child', i.childId, 'childId', true),
    withRecords ? childRecords(deps, i.childId) : undefined,
  ]);
  if (again) return { done: again };
  if (!staff.ok) return { done: staff };
  if (!child.ok) return { done: child };
  const teamAndProfile = await teamProfile(deps, child.value.record.teamId);
  if (!teamAndProfile.ok) return { done: teamAndProfile };
  return {
    staff: staff.value,
    child: child.value.record,
    childVersion: child.value.version,
    ...teamAndProfile.value,
    ...(records ? { records } : {}),
  };
}
