/**
 * What the bot reads to show a card: who is acting, the children they may pick, a request as its views show
 * it, who may decide it, a person's requests, a child's summary. Reads only, on indexed fields: every write
 * goes through one workflow function.
 */
import { DEFAULT_TIME_ZONE } from '../policy/profile';
import type { Profile } from '../policy/profile';
import type { Check, Child, Consent, Objection, Request, Staff } from '../store/records';
import type { Versioned } from '../store/store';
import { canActForTeam } from '../workflow/context';
import { staffHolds } from '../workflow/policy-facts';
import { authorityRoles, heldOtherwise } from '../policy/authority';
import type { Deps, VerdictSummary } from '../workflow';
import { staffIdOf } from './identity';
import type { DecisionFacts } from '../workflow/context';
import type { ChildSummary, RequestLine } from './views/conversation-cards';
import type { RequestView } from './views/request-view';
import type { VerdictView } from './views/verdict';
import { dateGb, OBJECTION_STATUS, phrase } from '../vocabulary';

/** The member of staff an activity comes from: found only by the Entra object id Teams sends
 * (`from.aadObjectId`), through the configured map; `from.id` is never used (any channel can claim one). Roles come from the store, never from a card. */
export async function staffOf(
  deps: Deps,
  from: { aadObjectId?: string },
  map: Readonly<Record<string, string>> = {},
): Promise<Staff | undefined> {
  if (!from.aadObjectId) return undefined;
  return (await deps.store.get('staff', staffIdOf(from.aadObjectId, map)))?.record;
}

export const nameOf = async (deps: Deps, id: string | undefined): Promise<string> =>
  id ? ((await deps.store.get('staff', id))?.record.name ?? id) : 'someone';

/** The reasons and viewing methods a profile lists: what its refusal rules accept, and what its rules name. */
export function profileOptions(profile: Profile): { reasons: string[]; viewers: string[] } {
  const reasons = new Set<string>();
  const viewers = new Set<string>();
  for (const r of profile.rules) {
    const w = r.when as {
      reasonNotIn?: string[];
      reasonIn?: string[];
      viewerNotIn?: string[];
      viewerIn?: string[];
    };
    if (r.effect === 'refuse') {
      w.reasonNotIn?.forEach((x) => reasons.add(x));
      w.viewerNotIn?.forEach((x) => viewers.add(x));
    }
    w.reasonIn?.forEach((x) => reasons.add(x));
    w.viewerIn?.forEach((x) => viewers.add(x));
  }
  return { reasons: [...reasons], viewers: [...viewers] };
}

/** The time zone a team's dates are read and written in: its profile's. */
export async function teamTimeZone(deps: Deps, teamId: string): Promise<string> {
  return (await teamAndProfile(deps, teamId))?.profile.timeZone ?? DEFAULT_TIME_ZONE;
}

export async function teamAndProfile(deps: Deps, teamId: string) {
  const team = (await deps.store.get('team', teamId))?.record;
  const profile = team ? deps.profiles(team.profileId) : undefined;
  return team && profile ? { team, profile } : undefined;
}

/** The children of the person's teams matching what they typed (case reference or initials). */
export async function childChoices(
  deps: Deps,
  staff: Staff,
  text: string,
  top: number,
  skip = 0,
): Promise<{ title: string; value: string }[]> {
  const rows = staff.teamIds.length
    ? await deps.store.query('child', { where: { teamId: staff.teamIds } })
    : [];
  const q = text.trim().toLowerCase();
  return rows
    .map((r) => r.record)
    .filter((c) => !q || c.caseRef.toLowerCase().includes(q) || c.displayName.toLowerCase().includes(q))
    .sort((a, b) => a.caseRef.localeCompare(b.caseRef))
    .slice(skip, skip + top)
    .map((c) => ({ title: `${c.caseRef} · ${c.displayName}`, value: c.id }));
}

/** A child named by case reference (any case) among the children the person may act for. */
export async function findChild(deps: Deps, staff: Staff, ref: string): Promise<Child | undefined> {
  const wanted = ref.trim().toUpperCase();
  for (const caseRef of new Set([wanted, ref.trim()])) {
    const rows = await deps.store.query('child', { where: { caseRef }, limit: 5 });
    const found = rows.map((r) => r.record).find((c) => canActForTeam(staff, c.teamId));
    if (found) return found;
  }
  const byId = await deps.store.get('child', ref.trim());
  return byId && canActForTeam(staff, byId.record.teamId) ? byId.record : undefined;
}

export function verdictView(v: VerdictSummary | null | undefined, profile: Profile | undefined): VerdictView {
  const s = (v ?? {}) as Partial<VerdictSummary>;
  return {
    outcome: s.outcome ?? 'refuse',
    authority: s.authority ?? null,
    explanation: s.explanation ?? '',
    clauses: (s.cites ?? [])
      .map((id) => ({ id, title: profile?.clauses[id] ?? '' }))
      .map((c) => ({
        id: c.id,
        title: c.title || c.id,
      })),
    obligations: (s.obligations ?? []).map((o) => o.text),
  };
}

