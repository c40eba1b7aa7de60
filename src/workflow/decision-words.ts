/**
 * `overt decision explain <event>` for a person: the decision recorded and its replay in words — who acted
 * (by name and role), for which child (case reference and name), what was asked, under which policy and
 * version, what was on record, the verdict and each rule that decided it in the policy's own words with its
 * clauses cited as people read them, and whether the replay gave the same verdict. Dates are en-GB in the
 * profile's time zone; no staff, record or clause id is shown (only the event as the person typed it).
 */
import { authorityName } from '../policy/evaluate';
import type { Profile } from '../policy/profile';
import type { HistoryEvent } from '../policy/situation';
import type { AuditEvent } from '../store/audit';
import {
  AUDIT_ACTION,
  citations,
  DEFAULT_TIME_ZONE,
  dateGb,
  dateTimeGb,
  label,
  phrase,
  ROLE,
  VERDICT_OUTCOME,
  officerWords,
} from '../vocabulary';
import type { DecisionRecord } from './decision-record';
import { fingerprint } from '../policy/authority';
import type { Deps } from './types';

/** What was on the child's record, as a person says it. */
const HISTORY: Record<HistoryEvent['event'], string> = {
  'consent-recorded': 'consent or notice recorded',
  'consent-withdrawn': 'consent withdrawn',
  'consent-exception-agreed': 'a consent exception agreed',
  'reminder-given': 'a reminder given',
  'assessment-started': 'an assessment started',
  'check-requested': 'a check requested',
  'check-approved': 'a check approved',
  'check-completed': 'a check done',
  'objection-raised': 'an objection raised',
  'objection-resolved': 'an objection resolved',
  'ripa-authorised': 'a RIPA authorisation',
};

/** What the policy was asked, as a person says it. */
const ASKED: Record<DecisionRecord['action']['type'], string> = {
  'request-check': 'may this request be raised',
  'approve-check': 'may this request be approved',
  'record-check': 'may this check be recorded',
  'view-history': "may this person read the child's record",
};

const THIRD_PARTY: Record<string, string> = {
  none: 'none seen',
  'seen-not-kept': 'seen, not kept',
  kept: 'kept',
};

