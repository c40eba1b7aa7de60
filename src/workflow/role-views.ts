import { flagsOf } from './organisation';
import { staffMarks, type StaffMarks } from './staff-marks';
import { BUILTIN_IDS } from '../policy/builtin';
import type { ReasonsNeed } from '../policy/reasons';
import { z } from 'zod';
import type { Request, Staff } from '../store/records';
import { DEFAULT_TIME_ZONE, type Profile } from '../policy/profile';
import type { Verdict } from '../policy/verdict';
import { actor, canActForTeam, childRecords, historyFrom, profileOf, teamVersion } from './context';
import { approversOf, decisionChoices, type DecisionChoices } from './queries/request';
import {
  decidingAuthorities,
  decidingProfile,
  givenRationale,
  policyActor,
  staffHolds,
  verdictFor,
} from './policy-facts';
import { Id, parse } from './input';
import { fail, ok, type Deps, type Outcome } from './types';
import { citations, explanationText, officerWords } from '../vocabulary';

/**
 * Read models for the tab's role-shaped views: what awaits a manager's decision, the RIPA register (the
 * central record of authorisations), and the organisation (teams and staff) for the administrator. Names,
 * not ids, for every person; children by case reference and the name the team keeps.
 */

const ActorInput = z.object({ actorId: Id });

const OPEN: Request['status'][] = ['pending', 'escalated', 'more-info'];

export interface Awaiting {
  id: string;
  version: string;
  childId: string;
  caseRef: string;
  childName: string;
  teamName: string;
  requesterName: string;
  status: Request['status'];
  reason: string;
  rationale: string | null;
  /** The requester's answers to requests for more information, oldest first, beside the rationale. */
  answers: { at: string; text: string }[];
  viewer: string;
  platforms: { platform: string; account: string }[];
  authority: string;
  createdAt: string;
  /** The team's profile's time zone: when it was asked is shown on its calendar. */
  timeZone: string;
  explanation: string;
  /** The clauses the verdict rests on, as one citation in words ("Nottinghamshire YJS policy, section 11"). */
  cites: string[];
  obligations: { text: string; cites: string[] }[];
  /**
   * Whether the team's profile refuses this approval without the approver's reasons (Nottinghamshire and
   * Kent, 000 §10): the policy's own verdict on approving it with none, not a list of profiles. `why` is
   * the rule's explanation and clauses, for the field's hint.
   */
  reasonsToApprove: ReasonsNeed;
  /** What this person may do with it now: the same answer the bot's card offers (queries decisionChoices). */
  choices: DecisionChoices;
}

/** Clauses as people read them: one citation of the policy in words (none when no clause is cited). */
const cited = (ids: readonly string[], profile: Profile | undefined): string[] =>
  ids.length ? [citations(ids, profile)] : [];

/** The rules of a verdict that refuse for want of reasons. */
function reasonsRules(profile: Profile, v: Readonly<Verdict>) {
  if (v.outcome !== 'refuse') return [];
  return profile.rules.filter((r) => v.determining.includes(r.id) && r.when.reasons === 'absent');
}

async function names(deps: Deps, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const got = await Promise.all(unique.map((id) => deps.store.get('staff', id)));
  return new Map(got.flatMap((s) => (s ? [[s.record.id, s.record.name] as const] : [])));
}

/**
 * Whether anything can ever await this person's decision, so the tab offers "Awaiting decision" only then:
 * someone has delegated their decisions to them, or the profile in force for a team they act for names an
 * authority they hold (by role, flag or group). Information governance holds none in most profiles (the
 * view could only ever say "Nothing awaits your decision"); in Kent's it decides some requests.
 */
export async function mayDecide(deps: Deps, s: Staff): Promise<boolean> {
  const delegated = await deps.store.query('delegation', {
    where: { toId: s.id },
    range: { field: 'until', from: deps.clock().toISOString() },
  });
  if (delegated.length) return true;
  const actsForEveryTeam = canActForTeam({ ...s, teamIds: [] }, '');
  const teams = actsForEveryTeam
    ? (await deps.store.query('team')).map((t) => t.record)
    : (await Promise.all(s.teamIds.map((id) => deps.store.get('team', id)))).flatMap((t) =>
        t ? [t.record] : [],
      );
  return teams.some((team) => {
    const profile = teamVersion(deps, team);
    return !!profile && Object.keys(profile.authorities).some((a) => staffHolds(profile, a, s, team.id));
  });
}

/**
 * The open requests of the actor's teams that the actor may decide: the team's profile lets their role act
 * as the authority the request needs, and nobody decides their own request.
 */
