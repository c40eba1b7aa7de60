import { Link, Text } from '@fluentui/react-components';
import type { RipaEntry } from '../../workflow/role-views';
import type { Client } from '../api';
import { DataTable, day, Heading, Loaded, useLoad } from '../common';

/** The RIPA register: the central record of directed-surveillance authorisations (000 §12). */

const STATE: Record<RipaEntry['state'], string> = {
  'in-force': 'In force',
  'review-due': 'In force, review overdue',
  cancelled: 'Cancelled',
  ended: 'Ended',
};

export function RipaView({ api }: { api: Client }) {
  const [load] = useLoad(() => api.get<RipaEntry[]>('/api/v1/ripa'), [api]);
  return (
    <section aria-labelledby="ripa-h">
      <Heading>
        <span id="ripa-h">RIPA register</span>
      </Heading>
      <Text block>The central record of directed-surveillance authorisations.</Text>
      <Loaded load={load}>
        {(rows) =>
          rows.length ? (
            <DataTable
              label="RIPA authorisations"
              rows={rows}
              rowKey={(r) => r.id}
              columns={[
                {
                  label: 'Child',
                  render: (r) => (
                    <>
                      <Link href={`#child/${encodeURIComponent(r.childId)}`}>{r.caseRef}</Link> {r.childName}
                    </>
                  ),
                },
                { label: 'Team', render: (r) => r.teamName },
                { label: 'Authorising officer', render: (r) => r.officerName },
                { label: 'Offence', render: (r) => `${r.offence} (up to ${r.maxSentenceMonths} months)` },
                { label: 'Legal advice', render: (r) => r.legalAdviceRef },
                { label: 'From', render: (r) => day(r.from) },
                { label: 'Until', render: (r) => day(r.until) },
                { label: 'Review', render: (r) => day(r.reviewAt) },
                {
                  label: 'State',
                  render: (r) => `${STATE[r.state]}${r.cancelledAt ? ` on ${day(r.cancelledAt)}` : ''}`,
                },
              ]}
            />
          ) : (
            <Text block>No authorisation is on the register.</Text>
          )
        }
      </Loaded>
    </section>
  );
}
