// Resource shapes returned for sites, lists and items.
import { columnResource } from './columns';
import { renderFields, type LookupText } from './field-values';
import { etagOf } from './ids';
import { findList, type ItemRec, type ListRec, type SiteRec } from './state';

export function siteWebUrl(site: SiteRec): string {
  return `https://${site.hostname}${site.path}`;
}

export function siteResource(site: SiteRec): Record<string, unknown> {
  return {
    createdDateTime: site.created,
    description: '',
    id: site.id,
    lastModifiedDateTime: site.created,
    name: site.path.split('/').filter(Boolean).pop() ?? site.hostname,
    webUrl: siteWebUrl(site),
    displayName: site.displayName,
    siteCollection: { hostname: site.hostname },
  };
}

export function listResource(site: SiteRec, list: ListRec, withColumns: boolean): Record<string, unknown> {
  return {
    '@odata.etag': etagOf(list.id, list.changeSeq + 1),
    createdDateTime: list.created,
    description: list.description,
    eTag: etagOf(list.id, list.changeSeq + 1),
    id: list.id,
    lastModifiedDateTime: list.modified,
    name: list.name,
    webUrl: `${siteWebUrl(site)}/Lists/${encodeURIComponent(list.name)}`,
    displayName: list.displayName,
    parentReference: { siteId: site.id },
    list: { contentTypesEnabled: false, hidden: false, template: 'genericList' },
    ...(withColumns ? { columns: list.columns.map(columnResource) } : {}),
  };
}

const APP = { user: { displayName: 'SharePoint App' } };

export function lookupTextIn(site: SiteRec): LookupText {
  return (listId, itemId, columnName) => {
    const target = findList(site, listId);
    const v = target?.items[String(itemId)]?.values[columnName];
    return v === undefined ? '' : String(v);
  };
}

export function itemResource(
  site: SiteRec,
  list: ListRec,
  item: ItemRec,
  fields: { expand: boolean; select?: string[] },
): Record<string, unknown> {
  const etag = etagOf(item.guid, item.version);
  return {
    '@odata.etag': etag,
    createdDateTime: item.created,
    eTag: etag,
    id: String(item.id),
    lastModifiedDateTime: item.modified,
    webUrl: `${siteWebUrl(site)}/Lists/${encodeURIComponent(list.name)}/${item.id}_.000`,
    createdBy: APP,
    lastModifiedBy: APP,
    parentReference: { id: list.id, siteId: site.id },
    contentType: { id: '0x0100', name: 'Item' },
    ...(fields.expand ? { fields: renderFields(list, item, fields.select, lookupTextIn(site)) } : {}),
  };
}