export async function awaitingDecision(
  deps: Deps,
  input: z.input<typeof ActorInput>,
): Promise<Outcome<Awaiting[]>> {
  const parsed = parse(ActorInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  const s = staff.value;
  // Whoever a request was sent to for a decision finds it here: the same rule (approversOf) decides both, so an
  // authorised officer who acts for every team and is in none, or a deputy by delegation, is not left with an
  // empty list while the cards reach them (issue 20 walk: 61 officers added without a team saw nothing).
  const delegated = await deps.store.query('delegation', {
    where: { toId: s.id },
    range: { field: 'until', from: deps.clock().toISOString() },
  });
  // A role that acts for every team (an authorised officer, information governance) is in none of them.
  const actsForEveryTeam = canActForTeam({ ...s, teamIds: [] }, '');
  const rows = await deps.store.query('request', {
    where: delegated.length || actsForEveryTeam ? { status: OPEN } : { teamId: s.teamIds, status: OPEN },
    orderBy: { field: 'createdAt', dir: 'asc' },
  });
  const candidates = rows.filter(
    ({ record: r }) =>
      r.requesterId !== s.id &&
      r.status !== 'more-info' &&
      (delegated.length > 0 || canActForTeam(s, r.teamId)),
  );
  const teamIds = [...new Set([...s.teamIds, ...candidates.map((r) => r.record.teamId)])];
  const teams = new Map(
    (await Promise.all(teamIds.map((id) => deps.store.get('team', id)))).flatMap((t) =>
      t ? [[t.record.id, t.record] as const] : [],
    ),
  );
  const deciders = new Map<string, Promise<string[]>>();
  const mine = (
    await Promise.all(
      candidates.map(async (row) => {
        const r = row.record;
        const team = teams.get(r.teamId);
        const profile = decidingProfile(deps, r, team && teamVersion(deps, team));
        if (!profile) return undefined;
        const key = `${r.teamId}\u0000${profile.id} v${profile.version}\u0000${decidingAuthorities(profile, r).join(',')}\u0000${r.requesterId}`;
        const who = deciders.get(key) ?? approversOf(deps, r, profile);
        deciders.set(key, who);
        const decides = (await who).includes(s.id);
        return decides ? row : undefined;
      }),
    )
  ).flatMap((r) => (r ? [r] : []));
  const children = new Map(
    (
      await Promise.all(
        [...new Set(mine.map((r) => r.record.childId))].map((id) => deps.store.get('child', id)),
      )
    ).flatMap((c) => (c ? [[c.record.id, c.record] as const] : [])),
  );
  const who = await names(
    deps,
    mine.map((r) => r.record.requesterId),
  );
  // The policy's verdict on approving each request as this person, without reasons: does it refuse for want
  // of them? (The same evaluation the approval itself makes, with the child's record as it is now.)
  const settings = await deps.store.query('setting');
  const teamRows = new Map(
    (await Promise.all(teamIds.map((id) => deps.store.get('team', id)))).flatMap((t) =>
      t ? [[t.record.id, t] as const] : [],
    ),
  );
  // Each child's records, read once; the history of each request is scoped to it (the RIPA authorisations
  // granted for its request or purpose, as the approval itself reads them: ripa-cover.ts).
  const records = new Map(
    await Promise.all(
      [...children.values()].map(async (c) => [c.id, await childRecords(deps, c.id)] as const),
    ),
  );
  const reasonsNeeded = new Map<string, Awaiting['reasonsToApprove']>(
    await Promise.all(
      mine.map(async ({ record: r }): Promise<[string, Awaiting['reasonsToApprove']]> => {
        const child = children.get(r.childId);
        const teamAndProfile = profileOf(deps, r.teamId, teamRows.get(r.teamId), settings);
        if (!child || !teamAndProfile.ok) return [r.id, { required: false, why: '', cites: [] }];
        const profile = decidingProfile(deps, r, teamAndProfile.value.profile);
        const v = await verdictFor(
          deps,
          profile,
          child,
          {
            type: 'approve-check',
            by: policyActor(s),
            requester: r.requesterId,
            reason: r.reason,
            viewer: r.viewer,
            platforms: r.platforms.map((p) => p.platform),
            ...(givenRationale(r) ? { rationale: givenRationale(r) } : {}),
            authority: r.authority as never,
          },
          historyFrom(child, records.get(child.id)!, { requestId: r.id, reason: r.reason }),
        );
        const rules = reasonsRules(profile, v);
        return [
          r.id,
          {
            required: rules.length > 0,
            why: rules.map((x) => officerWords(x.explain)).join(' '),
            cites: cited(
              rules.flatMap((x) => x.cites),
              profile,
            ),
          },
        ];
      }),
    ),
  );
  return ok(
    mine.map(({ record: r, version }) => {
      const v = (r.verdict ?? {}) as {
        explanation?: string;
        cites?: string[];
        obligations?: { text: string; cites?: string[] }[];
      };
      const child = children.get(r.childId);
      const tp = profileOf(deps, r.teamId, teamRows.get(r.teamId), settings);
      const t = teams.get(r.teamId);
      const profile = decidingProfile(deps, r, tp.ok ? tp.value.profile : t && teamVersion(deps, t));
      return {
        id: r.id,
        version,
        childId: r.childId,
        caseRef: child?.caseRef ?? 'unknown child',
        childName: child?.displayName ?? '',
        teamName: teams.get(r.teamId)?.name ?? '',
        requesterName: who.get(r.requesterId) ?? 'a former member of staff',
        status: r.status,
        reason: r.reason,
        rationale: r.rationale ?? null,
        answers: (r.answers ?? []).map((a) => ({ at: a.at, text: a.text })),
        viewer: r.viewer,
        platforms: r.platforms,
        authority: r.authority,
        createdAt: r.createdAt,
        timeZone: profile?.timeZone ?? DEFAULT_TIME_ZONE,
        // The obligations are listed in full beside it: the explanation stops before naming them.
        explanation: explanationText({ explanation: v.explanation }),
        cites: cited((v.cites ?? []).map(String), profile),
        obligations: (v.obligations ?? []).map((o) => ({
          text: String(o.text),
          cites: cited((o.cites ?? []).map(String), profile),
        })),
        reasonsToApprove: reasonsNeeded.get(r.id)!,
        choices: decisionChoices(r),
      };
    }),
  );
}

export interface OrganisationView {
  teams: {
    id: string;
    name: string;
    profileId: string;
    profileName: string;
    managerIds: string[];
    managers: string[];
    deputies: string[];
    staff: number;
    children: number;
  }[];
  staff: {
    id: string;
    name: string;
    role: Staff['role'];
    teamIds: string[];
    teams: string[];
    email: string | null;
    /** The flags and named groups a policy reads that this person has (as the profiles spell them). */
    flags: string[];
    groups: string[];
  }[];
  /** The flags and named groups a member of staff may be given: those the loaded profiles read, labelled. */
  marks: StaffMarks;
  /** The profiles a team may be given: built in, then those loaded from files. */
  profiles: { id: string; name: string; version: string; builtIn: boolean }[];
}

/** Teams and staff, for the administrator. */
export async function organisationView(
  deps: Deps,
  input: z.input<typeof ActorInput>,
): Promise<Outcome<OrganisationView>> {
  const parsed = parse(ActorInput, input);
  if (!parsed.ok) return parsed;
  const staff = await actor(deps, parsed.value.actorId);
  if (!staff.ok) return staff;
  if (staff.value.role !== 'administrator')
    return fail('FORBIDDEN', 'teams and staff are for the administrator');
  const [teams, people, children] = await Promise.all([
    deps.store.query('team', {}),
    deps.store.query('staff', {}),
    deps.store.count('child', { groupBy: ['teamId'] }),
  ]);
  const name = new Map(people.map((p) => [p.record.id, p.record.name]));
  const teamName = new Map(teams.map((t) => [t.record.id, t.record.name]));
  const perTeam = new Map(children.map((c) => [String(c.group.teamId), c.count]));
  return ok({
    teams: teams
      .map(({ record: t }) => ({
        id: t.id,
        name: t.name,
        profileId: t.profileId,
        profileName: deps.profiles(t.profileId)?.name ?? t.profileId,
        managerIds: t.managerIds,
        managers: t.managerIds.map((id) => name.get(id) ?? 'a former member of staff'),
        deputies: (t.deputyIds ?? []).map((id) => name.get(id) ?? 'a former member of staff'),
        staff: people.filter((p) => p.record.teamIds.includes(t.id)).length,
        children: perTeam.get(t.id) ?? 0,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    staff: people
      .map(({ record: p }) => ({
        id: p.id,
        name: p.name,
        role: p.role,
        teamIds: p.teamIds,
        teams: p.teamIds.map((id) => teamName.get(id) ?? 'a team no longer kept'),
        email: p.email ?? null,
        flags: flagsOf(p),
        groups: p.groups ?? [],
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    marks: staffMarks(deps),
    profiles: [
      ...BUILTIN_IDS.map((id) => ({ id, builtIn: true })),
      ...(deps.customProfileIds ?? []).map((id) => ({ id, builtIn: false })),
    ].flatMap(({ id, builtIn }) => {
      const p = deps.profiles(id);
      return p ? [{ id, name: p.name, version: p.version, builtIn }] : [];
    }),
  });
}
