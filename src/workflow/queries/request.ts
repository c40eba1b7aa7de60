/**
 * A request as a given person may see it: its view (the child, consent, objection, recent checks, the
 * latest decision, the verdict with its clauses), who may decide it, and how the person stands to it;
 * and what a person has asked for. Reads only, on indexed fields; the commands check everything again.
 */
import { DEFAULT_TIME_ZONE } from '../../policy/profile';
import type { Profile } from '../../policy/profile';
import type {
  Check,
  Child,
  Consent,
  Objection,
  Request,
  RequestStatus,
  Staff,
  Team,
} from '../../store/records';
import type { Versioned } from '../../store/store';
import { authorityRoles, heldOtherwise } from '../../policy/authority';
import { reasonsToApprove, type ReasonsNeed } from '../../policy/reasons';
import {
  authorityAlone,
  authorityInSentence,
  citation,
  dateGb,
  OBJECTION_STATUS,
  officerWords,
  phrase,
  requestStateSentence,
} from '../../vocabulary';
import { canActForTeam, teamProfile, teamVersion, type DecisionFacts, type VerdictSummary } from '../context';
import { decidingAuthorities, decidingProfile, givenRationale, staffHolds } from '../policy-facts';
import type { Deps } from '../types';
import { teamZone } from '../zone';
import { nameOf } from './people';

export type VerdictView = {
  outcome: 'allow' | 'refuse' | 'needs-escalation';
  /** Who must authorise (the authority's id), when the outcome names one. */
  authority: string | null;
  /** That authority as people read it, by the profile's name for it: inside a sentence ("the child's own team
   * manager") and on its own ("The child's own team manager"). */
  authorityWords?: { inSentence: string; alone: string };
  explanation: string;
  /** Each clause it rests on: its id (for machines), its citation in words and its title (for people). */
  clauses: { id: string; cite: string; title: string }[];
  obligations: string[];
};

export type RequestView = {
  id: string;
  /** The record's version when the card was made: a decision on an older one is a stale card. */
  version: string;
  caseRef: string;
  childName: string;
  status: RequestStatus;
  reason: string;
  platforms: { platform: string; account: string }[];
  viewer: string;
  rationale?: string;
  /** The requester's answers to requests for more information, oldest first (beside the rationale). */
  answers?: { at: string; text: string }[];
  requesterName: string;
  createdAt: string;
  authority: string;
  /** The team's profile's time zone: the card's dates are on its calendar. */
  timeZone?: string;
  verdict: VerdictView;
  consent: string;
  objection: string | null;
  recentChecks: { at: string; by: string }[];
  decided?: { by: string; at: string; outcome: string; reasons: string };
  /** Whether the team's profile asks for the approver's reasons to approve it, too (000 §10), and why. */
  reasonsToApprove: ReasonsNeed;
};

/** A request as read, with the version a decision on it must name. */
export type FoundRequest = Versioned<'request'>;

/** A request by id, with its version; undefined when there is none. */
export async function requestById(deps: Deps, id: string): Promise<FoundRequest | undefined> {
  return deps.store.get('request', id);
}

export type RequestLine = {
  id: string;
  caseRef: string;
  status: RequestStatus;
  createdAt: string;
  reason: string;
  /** The team's profile's time zone: the line's date is on its calendar. */
  timeZone: string;
};

/** A team and the profile in force for it, as the commands read them (the administrator's edited
 * platform notes applied); undefined for no team, or a profile not configured. */
export async function teamWithProfile(
  deps: Deps,
  teamId: string,
): Promise<{ team: Team; profile: Profile } | undefined> {
  const found = await teamProfile(deps, teamId);
  return found.ok ? found.value : undefined;
}

async function profileOfTeam(deps: Deps, teamId: string): Promise<Profile | undefined> {
  return (await teamWithProfile(deps, teamId))?.profile;
}

export function verdictView(v: VerdictSummary | null | undefined, profile: Profile | undefined): VerdictView {
  const s = (v ?? {}) as Partial<VerdictSummary>;
  return {
    outcome: s.outcome ?? 'refuse',
    authority: s.authority ?? null,
    ...(s.authority
      ? {
          authorityWords: {
            inSentence: authorityInSentence(s.authority, profile?.authorities[s.authority]?.name),
            alone: authorityAlone(s.authority, profile?.authorities[s.authority]?.name),
          },
        }
      : {}),
    // Kept with the request as the policy said it then: the RIPA officer by the one name people read now.
    explanation: officerWords(s.explanation ?? ''),
    clauses: (s.cites ?? []).map((id) => ({
      id,
      cite: citation(id, profile),
      title: officerWords(profile?.clauses[id] ?? ''),
    })),
    obligations: (s.obligations ?? []).map((o) => officerWords(o.text)),
  };
}

