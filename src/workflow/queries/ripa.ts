/**
 * Reads for the RIPA route (000 §12): the central record of directed-surveillance authorisations as the
 * Home Office code of practice describes it (reference, authorising officer, the dates granted, approved by a
 * magistrate, reviewed, renewed and cancelled, whether confidential information was likely, whether the
 * authoriser was involved in the case), the applications waiting for an authorising officer, and one
 * authorisation or application for a card. People by name, dates as days; codes in words by the caller.
 */
import { z } from 'zod';
import { dayOf } from '../../policy/days';
import { DEFAULT_TIME_ZONE, type Profile } from '../../policy/profile';
import type { Request, Ripa, Staff } from '../../store/records';
import { actor, canActForTeam, teamProfile, teamVersion } from '../context';
import { Id, parse } from '../input';
import { decidingAuthorities, decidingProfile } from '../policy-facts';
import { approversOf, onRipaRoute, teamWithProfile } from './request';
import { fail, ok, type Deps, type Outcome } from '../types';
import { dateGb, phrase, sentenceWords, yesNo } from '../../vocabulary';
import { coverFor, otherPurposeInForce, reliesOnRipa, ripaName } from '../ripa-cover';

/** Who may read the central record: the authorising officers and information governance. */
export const CENTRAL_RECORD_READERS: Staff['role'][] = ['authorised-officer', 'information-governance'];

export type RipaState = 'in-force' | 'review-due' | 'cancelled' | 'ended' | 'not-yet' | 'awaiting-approval';

export interface CentralRecordEntry {
  id: string;
  reference: string;
  childId: string;
  caseRef: string;
  childName: string;
  teamName: string;
  officerName: string;
  offence: string;
  maxSentenceMonths: number;
  necessity: string | null;
  proportionality: string | null;
  legalAdvice: string;
  grantedOn: string;
  magistrateApprovedOn: string | null;
  from: string;
  until: string;
  nextReviewOn: string;
  reviews: { on: string; by: string; notes: string }[];
  /** Each renewal: the day it was recorded (`on`) and its own period, `from` (the day after the period it
   * renewed ended) to `until`. */
  renewals: {
    on: string;
    by: string;
    from: string;
    until: string;
    magistrateApprovedOn: string | null;
    reasons: string;
  }[];
  /** A renewal recorded that has not yet taken effect: the day it does (no other renewal until then). */
  renewalFrom: string | null;
  cancelledOn: string | null;
  cancelledBy: string | null;
  cancelReasons: string | null;
  /** Corrections of what was recorded, oldest first: each field's value before and after, in words. */
  corrections: RipaCorrectionEntry[];
  confidentialInfoLikely: boolean | null;
  authoriserInvolved: boolean | null;
  /** Involved: why it could not be avoided that they authorised it (the code of practice). */
  authoriserInvolvedReason: string | null;
  state: RipaState;
  requestId: string | null;
}

export interface RipaCorrectionEntry {
  on: string;
  by: string;
  reason: string;
  changes: { label: string; was: string; now: string }[];
}

/** What each correctable field is called on the central record. */
const FIELD_WORDS: Record<string, string> = {
  offence: 'Offence',
  maxSentenceMonths: 'Maximum sentence',
  necessity: 'Why it is necessary',
  proportionality: 'Why it is proportionate',
  legalAdvice: 'Legal advice',
  grantedOn: 'Granted',
  magistrateApprovedOn: 'Approved by a magistrate',
  confidentialInfoLikely: 'Confidential information likely',
  authoriserInvolved: 'Authoriser involved in the case',
  authoriserInvolvedReason: 'Why the involved authoriser could not be avoided',
};

/** A recorded value in words: a day en-GB, a sentence by its name, yes or no. */
function valueWords(field: string, v: string): string {
  if (v === '') return 'not recorded';
  if (field === 'grantedOn' || field === 'magistrateApprovedOn') return dateGb(v);
  if (field === 'maxSentenceMonths') return sentenceWords(Number(v));
  if (field === 'confidentialInfoLikely' || field === 'authoriserInvolved') return yesNo(v === 'true');
  return v;
}

