import type { Client } from '@microsoft/microsoft-graph-client';
import { createHash } from 'node:crypto';
import type { Kind } from '../records';
import type { Versioned } from '../store';
import { GRAPH_RETRY, type GraphRetryPolicy } from './retry';
import { Batcher, GraphUnavailableError, errorOf, type GraphReply } from './batch';
import { GraphItem, ItemPage, SELECT, quote, recordOf } from './fields';
import type { RequestCounter } from './graph-client';
import { AuditColumns, RECORD_ID, type ListKey } from './lists';
import { ReadQueue } from './read-queue';

/** Where Overt's lists are: the site id and each list's id. */
export type GraphSite = { siteId: string; lists: Record<ListKey, string> };

/** A record this instance has seen: its item id never changes (records are never deleted), its version
 * and body may be stale, so every write made from it carries If-Match. */
export type Seen = { itemId: string; version: string; record: { id: string } };

export type Tail = { seq: number; hash: string };

const PAGE = 1000;

/** Shared by the store and the unit writer: the transport, the lists, and what this instance has seen. */
export class GraphContext {
  readonly batcher: Batcher;
  readonly reads: ReadQueue;
  readonly seen = new Map<string, Seen>();
  /** The last audit event this instance knows of (null: the trail is empty; undefined: not read yet).
   * A stale one is caught by the unique seq column. */
  tail: Tail | null | undefined;
  /** Seals each event written (the guard's, with the audit key: anchor.ts). */
  sealer: ((hash: string) => string) | undefined;

  constructor(
    readonly client: Client,
    readonly counter: RequestCounter,
    readonly site: GraphSite,
    readonly staleMs: number,
    /** Closes the transport: what is under way is abandoned, nothing later is sent. */
    readonly closeTransport: () => Promise<void> = async () => undefined,
    readonly retry: GraphRetryPolicy = GRAPH_RETRY,
  ) {
    this.batcher = new Batcher(client, retry);
    this.reads = new ReadQueue(this.batcher);
  }

  items(list: ListKey): string {
    return `/sites/${this.site.siteId}/lists/${this.site.lists[list]}/items`;
  }

  remember<K extends Kind>(kind: K, item: GraphItem): Versioned<K> {
    const v = recordOf(kind, item);
    this.seen.set(`${kind}/${v.record.id}`, { itemId: item.id, version: v.version, record: v.record });
    return v;
  }

  /** The current record and its item id, read from Graph (by item id when known: 1 RU, else by the
   * unique indexed record id: 2 RU). */
  async fetch<K extends Kind>(
    kind: K,
    id: string,
    first = false,
  ): Promise<(Versioned<K> & { itemId: string }) | undefined> {
    const seen = this.seen.get(`${kind}/${id}`);
    if (seen) {
      const r = await this.reads.get(`${this.items(kind)}/${seen.itemId}?${SELECT}`, first);
      if (r.status === 200) {
        const item = GraphItem.parse(r.body);
        return { ...this.remember(kind, item), itemId: item.id };
      }
      if (r.status !== 404) throw unexpected(`reading ${kind} ${id}`, r);
      this.seen.delete(`${kind}/${id}`);
    }
    const filter = `fields/${RECORD_ID} eq ${quote(id)}`;
    const page = await this.page(
      `${this.items(kind)}?$filter=${encodeURIComponent(filter)}&${SELECT}&$top=1`,
      first,
    );
    const item = page.value[0];
    return item ? { ...this.remember(kind, item), itemId: item.id } : undefined;
  }

  async page(url: string, first = false): Promise<{ value: GraphItem[]; next?: string }> {
    const r = await this.reads.get(url, first);
    if (r.status !== 200) throw unexpected(`reading ${url}`, r);
    const page = ItemPage.parse(r.body);
    const next = page['@odata.nextLink'];
    return { value: page.value, ...(next ? { next: relative(next) } : {}) };
  }

  /** Items of a list page by page (following @odata.nextLink) until `enough` says stop. */
  async *pages(list: ListKey, query: { filter?: string; orderby?: string; select: string; top?: number }) {
    const params = [
      ...(query.filter ? [`$filter=${encodeURIComponent(query.filter)}`] : []),
      ...(query.orderby ? [`$orderby=${encodeURIComponent(query.orderby)}`] : []),
      query.select,
      `$top=${Math.min(query.top ?? PAGE, PAGE)}`,
    ];
    let url: string | undefined = `${this.items(list)}?${params.join('&')}`;
    while (url) {
      const page: { value: GraphItem[]; next?: string } = await this.page(url);
      yield page.value;
      url = page.next;
    }
  }

  /** The last audit event, read from Graph. */
  async readTail(): Promise<Tail | null> {
    const select = `$expand=fields($select=${AuditColumns.seq},${AuditColumns.body})`;
    for await (const items of this.pages('audit', {
      orderby: `fields/${AuditColumns.seq} desc`,
      select,
      top: 1,
    })) {
      const last = items[0];
      if (!last) break;
      const event = JSON.parse(String(last.fields[AuditColumns.body])) as { seq: number; hash: string };
      this.tail = { seq: event.seq, hash: event.hash };
      return this.tail;
    }
    this.tail = null;
    return null;
  }
}

/** A path relative to the version root, from an absolute nextLink (batch URLs must be relative). */
export function relative(link: string): string {
  return link.replace(/^https:\/\/[^/]+\/(v1\.0|beta)/, '');
}

export function unexpected(what: string, r: GraphReply): Error {
  const { code, message } = errorOf(r);
  return new GraphUnavailableError(`Graph answered ${r.status} ${code} ${message} when ${what}`.trim());
}

/** A stable, UUID-shaped event id from the unit's key and the event's place in it, so that a unit
 * finished after a crash writes exactly the events it would have. */
export function eventId(key: string, index: number): string {
  const h = createHash('sha256').update(`${key}\n${index}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