export async function consentText(deps: Deps, child: Child, known?: Consent[]): Promise<string> {
  if (child.consentStatus === 'given' && child.consentId) {
    const id = child.consentId;
    const c = known?.find((k) => k.id === id) ?? (await deps.store.get('consent', id))?.record;
    return c ? `given by ${c.givenBy} on ${dateGb(c.date, await teamZone(deps, child.teamId))}` : 'given';
  }
  return child.consentStatus === 'withdrawn' ? 'withdrawn' : 'none on record';
}

export async function objectionText(deps: Deps, child: Child, known?: Objection[]): Promise<string | null> {
  if (!child.openObjectionId) return null;
  const id = child.openObjectionId;
  const o = known?.find((k) => k.id === id) ?? (await deps.store.get('objection', id))?.record;
  return o
    ? `raised by ${o.raisedBy} on ${dateGb(o.raisedAt, await teamZone(deps, child.teamId))} (${phrase(o.status, OBJECTION_STATUS)})`
    : 'open';
}

/** Names of staff, each read once per call. */
function namer(deps: Deps, known: Staff[] = []) {
  const names = new Map<string, Promise<string>>(known.map((s) => [s.id, Promise.resolve(s.name)]));
  return (id: string | undefined): Promise<string> => {
    if (!id) return Promise.resolve('someone');
    let name = names.get(id);
    if (!name) names.set(id, (name = nameOf(deps, id)));
    return name;
  };
}

/** What a view may be given instead of reading it: the team's profile, people already read, the decision
 * just made (the latest, so the decisions need not be read) and the child's record as a command read it. */
export type ViewKnown = {
  profile?: Profile;
  people?: Staff[];
  decided?: { by: string; at: string; outcome: string; reasons: string };
  child?: { record: Child; consents: Consent[]; checks: Check[]; objections: Objection[] };
};

/** What a decision was made on, as a view's `known`. */
export function knownFrom(deps: Deps, facts: DecisionFacts): ViewKnown {
  const { consents, checks, objections } = facts.records;
  const profile = facts.team && teamVersion(deps, facts.team.record);
  return {
    ...(profile ? { profile } : {}),
    ...(facts.child
      ? {
          child: {
            record: facts.child.record,
            consents: consents.map((c) => c.record),
            checks: checks.map((c) => c.record),
            objections: objections.map((o) => o.record),
          },
        }
      : {}),
  };
}

/** A request as its cards show it: the child, team, recent checks and decisions read together. */
export async function requestView(
  deps: Deps,
  found: FoundRequest,
  known: ViewKnown = {},
): Promise<RequestView | undefined> {
  const r = found.record;
  const name = namer(deps, known.people);
  const given = known.child?.record.id === r.childId ? known.child : undefined;
  const [child, profile, checks, decisions] = await Promise.all([
    given?.record ?? deps.store.get('child', r.childId).then((c) => c?.record),
    Promise.resolve(known.profile ?? profileOfTeam(deps, r.teamId)).then((p) => decidingProfile(deps, r, p)),
    given
      ? [...given.checks].sort((a, b) => b.viewedAt.localeCompare(a.viewedAt)).slice(0, 5)
      : deps.store
          .query('check', {
            where: { childId: r.childId },
            orderBy: { field: 'viewedAt', dir: 'desc' },
            limit: 5,
          })
          .then((rows) => rows.map((c) => c.record)),
    known.decided ? [] : deps.store.query('decision', { where: { requestId: r.id } }),
  ]);
  if (!child) return undefined;
  const last = decisions.map((d) => d.record).sort((a, b) => b.at.localeCompare(a.at))[0];
  const [requesterName, consent, objection, recentChecks, decided] = await Promise.all([
    name(r.requesterId),
    consentText(deps, child, given?.consents),
    objectionText(deps, child, given?.objections),
    Promise.all(checks.map(async (c) => ({ at: c.viewedAt, by: await name(c.viewerId) }))),
    known.decided ??
      (last &&
        name(last.deciderId).then((by) => ({
          by,
          at: last.at,
          outcome: last.outcome,
          reasons: last.reasons,
        }))),
  ]);
  return {
    id: r.id,
    version: found.version,
    caseRef: child.caseRef,
    childName: child.displayName,
    status: r.status,
    reason: r.reason,
    platforms: r.platforms,
    viewer: r.viewer,
    ...(r.rationale ? { rationale: r.rationale } : {}),
    ...(r.answers?.length ? { answers: r.answers.map((a) => ({ at: a.at, text: a.text })) } : {}),
    requesterName,
    createdAt: r.createdAt,
    authority: r.authority,
    /** The team's profile's time zone: the dates on the request's cards are on its calendar. */
    timeZone: profile?.timeZone ?? DEFAULT_TIME_ZONE,
    verdict: verdictView(r.verdict as VerdictSummary, profile),
    consent,
    objection,
    recentChecks,
    ...(decided ? { decided } : {}),
    reasonsToApprove: profile
      ? reasonsToApprove(profile, { ...r, rationale: givenRationale(r) })
      : { required: false, why: '', cites: [] },
  };
}

