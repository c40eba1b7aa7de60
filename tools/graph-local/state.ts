// In-memory state: sites, lists, columns, items and the change log used by delta. Plain data, so it
// can be written to and read from a JSON snapshot.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import type { DirectorySeed } from './directory';
import type { TeamworkSeed } from './teamwork';
import type { ColumnType } from './schemas';

export type Stored = string | number | boolean | number[] | string[];

export type ColumnRec = {
  id: string;
  name: string;
  displayName: string;
  description: string;
  type: ColumnType;
  facet: Record<string, unknown>;
  indexed: boolean;
  enforceUniqueValues: boolean;
  required: boolean;
  hidden: boolean;
  readOnly: boolean;
  columnGroup: string;
};

export type ItemRec = {
  id: number;
  guid: string;
  version: number;
  created: string;
  modified: string;
  values: Record<string, Stored>;
  /** Change sequence of the last write, for delta. */
  seq: number;
};

export type ListRec = {
  id: string;
  siteId: string;
  name: string;
  displayName: string;
  description: string;
  created: string;
  modified: string;
  columns: ColumnRec[];
  items: Record<string, ItemRec>;
  nextItemId: number;
  changeSeq: number;
  tombstones: { id: number; seq: number }[];
};

export type SiteRec = {
  id: string;
  hostname: string;
  path: string;
  displayName: string;
  created: string;
  granted: boolean;
  lists: Record<string, ListRec>;
};

export type State = {
  sites: Record<string, SiteRec>;
  /** Entra ID users and groups (directory.ts). */
  directory?: DirectorySeed;
  /** Teams apps in the catalog and their installations for users (teamwork.ts). */
  teamwork?: TeamworkSeed;
};

export function loadState(path: string | undefined): State {
  if (path && existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as State;
  return { sites: {} };
}

export function saveState(path: string | undefined, state: State): void {
  if (path) writeFileSync(path, JSON.stringify(state));
}

export function findList(site: SiteRec, idOrName: string): ListRec | undefined {
  const key = idOrName.toLowerCase();
  return Object.values(site.lists).find(
    (l) => l.id.toLowerCase() === key || l.displayName.toLowerCase() === key || l.name.toLowerCase() === key,
  );
}

export function liveItems(list: ListRec): ItemRec[] {
  return Object.values(list.items).sort((a, b) => a.id - b.id);
}