const list = (xs: string[]) =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]!}`;

/** The profile the decision names: the loaded version with its fingerprint, else that version. */
function profileOf(deps: Deps, r: DecisionRecord): Profile | undefined {
  const versions = deps.profileVersions(r.profile.id);
  return (
    versions.find((p) => p.version === r.profile.version && fingerprint(p) === r.profile.fingerprint) ??
    versions.find((p) => p.version === r.profile.version)
  );
}

/** A person by name and role, from the staff records; someone no longer on record by their role. */
async function person(deps: Deps, id: string, role?: string): Promise<string> {
  const staff = (await deps.store.get('staff', id))?.record;
  const r = staff?.role ?? role;
  const roleWords = r ? phrase(r, ROLE) : 'someone';
  return staff ? `${staff.name}, ${roleWords}` : `a ${roleWords} no longer on record`;
}

/** The child the event is about: itself, or through the request (or check) it is about. */
async function childOf(deps: Deps, event: AuditEvent): Promise<string | undefined> {
  const { kind, id } = event.target;
  let childId: string | undefined;
  if (kind === 'child') childId = id;
  else if (kind === 'request') childId = (await deps.store.get('request', id))?.record.childId;
  else if (kind === 'check') childId = (await deps.store.get('check', id))?.record.childId;
  const child = childId ? (await deps.store.get('child', childId))?.record : undefined;
  return child ? `${child.displayName} (${child.caseRef})` : undefined;
}

/** Why a decision cannot be replayed here (the version that made it is not loaded), and how to replay it:
 * one sentence for the words and for `--json`'s `problem`. */
export function notLoaded(deps: Deps, r: DecisionRecord): { what: string; fix: string } {
  const name = deps.profileVersions(r.profile.id).at(-1)?.name ?? 'this policy';
  return {
    what: `version ${r.profile.version} of ${name} is not loaded here (its fingerprint is ${r.profile.fingerprint})`,
    fix: "To replay it, give the service that version's file in OVERT_PROFILE_FILES.",
  };
}

export interface DecisionInWords {
  typed: string;
  event: AuditEvent;
  recorded: DecisionRecord;
  /** Undefined when the version that decided is not loaded here: the recorded verdict is said, not replayed. */
  replayed: DecisionRecord['verdict'] | undefined;
  same: boolean;
}

/** The explanation as lines of plain words. */
export async function decisionInWords(deps: Deps, x: DecisionInWords): Promise<string[]> {
  const { recorded: r, event } = x;
  // Not loaded: the policy's name, authorities and clause titles from another version of it, if any; never
  // its rules' words (they may have changed).
  const profile = x.replayed ? profileOf(deps, r) : deps.profileVersions(r.profile.id).at(-1);
  const tz = profile?.timeZone ?? DEFAULT_TIME_ZONE;
  const a = r.action;
  const cite = (ids: string[]) => citations(ids, profile);
  const verdictWords = (v: DecisionRecord['verdict']) => {
    const who = v.authority ? `; for ${authorityName(v.authority as never, profile)} to decide` : '';
    return `${label(v.outcome, VERDICT_OUTCOME)}${who}`;
  };
  const asked: string[] = [];
  if ('reason' in a && a.reason) asked.push(`reason: ${phrase(a.reason, profile?.reasons)}`);
  if ('platforms' in a) asked.push(`platforms: ${list(a.platforms.map((p) => label(p)))}`);
  if ('viewer' in a) asked.push(`viewed with: ${phrase(a.viewer)}`);
  if (a.type === 'approve-check') asked.push(`deciding as ${authorityName(a.authority as never, profile)}`);
  if (a.type === 'record-check') {
    if (a.viewedAt) asked.push(`viewed on ${dateTimeGb(a.viewedAt, tz)}`);
    asked.push(`other people's information: ${THIRD_PARTY[a.thirdPartyData] ?? a.thirdPartyData}`);
    asked.push(`did not friend or follow: ${a.attestNoFriendFollow ? 'ticked' : 'not ticked'}`);
  }
  const given = r.facts.given;
  const shown = given.slice(-10).map((g) => `${HISTORY[g.event] ?? phrase(g.event)} on ${dateGb(g.on, tz)}`);
  const onRecord = given.length
    ? `${given.length === 1 ? 'one event' : `${given.length} events`} — ${given.length > 10 ? `the last ten: ` : ''}${list(shown)}`
    : 'nothing';
  const child = await childOf(deps, event);
  const lines = [
    `Event ${x.typed}: ${AUDIT_ACTION[event.action] ?? phrase(event.action)}, ${dateTimeGb(event.at, tz)}`,
    `By: ${await person(deps, a.by.id, a.by.role)}`,
    ...(child ? [`Child: ${child}`] : []),
    `Asked: ${ASKED[a.type]}${asked.length ? ` — ${asked.join('; ')}` : ''}`,
    `Policy: ${profile?.name ?? r.profile.id}, version ${r.profile.version}`,
    `On record for the child on ${dateTimeGb(r.facts.now, tz)}: ${onRecord}`,
    `Verdict recorded: ${verdictWords(r.verdict)}`,
  ];
  for (const d of r.verdict.determining) {
    // No rule fired: the policy fails closed, in its own words and clauses.
    const closed = d.rule === 'default' && profile ? profile.default : undefined;
    const rule = closed ?? (x.replayed ? profile?.rules.find((x) => x.id === d.rule) : undefined);
    const why = rule ? officerWords(rule.explain) : 'a rule of this policy version no longer loaded here';
    const cites = closed ? closed.cites : d.cites;
    lines.push(`  because: ${why} (${cites.length ? cite(cites) : 'a local decision'})`);
  }
  if (!x.replayed) {
    const missing = notLoaded(deps, r);
    lines.push(`Not replayed: ${missing.what}, so the verdict above is the one recorded. ${missing.fix}`);
    return [...lines, ''];
  }
  const replayed = x.replayed;
  lines.push(
    x.same
      ? `Replayed with the same policy version: the same verdict (${verdictWords(replayed)})`
      : `Replayed with the same policy version: a different verdict — now ${verdictWords(replayed)}${replayed.cites.length ? `, citing ${cite(replayed.cites)}` : ''}`,
  );
  return [...lines, ''];
}
