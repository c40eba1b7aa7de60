import { fingerprint } from './authority';
import { dayOf } from './days';
import type { Profile } from './profile';
import { dateGb } from '../vocabulary';

/** Version labels in order ("1" < "1.5" < "2" < "10"). */
export const versionOrder = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * A later version never takes effect before an earlier one: the versions of one id, in the order of their
 * labels, must take effect in the same order (undefined: they do).
 */
export function outOfOrder(versions: readonly Profile[]): string | undefined {
  const byLabel = [...versions].sort((a, b) => versionOrder(a.version, b.version));
  for (let i = 1; i < byLabel.length; i++) {
    const [before, after] = [byLabel[i - 1]!, byLabel[i]!];
    if (after.effectiveDate < before.effectiveDate)
      return `profile ${after.id} version ${after.version} takes effect on ${dateGb(after.effectiveDate)}, before version ${before.version} (${dateGb(before.effectiveDate)}): a later version cannot take effect before an earlier one`;
  }
  return undefined;
}

/**
 * A profile's versions: one id may be loaded in several versions, each with its effective date. A situation
 * is judged by the version in force at its moment — the latest whose effective date is on or before that day.
 */
export function profileVersions(profiles: readonly Profile[]): {
  byId: Map<string, Profile[]>;
  byFingerprint: Map<string, Profile>;
} {
  const byId = new Map<string, Profile[]>();
  const byFingerprint = new Map<string, Profile>();
  for (const p of profiles) {
    const list = byId.get(p.id) ?? [];
    const clash = list.find((q) => q.version === p.version && fingerprint(q) !== fingerprint(p));
    if (clash)
      throw new Error(
        `profile ${p.id} v${p.version} is loaded twice with different rules: give the changed one a version of its own`,
      );
    const dated = list.find((q) => q.effectiveDate === p.effectiveDate && q.version !== p.version);
    if (dated)
      throw new Error(
        `profile ${p.id} v${dated.version} and v${p.version} both take effect on ${p.effectiveDate}: one of them would never be in force`,
      );
    if (!list.some((q) => fingerprint(q) === fingerprint(p))) list.push(p);
    list.sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate));
    const disorder = outOfOrder(list);
    if (disorder) throw new Error(disorder);
    byId.set(p.id, list);
    byFingerprint.set(fingerprint(p), p);
  }
  return { byId, byFingerprint };
}

/**
 * The version in force at an instant (in each version's own time zone): the latest that has taken effect.
 * Before the first has, the first — which refuses, saying when it takes effect (evaluate fails closed).
 */
export function inForce(versions: readonly Profile[], at: string): Profile | undefined {
  let chosen: Profile | undefined = versions[0];
  for (const v of versions) if (dayOf(at, v.timeZone) >= v.effectiveDate) chosen = v;
  return chosen;
}