async function consentText(deps: Deps, child: Child, known?: Consent[]): Promise<string> {
  if (child.consentStatus === 'given' && child.consentId) {
    const id = child.consentId;
    const c = known?.find((k) => k.id === id) ?? (await deps.store.get('consent', id))?.record;
    return c ? `given by ${c.givenBy} on ${dateGb(c.date, await teamTimeZone(deps, child.teamId))}` : 'given';
  }
  return child.consentStatus === 'withdrawn' ? 'withdrawn' : 'none on record';
}

async function objectionText(deps: Deps, child: Child, known?: Objection[]): Promise<string | null> {
  if (!child.openObjectionId) return null;
  const id = child.openObjectionId;
  const o = known?.find((k) => k.id === id) ?? (await deps.store.get('objection', id))?.record;
  return o
    ? `raised by ${o.raisedBy} on ${dateGb(o.raisedAt, await teamTimeZone(deps, child.teamId))} (${phrase(o.status, OBJECTION_STATUS)})`
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
  const [consents, , , checks, objections] = facts.records;
  const profile = facts.team && deps.profiles(facts.team.record.profileId);
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
  found: Versioned<'request'>,
  known: ViewKnown = {},
): Promise<RequestView | undefined> {
  const r = found.record;
  const name = namer(deps, known.people);
  const given = known.child?.record.id === r.childId ? known.child : undefined;
  const [child, profile, checks, decisions] = await Promise.all([
    given?.record ?? deps.store.get('child', r.childId).then((c) => c?.record),
    known.profile ?? teamAndProfile(deps, r.teamId).then((tp) => tp?.profile),
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
  };
}

/** Who may decide a request now: the team's staff in the roles the authority names, the cross-team roles,
 * and anyone an approver has delegated to today. */
export async function approversOf(deps: Deps, r: Request, profile?: Profile): Promise<string[]> {
  const p = profile ?? (await teamAndProfile(deps, r.teamId))?.profile;
  if (!p) return [];
  const roles = authorityRoles(p, r.authority);
  // Holders by a flag or a group may hold any role: then every member of staff is a candidate.
  const otherwise = heldOtherwise(p, r.authority);
  if (!roles.length && !otherwise) return [];
  const staff = (await deps.store.query('staff', otherwise ? {} : { where: { role: roles } }))
    .map((s) => s.record)
    .filter(
      (s) => canActForTeam(s, r.teamId) && s.id !== r.requesterId && staffHolds(p, r.authority, s, r.teamId),
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

export async function myRequests(deps: Deps, staff: Staff): Promise<RequestLine[]> {
  const rows = await deps.store.query('request', {
    where: { requesterId: staff.id },
    orderBy: { field: 'createdAt', dir: 'desc' },
    limit: 15,
  });
  return Promise.all(
    rows.map(async ({ record: r }) => ({
      id: r.id,
      caseRef: (await deps.store.get('child', r.childId))?.record.caseRef ?? r.childId,
      status: r.status,
      createdAt: r.createdAt,
      reason: r.reason,
      timeZone: await teamTimeZone(deps, r.teamId),
    })),
  );
}

export async function childSummary(deps: Deps, child: Child): Promise<ChildSummary> {
  const where = { childId: child.id };
  const [requests, checks, team, consent, objection] = await Promise.all([
    deps.store.query('request', { where, orderBy: { field: 'createdAt', dir: 'desc' }, limit: 10 }),
    deps.store.query('check', { where, orderBy: { field: 'viewedAt', dir: 'desc' }, limit: 10 }),
    deps.store.get('team', child.teamId),
    consentText(deps, child),
    objectionText(deps, child),
  ]);
  const timeZone = (team && deps.profiles(team.record.profileId)?.timeZone) ?? DEFAULT_TIME_ZONE;
  return {
    childId: child.id,
    caseRef: child.caseRef,
    name: child.displayName,
    team: team?.record.name ?? child.teamId,
    timeZone,
    consent,
    objection,
    requests: await Promise.all(
      requests.map(async ({ record: r }) => ({
        at: r.createdAt,
        status: r.status,
        by: await nameOf(deps, r.requesterId),
      })),
    ),
    checks: await Promise.all(
      checks.map(async ({ record: c }) => ({ at: c.viewedAt, by: await nameOf(deps, c.viewerId) })),
    ),
  };
}

/** Information-governance staff, told of every objection. */
export async function igStaff(deps: Deps): Promise<string[]> {
  return (await deps.store.query('staff', { where: { role: 'information-governance' } })).map(
    (s) => s.record.id,
  );
}