/** Who may decide a request now: for the authority it waits for, every other its verdict names beside it and
 * every other the profile lets decide beside those (decidingAuthorities: Kent 002 §Appendix 2, a manager and,
 * if necessary, information governance; Nottinghamshire, a repeat under a RIPA authorisation in force), the
 * team's staff who hold it, the cross-team roles, and anyone an approver has delegated to today. The one rule
 * of who may decide: the cards are sent to them, and it is what waits for them. */
export async function approversOf(deps: Deps, r: Request, profile?: Profile): Promise<string[]> {
  // The version that names the authority it waits for (a new version may have renamed it): decidingProfile.
  const p = decidingProfile(deps, r, profile ?? (await profileOfTeam(deps, r.teamId)));
  if (!p) return [];
  const authorities = decidingAuthorities(p, r);
  const roles = [...new Set(authorities.flatMap((a) => authorityRoles(p, a)))];
  // Holders by a flag or a group may hold any role: then every member of staff is a candidate.
  const otherwise = authorities.some((a) => heldOtherwise(p, a));
  if (!roles.length && !otherwise) return [];
  const staff = (await deps.store.query('staff', otherwise ? {} : { where: { role: roles } }))
    .map((s) => s.record)
    .filter(
      (s) =>
        canActForTeam(s, r.teamId) &&
        s.id !== r.requesterId &&
        authorities.some((a) => staffHolds(p, a, s, r.teamId)),
    );
  const ids = staff.map((s) => s.id);
  const now = deps.clock().toISOString();
  if (ids.length) {
    const delegations = await deps.store.query('delegation', {
      where: { fromId: ids },
      range: { field: 'until', from: now },
    });
    for (const d of delegations)
      if (d.record.from <= now && d.record.toId !== r.requesterId) ids.push(d.record.toId);
  }
  return [...new Set(ids)];
}

/** The same person's earliest other request for the same child, for the same reason, still undecided and
 * raised no later than this one: what a request sent twice is warned of (the second is saved; a second may be
 * meant, and whoever decides sees both). */
export async function earlierOpenRequest(deps: Deps, r: Request): Promise<Request | undefined> {
  return (
    await deps.store.query('request', {
      where: {
        requesterId: r.requesterId,
        childId: r.childId,
        status: ['pending', 'escalated', 'more-info'],
      },
    })
  )
    .map((x) => x.record)
    .filter((x) => x.id !== r.id && x.reason === r.reason && x.createdAt <= r.createdAt)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
}

/** A request on the RIPA route: a repeat viewing escalated to an authorising officer, who records a RIPA
 * directed-surveillance authorisation on it or refuses it (ripa.ts); it is never approved as a request. */
export const onRipaRoute = (r: Pick<Request, 'status' | 'authority'>): boolean =>
  r.status === 'escalated' && r.authority === 'authorised-officer';

export type DecisionOutcome = 'approve' | 'decline' | 'more-info';
/** What someone who may decide a request can do with it now: decide it (these outcomes), or act on the RIPA
 * route (authorise or refuse the directed surveillance from its own card or the RIPA view), with why. */
export type DecisionChoices =
  { route: 'decide'; outcomes: DecisionOutcome[] } | { route: 'ripa'; why: string };