/** One correction in a sentence, as the central record and its exports show it. */
export const correctionWords = (c: RipaCorrectionEntry) =>
  `${dateGb(c.on)} by ${c.by}: ${c.changes.map((x) => `${x.label} was “${x.was}”, now “${x.now}”`).join('; ')} (${c.reason})`;

export interface RipaApplication {
  requestId: string;
  version: string;
  childId: string;
  caseRef: string;
  childName: string;
  teamName: string;
  requesterName: string;
  raisedAt: string;
  /** The team's profile's time zone: the day it was asked is on its calendar. */
  timeZone: string;
  reason: string;
  rationale: string | null;
  platforms: { platform: string; account: string }[];
  /** Where the profile needs a magistrate's approval before an authorisation takes effect. */
  judicialApproval: boolean;
  judicialBasis: string | null;
  /** Each authorisation in force for this child for another purpose, in a sentence: named, its purpose and
   * its end, and that it does not cover this request (otherPurposeInForce). */
  otherPurpose?: string[];
}

export interface CentralRecord {
  entries: CentralRecordEntry[];
  /** Repeat viewings waiting for an authorising officer: shown to authorising officers only. */
  waiting: RipaApplication[];
  /** How many applications of the reader's teams wait for an authorising officer (for information governance,
   * who reads the record but does not authorise: the truth of what waits, not an empty queue of their own). */
  waitingForOfficer: number;
}

const ActorInput = z.object({ actorId: Id });

async function namesOf(deps: Deps, ids: (string | undefined)[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((x): x is string => !!x))];
  const got = await Promise.all(unique.map((id) => deps.store.get('staff', id)));
  return new Map(got.flatMap((s) => (s ? [[s.record.id, s.record.name] as const] : [])));
}

const FORMER = 'a former member of staff';

const dayAfter = (d: string): string => {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
};

/** The state of an authorisation on a day of its team's calendar. */
export function ripaState(r: Ripa, today: string, timeZone = DEFAULT_TIME_ZONE): RipaState {
  if (r.cancelledAt) return 'cancelled';
  if (r.awaitingMagistrate) return 'awaiting-approval';
  if (dayOf(r.until, timeZone) < today) return 'ended';
  if (dayOf(r.from, timeZone) > today) return 'not-yet';
  return dayOf(r.reviewAt, timeZone) < today ? 'review-due' : 'in-force';
}

/** One authorisation as the central record shows it. */
export async function entryOf(deps: Deps, r: Ripa): Promise<CentralRecordEntry> {
  const [child, team] = await Promise.all([
    deps.store.get('child', r.childId),
    deps.store.get('team', r.teamId),
  ]);
  const profile = team ? teamVersion(deps, team.record) : undefined;
  return (
    await entriesOf(deps, [r], {
      children: new Map(child ? [[child.record.id, child.record]] : []),
      teams: new Map(team ? [[team.record.id, { name: team.record.name, profile }]] : []),
    })
  )[0]!;
}

