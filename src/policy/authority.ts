import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json';
import type { Holder, Profile } from './profile';
import type { Actor, Authority, Role } from './situation';

/** What the policy needs to know of a person to say whether they hold an authority. */
export type Person = Pick<Actor, 'role'> &
  Partial<Pick<Actor, 'socialMediaResponsibility' | 'designatedOfficer' | 'flags' | 'groups' | 'teams'>>;

function matches(h: Holder, who: Person, childTeam: string | undefined): boolean {
  const held =
    (h.role !== undefined && who.role === h.role) ||
    (h.flag !== undefined &&
      (!!who.flags?.includes(h.flag) ||
        (h.flag === 'socialMediaResponsibility' && !!who.socialMediaResponsibility) ||
        (h.flag === 'designatedOfficer' && !!who.designatedOfficer))) ||
    (h.group !== undefined && !!who.groups?.includes(h.group));
  return held && (!h.ofChildTeam || (childTeam !== undefined && !!who.teams?.includes(childTeam)));
}

/**
 * Whether a person holds an authority under a profile: by one of its `roles` (any team), or one of its
 * `holders` — a role, a flag on their staff record, a named group — where `ofChildTeam` also asks that they
 * work in the child's own team. An authority the profile does not declare, or takes outside Overt, nobody holds.
 */
export function holds(
  p: Profile,
  authority: Authority,
  who: Person | undefined,
  childTeam?: string,
): boolean {
  const decl = p.authorities[authority];
  if (!decl || !who) return false;
  return decl.roles.includes(who.role) || decl.holders.some((h) => matches(h, who, childTeam));
}

/** The roles that hold an authority in some team (its `roles` and its role holders). */
export function authorityRoles(p: Profile, authority: Authority): Role[] {
  const decl = p.authorities[authority];
  if (!decl) return [];
  return [...new Set([...decl.roles, ...decl.holders.flatMap((h) => (h.role ? [h.role] : []))])];
}

/** Whether some holder of an authority holds it by a flag or a group rather than a role. */
export function heldOtherwise(p: Profile, authority: Authority): boolean {
  return !!p.authorities[authority]?.holders.some((h) => h.flag !== undefined || h.group !== undefined);
}

/** Every way of holding an authority, roles first, as holders. */
export function holdersOf(p: Profile, authority: Authority): Holder[] {
  const decl = p.authorities[authority];
  if (!decl) return [];
  return [...decl.roles.map((role) => ({ role })), ...decl.holders];
}

const fingerprints = new WeakMap<Profile, string>();
/**
 * A profile's fingerprint: the SHA-256 of its canonical form (the parsed profile, defaults filled in, keys
 * sorted), so two files that say the same thing have the same fingerprint and any change of substance gives
 * another. Every verdict carries it, so a decision names exactly the rules it was made under.
 */
export function fingerprint(p: Profile): string {
  let f = fingerprints.get(p);
  if (!f) {
    f = `sha256:${createHash('sha256').update(canonicalJson(p)).digest('hex')}`;
    fingerprints.set(p, f);
  }
  return f;
}

/**
 * The authorities that may decide a request waiting for `authority`: it, and any named beside it by a rule
 * that escalates to it (Kent: "a manager and, if necessary, information governance" — either agrees).
 */
export function decidersOf(p: Profile, authority: Authority): Authority[] {
  const out: Authority[] = [authority];
  for (const r of p.rules)
    if (r.effect === 'escalate' && r.authority?.includes(authority))
      for (const a of r.authority) if (!out.includes(a)) out.push(a);
  return out;
}

/**
 * Who may decide a request: the authority it waits for, every other its verdict names beside it ("Authority:
 * the authorising officer or the team manager" — a repeat under a RIPA authorisation in force, 000 §11 and §12),
 * and for each, any an escalation names beside it (decidersOf). The one answer: the request is sent to, waits
 * for, opens for and is decided by the holders of these, so nobody a verdict names is left without it.
 */
export function requestDeciders(p: Profile, waitsFor: Authority, named: readonly string[] = []): Authority[] {
  const out: Authority[] = [];
  for (const a of [waitsFor, ...named])
    if (p.authorities[a as Authority])
      for (const d of decidersOf(p, a as Authority)) if (!out.includes(d)) out.push(d);
  if (!out.length) out.push(waitsFor);
  return out;
}