/**
 * The one answer, for the bot's approval card and the tab alike, to what a person who may decide a request is
 * offered: the commands (decideRequest, authoriseRipa, refuseRipa) refuse anything else, so nothing offered is
 * refused for the request's state. On the RIPA route there is no approval; while more information is asked for,
 * the request may only be declined; a request no longer open offers nothing.
 */
export function decisionChoices(r: Pick<Request, 'status' | 'authority'>): DecisionChoices {
  if (onRipaRoute(r))
    return {
      route: 'ripa',
      why: 'This repeat viewing needs a RIPA directed-surveillance authorisation: an authorising officer records it, or refuses it, on the RIPA application. It is not approved as a request.',
    };
  if (r.status === 'more-info') return { route: 'decide', outcomes: ['decline'] };
  if (r.status === 'pending' || r.status === 'escalated')
    return { route: 'decide', outcomes: ['approve', 'decline', 'more-info'] };
  return { route: 'decide', outcomes: [] };
}

export type Standing = 'requester' | 'approver' | 'team' | 'outsider';

/** How a person stands to a request, for choosing their view; the workflow checks again on every decision.
 * `approvers` when they have been read already. */
export async function standing(
  deps: Deps,
  staff: Staff,
  r: Request,
  approvers?: string[],
): Promise<Standing> {
  if (r.requesterId === staff.id) return 'requester';
  if ((approvers ?? (await approversOf(deps, r))).includes(staff.id)) return 'approver';
  return canActForTeam(staff, r.teamId) ? 'team' : 'outsider';
}

/** Whether a person has no standing at all on a request. Anyone who may act for the request's team is an
 * approver or in the team, so only someone outside it needs the approvers read (a deputy by delegation). */
export async function isOutsider(deps: Deps, staff: Staff, r: Request): Promise<boolean> {
  if (r.requesterId === staff.id || canActForTeam(staff, r.teamId)) return false;
  return (await standing(deps, staff, r)) === 'outsider';
}

/** One page of a person's requests, newest first (`page` from 1, `size` a page), and how many they have in all.
 * The store has no offset: a page reads the requests up to its end and keeps its own (a person's requests are
 * hundreds at most). */
export async function myRequests(
  deps: Deps,
  staff: Staff,
  size = 15,
  page = 1,
): Promise<{ lines: RequestLine[]; total: number; page: number; size: number }> {
  const counted = await deps.store.count('request', { where: { requesterId: staff.id } });
  const total = counted[0]?.count ?? 0;
  const last = Math.max(1, Math.ceil(total / size));
  const shown = Math.min(Math.max(1, page), last);
  const rows = (
    await deps.store.query('request', {
      where: { requesterId: staff.id },
      orderBy: { field: 'createdAt', dir: 'desc' },
      limit: shown * size,
    })
  ).slice((shown - 1) * size);
  const lines = await Promise.all(
    rows.map(async ({ record: r }) => ({
      id: r.id,
      caseRef: (await deps.store.get('child', r.childId))?.record.caseRef ?? r.childId,
      status: r.status,
      createdAt: r.createdAt,
      reason: r.reason,
      timeZone: await teamZone(deps, r.teamId),
    })),
  );
  return { lines, total: Math.max(total, (shown - 1) * size + lines.length), page: shown, size };
}

/** Where a request stands now, in one sentence (vocabulary `requestStateSentence`), with when it came to be so
 * and by whom: the check recorded (its date and who recorded it), or the decision (its date and decider). */
export async function requestStateNow(deps: Deps, r: Request, subject = 'This request'): Promise<string> {
  const timeZone = await teamZone(deps, r.teamId);
  if (r.status === 'completed') {
    const check = (await deps.store.query('check', { where: { requestId: r.id } }))
      .map((c) => c.record)
      .sort((a, b) => b.recordedAt.localeCompare(a.recordedAt))[0];
    if (check)
      return requestStateSentence(r.status, subject, {
        at: check.recordedAt,
        by: await nameOf(deps, check.recordedBy),
        timeZone,
      });
  }
  if (r.decidedAt && ['approved', 'declined'].includes(r.status))
    return requestStateSentence(r.status, subject, {
      at: r.decidedAt,
      ...(r.decidedBy ? { by: await nameOf(deps, r.decidedBy) } : {}),
      timeZone,
    });
  return requestStateSentence(r.status, subject);
}