async function entriesOf(
  deps: Deps,
  rows: Ripa[],
  known: {
    children: Map<string, { caseRef: string; displayName: string }>;
    teams: Map<string, { name: string; profile: Profile | undefined }>;
  },
): Promise<CentralRecordEntry[]> {
  const who = await namesOf(
    deps,
    rows.flatMap((r) => [
      r.officerId,
      r.cancelledBy,
      ...(r.reviews ?? []).map((v) => v.by),
      ...(r.renewals ?? []).map((v) => v.by),
      ...(r.corrections ?? []).map((v) => v.by),
    ]),
  );
  const name = (id: string | undefined) => (id ? (who.get(id) ?? FORMER) : null);
  return rows.map((r) => {
    const team = known.teams.get(r.teamId);
    const tz = team?.profile?.timeZone ?? DEFAULT_TIME_ZONE;
    const day = (s: string) => dayOf(s, tz);
    const child = known.children.get(r.childId);
    return {
      id: r.id,
      reference: r.reference ?? 'No reference recorded',
      childId: r.childId,
      caseRef: child?.caseRef ?? 'unknown child',
      childName: child?.displayName ?? '',
      teamName: team?.name ?? '',
      officerName: name(r.officerId)!,
      offence: r.offence,
      maxSentenceMonths: r.maxSentenceMonths,
      necessity: r.necessity ?? null,
      proportionality: r.proportionality ?? null,
      legalAdvice: r.legalAdviceRef,
      grantedOn: day(r.grantedAt ?? r.from),
      magistrateApprovedOn: r.magistrateApprovedOn ? day(r.magistrateApprovedOn) : null,
      from: day(r.from),
      until: day(r.until),
      nextReviewOn: day(r.reviewAt),
      reviews: (r.reviews ?? []).map((v) => ({ on: day(v.at), by: name(v.by)!, notes: v.notes })),
      renewals: (r.renewals ?? []).map((v) => ({
        on: day(v.at),
        by: name(v.by)!,
        from: dayAfter(day(v.previousUntil)),
        until: day(v.until),
        magistrateApprovedOn: v.magistrateApprovedOn ? day(v.magistrateApprovedOn) : null,
        reasons: v.reasons,
      })),
      renewalFrom: (() => {
        const today = day(deps.clock().toISOString());
        const pending = (r.renewals ?? []).find((v) => day(v.previousUntil) >= today);
        return pending ? dayAfter(day(pending.previousUntil)) : null;
      })(),
      cancelledOn: r.cancelledAt ? day(r.cancelledAt) : null,
      cancelledBy: r.cancelledAt ? (name(r.cancelledBy) ?? FORMER) : null,
      cancelReasons: r.cancelReasons ?? null,
      corrections: (r.corrections ?? []).map((c) => ({
        on: day(c.at),
        by: name(c.by)!,
        reason: c.reason,
        changes: c.changes.map((x) => ({
          label: FIELD_WORDS[x.field] ?? x.field,
          was: valueWords(x.field, x.was),
          now: valueWords(x.field, x.now),
        })),
      })),
      confidentialInfoLikely: r.confidentialInfoLikely ?? null,
      authoriserInvolved: r.authoriserInvolved ?? null,
      authoriserInvolvedReason: r.authoriserInvolved ? (r.authoriserInvolvedReason ?? null) : null,
      state: ripaState(r, dayOf(deps.clock().toISOString(), tz), tz),
      requestId: r.requestId ?? null,
    };
  });
}

/** The authorisation recorded on a request and not cancelled (one awaiting a magistrate's approval, say): its
 * id, or undefined. */
export async function ripaOfRequest(
  deps: Deps,
  r: Pick<Request, 'id' | 'childId'>,
): Promise<string | undefined> {
  const rows = await deps.store.query('ripa', { where: { childId: r.childId } });
  return rows.find((x) => x.record.requestId === r.id && !x.record.cancelledAt)?.record.id;
}

/** How many repeat viewings of the teams a person may see wait for an authorising officer's authorisation. */
async function waitingForOfficerOf(deps: Deps, staff: Staff): Promise<number> {
  const [rows, ripas] = await Promise.all([
    deps.store.query('request', { where: { status: 'escalated' } }),
    deps.store.query('ripa', {}),
  ]);
  const authorised = new Set(
    ripas.flatMap((x) => (x.record.requestId && !x.record.cancelledAt ? [x.record.requestId] : [])),
  );
  return rows.filter(
    (r) =>
      r.record.authority === 'authorised-officer' &&
      canActForTeam(staff, r.record.teamId) &&
      !authorised.has(r.record.id),
  ).length;
}

/**
 * The repeat viewings waiting for this authorising officer, the longest waiting first (the tab's order): those
 * on the RIPA route that the officer may decide by the one rule that sends them the card and lists them in
 * "waiting for me" (approversOf) — an officer in no team acts for every team, and is not left with an empty
 * queue (issue 13). Those with an authorisation recorded (awaiting a magistrate) are among the authorisations.
 */
