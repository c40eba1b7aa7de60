import { useState } from 'react';
import { Text } from '@fluentui/react-components';
import type { ChildRow } from '../../workflow/children-list';
import type { Client } from '../api';
import { DayInput, Heading } from '../common';
import { useMe } from '../nav';
import { ChildPicker } from './History';
import { Download } from './Review';

/** A child's subject-access export (JSON, PDF) and the audit trail as CSV, each offered only to whom may. */
export function ExportsView({ api }: { api: Client }) {
  const me = useMe();
  const [child, setChild] = useState<ChildRow | null>(null);
  const [from, setFrom] = useState(`${new Date().getFullYear()}-01-01`);
  const [to, setTo] = useState(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10));
  const badRange = Boolean(from && to && to <= from);
  return (
    <section aria-labelledby="exports-h">
      <Heading>
        <span id="exports-h">Exports</span>
      </Heading>
      {me.can.subjectAccess && (
        <>
          <Heading level={3}>Subject access</Heading>
          <ChildPicker api={api} onPick={setChild} label="Find the child" />
          {child && (
            <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
              <Text block>
                Child: {child.caseRef} {child.displayName}
              </Text>
              <Download
                api={api}
                path={`/api/v1/children/${encodeURIComponent(child.id)}/subject-access.json`}
                label="Subject access (JSON)"
              />
              <Download
                api={api}
                path={`/api/v1/children/${encodeURIComponent(child.id)}/subject-access.pdf`}
                label="Subject access (PDF)"
              />
            </div>
          )}
        </>
      )}
      {me.can.auditExport && (
        <>
          <Heading level={3}>Audit trail</Heading>
          <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'flex-end' }}>
            <DayInput label="From (day)" value={from} onChange={setFrom} />
            <DayInput
              label="Before (day)"
              value={to}
              onChange={setTo}
              validationMessage={badRange ? '“Before” must be a later day than “From”.' : undefined}
            />
            {from && to && !badRange && (
              <Download
                api={api}
                path={`/api/v1/audit.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`}
                label="Audit trail (CSV)"
              />
            )}
          </div>
        </>
      )}
    </section>
  );
}
