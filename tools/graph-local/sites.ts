// Site seeding from options: `contoso.sharepoint.com:/sites/overt` or `https://contoso.sharepoint.com/sites/overt`.
import { toGraphDate } from './field-values';
import { stableGuid } from './ids';
import type { SiteRec, State } from './state';

export function parseSiteSpec(spec: string): { hostname: string; path: string } {
  if (/^https:\/\//i.test(spec)) {
    const u = new URL(spec);
    return { hostname: u.hostname.toLowerCase(), path: u.pathname.replace(/\/+$/, '') || '/' };
  }
  const i = spec.indexOf(':/');
  if (i <= 0)
    throw new Error(`Site '${spec}': write it as host:/path, e.g. contoso.sharepoint.com:/sites/overt`);
  return { hostname: spec.slice(0, i).toLowerCase(), path: spec.slice(i + 1).replace(/\/+$/, '') || '/' };
}

/** A 3-part site id `{hostname},{siteCollectionGuid},{webGuid}`, stable for the same host and path. */
export function siteId(hostname: string, path: string): string {
  return `${hostname},${stableGuid(`site:${hostname}${path}`)},${stableGuid(`web:${hostname}${path}`)}`;
}

export function seedSites(state: State, existing: string[], granted: string[]): void {
  const grantedKeys = new Set(
    granted.map((s) => JSON.stringify(parseSiteSpec(s).hostname + parseSiteSpec(s).path.toLowerCase())),
  );
  for (const spec of [...existing, ...granted]) {
    const { hostname, path } = parseSiteSpec(spec);
    const id = siteId(hostname, path.toLowerCase());
    const site: SiteRec = state.sites[id] ?? {
      id,
      hostname,
      path,
      displayName: path.split('/').filter(Boolean).pop() ?? hostname,
      created: toGraphDate(new Date()),
      granted: false,
      lists: {},
    };
    site.granted = grantedKeys.has(JSON.stringify(hostname + path.toLowerCase()));
    state.sites[id] = site;
  }
}
