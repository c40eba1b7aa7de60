import type { OrganisationView as Organisation } from '../../workflow/role-views';
import { label, ROLE } from '../../vocabulary';
import type { Client } from '../api';
import { DataTable, Heading, Loaded, useLoad } from '../common';

/** Teams and staff, for the administrator. */
export function OrganisationView({ api }: { api: Client }) {
  const [load] = useLoad(() => api.get<Organisation>('/api/v1/organisation'), [api]);
  return (
    <section aria-labelledby="organisation-h">
      <Heading>
        <span id="organisation-h">Teams and staff</span>
      </Heading>
      <Loaded load={load}>
        {(o) => (
          <>
            <Heading level={3}>Teams ({o.teams.length})</Heading>
            <DataTable
              label="Teams"
              rows={o.teams}
              rowKey={(t) => t.id}
              columns={[
                { label: 'Team', render: (t) => t.name },
                { label: 'Policy', render: (t) => t.profileName },
                { label: 'Managers', render: (t) => t.managers.join(', ') || '—' },
                { label: 'Deputies', render: (t) => t.deputies.join(', ') || '—' },
                { label: 'Staff', render: (t) => String(t.staff) },
                { label: 'Children', render: (t) => String(t.children) },
              ]}
            />
            <Heading level={3}>Staff ({o.staff.length})</Heading>
            <DataTable
              label="Staff"
              rows={o.staff}
              rowKey={(s) => s.id}
              columns={[
                { label: 'Name', render: (s) => s.name },
                { label: 'Role', render: (s) => label(s.role, ROLE) },
                { label: 'Teams', render: (s) => s.teams.join(', ') || '—' },
              ]}
            />
          </>
        )}
      </Loaded>
    </section>
  );
}