async function applicationsFor(deps: Deps, staff: Staff): Promise<RipaApplication[]> {
  if (staff.role !== 'authorised-officer') return [];
  const [rows, ripas] = await Promise.all([
    deps.store.query('request', {
      where: { status: 'escalated' },
      orderBy: { field: 'createdAt', dir: 'asc' },
    }),
    deps.store.query('ripa', {}),
  ]);
  const authorised = new Set(
    ripas.flatMap((x) => (x.record.requestId && !x.record.cancelledAt ? [x.record.requestId] : [])),
  );
  const open = rows.filter((r) => onRipaRoute(r.record) && !authorised.has(r.record.id));
  // Who may decide depends on the team's profile, the authorities and the requester: asked once for each.
  const deciders = new Map<string, Promise<string[]>>();
  const decides = await Promise.all(
    open.map(async ({ record: r }) => {
      // The version that names the authority it waits for (decidingProfile), as approversOf reads it.
      const profile = decidingProfile(deps, r, (await teamWithProfile(deps, r.teamId))?.profile);
      if (!profile) return false;
      const key = `${r.teamId}\u0000${profile.id} v${profile.version}\u0000${decidingAuthorities(profile, r).join(',')}\u0000${r.requesterId}`;
      const who = deciders.get(key) ?? approversOf(deps, r, profile);
      deciders.set(key, who);
      return (await who).includes(staff.id);
    }),
  );
  const mine = open.filter((_, i) => decides[i]);
  return Promise.all(mine.map((r) => applicationOf(deps, r.record, r.version)));
}

/** What an authorising officer needs to decide one application. */
export async function applicationOf(deps: Deps, r: Request, version: string): Promise<RipaApplication> {
  const [child, team, requester, ripas, requests] = await Promise.all([
    deps.store.get('child', r.childId),
    deps.store.get('team', r.teamId),
    deps.store.get('staff', r.requesterId),
    deps.store.query('ripa', { where: { childId: r.childId } }),
    deps.store.query('request', { where: { childId: r.childId } }),
  ]);
  const profile = team ? teamVersion(deps, team.record) : undefined;
  const zone = profile?.timeZone ?? DEFAULT_TIME_ZONE;
  return {
    requestId: r.id,
    version,
    childId: r.childId,
    caseRef: child?.record.caseRef ?? 'unknown child',
    childName: child?.record.displayName ?? '',
    teamName: team?.record.name ?? '',
    requesterName: requester?.record.name ?? FORMER,
    raisedAt: r.createdAt,
    timeZone: profile?.timeZone ?? DEFAULT_TIME_ZONE,
    reason: r.reason,
    rationale: r.rationale ?? null,
    platforms: r.platforms,
    judicialApproval: profile?.ripa?.judicialApproval ?? false,
    judicialBasis: profile?.ripa?.basis ?? null,
    otherPurpose: otherPurposeInForce(
      ripas,
      requests,
      { requestId: r.id, reason: r.reason },
      dayOf(deps.clock().toISOString(), zone),
      zone,
      (x) => phrase(x, profile?.reasons),
    ),
  };
}

