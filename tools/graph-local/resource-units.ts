// Resource units per request, after "Avoid getting throttled or blocked in SharePoint Online":
// 1 for a single-item query (or a delta with a token), 2 for a multi-item query (or delta without a token)
// and for create/update/delete, 5 for permission operations (including $expand=permissions).

export function resourceUnits(method: string, path: string, query: URLSearchParams): number {
  const expand = query.get('$expand') ?? query.get('expand') ?? '';
  if (/\/permissions(\/|$)/.test(path) || /permissions/.test(expand)) return 5;
  if (method !== 'GET') return 2;
  if (/\/items\/delta$/.test(path)) return query.has('token') || query.has('$skiptoken') ? 1 : 2;
  const last = path.split('/').filter(Boolean).pop() ?? '';
  return ['items', 'lists', 'columns'].includes(last) ? 2 : 1;
}
