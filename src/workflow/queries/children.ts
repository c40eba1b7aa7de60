/**
 * A child's file as a person may see it: the children they may pick, a child by case reference, and a
 * child's summary (consent, objection, recent requests and checks). Reads only, on indexed fields.
 */
import type { Child, RequestStatus, Staff } from '../../store/records';
import { canActForTeam } from '../context';
import type { Deps } from '../types';
import { childZone, teamZone } from '../zone';
import { consentText, objectionText } from './request';
import { nameOf } from './people';

export type ChildSummary = {
  childId: string;
  caseRef: string;
  name: string;
  team: string;
  /** The team's profile's time zone: the card's dates are on its calendar. */
  timeZone: string;
  consent: string;
  objection: string | null;
  requests: { at: string; status: RequestStatus; by: string }[];
  checks: { at: string; by: string }[];
  /** How many of each the child has on record in all (the lists hold the newest). */
  requestsTotal: number;
  checksTotal: number;
};

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

/** At most this many children are offered as a plain choice list on the request form. */
export const PICK_LIMIT = 25;

/**
 * The children a person may pick on the request form without a typeahead (the Agents Playground and any
 * client without Teams' dynamic search): every child of their teams when there are at most `PICK_LIMIT`,
 * else undefined (the form offers the typeahead and a case reference typed, resolved by `findChild`).
 */
export async function pickableChildren(
  deps: Deps,
  staff: Staff,
): Promise<{ title: string; value: string }[] | undefined> {
  const some = await childChoices(deps, staff, '', PICK_LIMIT + 1);
  return some.length <= PICK_LIMIT ? some : undefined;
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

/** A child's case reference (the only detail of the child an approval card names), else `unknown`. */
export async function caseRefOf(deps: Deps, childId: string): Promise<string> {
  return (await deps.store.get('child', childId))?.record.caseRef ?? 'unknown';
}

/** An objection as the notice to information governance tells it: the child's case reference, who raised it
 * and when (undefined if there is no such objection). */
export async function objectionForNotice(
  deps: Deps,
  objectionId: string,
): Promise<
  { childId: string; caseRef: string; raisedBy: string; raisedAt: string; timeZone: string } | undefined
> {
  const o = (await deps.store.get('objection', objectionId))?.record;
  if (!o) return undefined;
  return {
    childId: o.childId,
    caseRef: await caseRefOf(deps, o.childId),
    raisedBy: o.raisedBy,
    raisedAt: o.raisedAt,
    // The day it was raised, on the calendar of the child's team's profile.
    timeZone: await childZone(deps, o.childId),
  };
}

export async function childSummary(deps: Deps, child: Child): Promise<ChildSummary> {
  const where = { childId: child.id };
  const [requests, checks, team, consent, objection, requestCount, checkCount] = await Promise.all([
    deps.store.query('request', { where, orderBy: { field: 'createdAt', dir: 'desc' }, limit: 10 }),
    deps.store.query('check', { where, orderBy: { field: 'viewedAt', dir: 'desc' }, limit: 10 }),
    deps.store.get('team', child.teamId),
    consentText(deps, child),
    objectionText(deps, child),
    deps.store.count('request', { where }),
    deps.store.count('check', { where }),
  ]);
  const timeZone = await teamZone(deps, child.teamId);
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
    requestsTotal: Math.max(requestCount[0]?.count ?? 0, requests.length),
    checksTotal: Math.max(checkCount[0]?.count ?? 0, checks.length),
  };
}
