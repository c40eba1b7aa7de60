import { Link, Text } from '@fluentui/react-components';
import type { ChildRow } from '../../workflow/children-list';
import type { MyRequest } from '../../workflow/my-requests';
import { AUTHORITY, label, PLATFORM, REASON, statusWords } from '../../vocabulary';
import type { Client } from '../api';
import { DataTable, day, Heading, Loaded, useLoad } from '../common';
import { useMe } from '../nav';

/** The caller's own requests and where each one stands, and the children whose case they hold. */
export function MyRequestsView({ api }: { api: Client }) {
  const me = useMe();
  const [load] = useLoad(() => api.get<MyRequest[]>('/api/v1/requests/mine'), [api]);
  const offersChildren = me.views.some((v) => v.id === 'child');
  const [children] = useLoad(
    () =>
      offersChildren
        ? api.get<ChildRow[]>('/api/v1/children')
        : Promise.resolve({ ok: true as const, value: [] as ChildRow[] }),
    [api, offersChildren],
  );
  return (
    <section aria-labelledby="requests-h">
      <Heading>
        <span id="requests-h">My requests</span>
      </Heading>
      <Loaded load={load}>
        {(rows) =>
          rows.length ? (
            <DataTable
              label="My requests"
              rows={rows}
              rowKey={(r) => r.id}
              columns={[
                { label: 'Raised', render: (r) => day(r.createdAt) },
                {
                  label: 'Child',
                  render: (r) => <Link href={`#child/${encodeURIComponent(r.childId)}`}>{r.caseRef}</Link>,
                },
                { label: 'Reason', render: (r) => label(r.reason, REASON) },
                { label: 'Platforms', render: (r) => r.platforms.map((p) => label(p, PLATFORM)).join(', ') },
                {
                  label: 'Decided by',
                  render: (r) => r.deciderName ?? `${label(r.authority, AUTHORITY)} (to decide)`,
                },
                { label: 'Status', render: (r) => statusWords(r.status) },
                { label: 'Last change', render: (r) => day(r.updatedAt) },
              ]}
            />
          ) : (
            <Text>You have raised no request. Raise one in a chat with the Overt bot.</Text>
          )
        }
      </Loaded>
      {offersChildren && (
        <>
          <Heading level={3}>Your children</Heading>
          <Loaded load={children}>
            {(rows) => {
              const yours = rows.filter((c) => c.yours);
              return yours.length ? (
                <ul aria-label="Your children" style={{ columns: '14em', padding: 0, listStyle: 'none' }}>
                  {yours.map((c) => (
                    <li key={c.id} style={{ padding: '2px 0' }}>
                      <Link href={`#child/${encodeURIComponent(c.id)}`}>{c.caseRef}</Link> {c.displayName}
                      {c.openObjection ? ' — objection open' : ''}
                    </li>
                  ))}
                </ul>
              ) : (
                <Text block>No child's case is yours. Find any child of your team under Children.</Text>
              );
            }}
          </Loaded>
        </>
      )}
    </section>
  );
}
