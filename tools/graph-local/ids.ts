// Identifiers: deterministic GUIDs for sites (stable across restarts), random ones elsewhere, and eTags.
import { createHash, randomUUID } from 'node:crypto';

export function stableGuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function newGuid(): string {
  return randomUUID();
}

/** Graph's listItem eTag: a quoted `{GUID},version`, e.g. `"{12AD05BB-59B8-43AA-9456-77C44E9BC066},756"`. */
export function etagOf(guid: string, version: number): string {
  return `"{${guid.toUpperCase()}},${version}"`;
}

/** If-Match may come with or without the surrounding quotes; `*` matches anything. */
export function etagMatches(ifMatch: string, current: string): boolean {
  const strip = (s: string): string => s.trim().replace(/^W\//, '').replace(/^"|"$/g, '').toUpperCase();
  return ifMatch.trim() === '*' || strip(ifMatch) === strip(current);
}