/** The central record, newest first, and (for an authorising officer) the applications waiting. */
export async function centralRecord(
  deps: Deps,
  input: z.input<typeof ActorInput>,
): Promise<Outcome<CentralRecord>> {
  const parsed = parse(ActorInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  if (!CENTRAL_RECORD_READERS.includes(staff.value.role))
    return fail(
      'FORBIDDEN',
      'the central record of RIPA authorisations is for authorising officers and information governance',
    );
  const [rows, teams] = await Promise.all([deps.store.query('ripa', {}), deps.store.query('team', {})]);
  const children = new Map(
    (
      await Promise.all(
        [...new Set(rows.map((r) => r.record.childId))].map((id) => deps.store.get('child', id)),
      )
    ).flatMap((c) => (c ? [[c.record.id, c.record] as const] : [])),
  );
  const entries = await entriesOf(
    deps,
    rows.map((r) => r.record),
    {
      children,
      teams: new Map(
        teams.map((t) => [t.record.id, { name: t.record.name, profile: teamVersion(deps, t.record) }]),
      ),
    },
  );
  const waiting = await applicationsFor(deps, staff.value);
  return ok({
    entries: entries.sort(
      (a, b) => b.grantedOn.localeCompare(a.grantedOn) || a.reference.localeCompare(b.reference),
    ),
    waiting,
    waitingForOfficer:
      staff.value.role === 'authorised-officer'
        ? waiting.length
        : await waitingForOfficerOf(deps, staff.value),
  });
}

/** One authorisation, for an authorising officer of its child's team (the review, renewal and cancellation
 * card). */
export async function ripaFor(
  deps: Deps,
  input: { actorId: string; ripaId: string },
): Promise<Outcome<CentralRecordEntry & { version: string }>> {
  const staff = await actor(deps, input.actorId);
  if (!staff.ok) return staff;
  const found = await deps.store.get('ripa', input.ripaId);
  if (!found) return fail('NOT_FOUND', 'ripaId: Overt has no such RIPA authorisation', 'ripaId');
  if (!CENTRAL_RECORD_READERS.includes(staff.value.role) || !canActForTeam(staff.value, found.record.teamId))
    return fail('FORBIDDEN', 'this authorisation is for the authorising officers of its team to see');
  return ok({ ...(await entryOf(deps, found.record)), version: found.version });
}

/** The profile in force for an authorisation's team (its time zone, whether a magistrate approves), or
 * undefined when there is no such authorisation or its team's profile is not configured. */
export async function ripaProfile(deps: Deps, ripaId: string): Promise<Profile | undefined> {
  const found = await deps.store.get('ripa', ripaId);
  const tp = found && (await teamProfile(deps, found.record.teamId));
  return tp?.ok ? tp.value.profile : undefined;
}

/** What a reminder about one authorisation shows the person it is for, read as it is now: its reference, the
 * child as their role may see it (by name and case reference to an authorising officer or information
 * governance, who keep the central record; else by case reference alone), and its next review and end, en-GB. */
export async function ripaNoticeFacts(
  deps: Deps,
  ripaId: string,
  staffId: string,
): Promise<[string, string][] | undefined> {
  const [found, staff] = await Promise.all([
    deps.store.get('ripa', ripaId),
    deps.store.get('staff', staffId),
  ]);
  if (!found) return undefined;
  const r = found.record;
  const [child, team] = await Promise.all([
    deps.store.get('child', r.childId),
    deps.store.get('team', r.teamId),
  ]);
  const tz = (team && deps.profiles(team.record.profileId)?.timeZone) ?? DEFAULT_TIME_ZONE;
  const caseRef = child?.record.caseRef ?? 'unknown child';
  const named = staff && CENTRAL_RECORD_READERS.includes(staff.record.role) && child?.record.displayName;
  return [
    ['Reference', r.reference ?? 'No reference recorded'],
    ['Child', named ? `${child.record.displayName} (${caseRef})` : caseRef],
    ['Review due', dateGb(dayOf(r.reviewAt, tz))],
    ['Ends', dateGb(dayOf(r.until, tz))],
  ];
}

/**
 * The RIPA authorisation a request's check is done under, named for the record-the-check card before it is
 * saved (issue 13 walk, finding 5): its reference and its end, as covering today; or why none covers it
 * today. Undefined for a request not approved under one.
 */
export async function checkUnderRipa(deps: Deps, r: Request): Promise<string | undefined> {
  const [team, ripas, requests] = await Promise.all([
    deps.store.get('team', r.teamId),
    deps.store.query('ripa', { where: { childId: r.childId } }),
    deps.store.query('request', { where: { childId: r.childId } }),
  ]);
  const profile = team ? teamVersion(deps, team.record) : undefined;
  if (!profile) return undefined;
  const underRipa =
    reliesOnRipa(profile, (r.verdict as { determining?: string[] } | undefined)?.determining) ||
    ripas.some((x) => x.record.requestId === r.id);
  if (!underRipa) return undefined;
  const zone = profile.timeZone;
  const cover = coverFor(
    ripas,
    requests,
    { requestId: r.id, reason: r.reason },
    dayOf(deps.clock().toISOString(), zone),
    zone,
  );
  if (!cover) return 'This check needs a RIPA authorisation, and none is recorded for it.';
  if ('problem' in cover) return `${cover.problem.charAt(0).toUpperCase()}${cover.problem.slice(1)}.`;
  return `This check is done under ${ripaName(cover.ripa)}, in force until ${dateGb(dayOf(cover.ripa.until, zone))}: record only a viewing it covers.`;
}
