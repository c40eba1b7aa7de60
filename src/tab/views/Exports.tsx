import { useState } from 'react';
import { Field, Input, Text } from '@fluentui/react-components';
import type { Client } from '../api';
import { Heading } from '../common';
import { ChildPicker } from './History';
import { Download } from './Review';

/** A child's subject-access export (JSON, PDF) and the audit trail as CSV, each with its progress. */
export function ExportsView({ api }: { api: Client }) {
  const [childId, setChildId] = useState('');
  const [from, setFrom] = useState(`${new Date().getFullYear()}-01-01`);
  const [to, setTo] = useState(new Date(Date.now() + 86_400_000).toISOString().slice(0, 10));
  return (
    <section aria-labelledby="exports-h">
      <Heading>
        <span id="exports-h">Exports</span>
      </Heading>
      <Heading level={3}>Subject access</Heading>
      <ChildPicker api={api} onPick={setChildId} label="Find the child" />
      {childId && (
        <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
          <Text block>Child: {childId}</Text>
          <Download
            api={api}
            path={`/api/v1/children/${encodeURIComponent(childId)}/subject-access.json`}
            label="Subject access (JSON)"
          />
          <Download
            api={api}
            path={`/api/v1/children/${encodeURIComponent(childId)}/subject-access.pdf`}
            label="Subject access (PDF)"
          />
        </div>
      )}
      <Heading level={3}>Audit trail</Heading>
      <div style={{ display: 'flex', gap: 12, flexWrap: 'wrap', alignItems: 'flex-end' }}>
        <Field label="From (day)">
          <Input type="date" value={from} onChange={(_e, d) => setFrom(d.value)} />
        </Field>
        <Field label="Before (day)">
          <Input type="date" value={to} onChange={(_e, d) => setTo(d.value)} />
        </Field>
        <Download
          api={api}
          path={`/api/v1/audit.csv?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`}
          label="Audit trail (CSV)"
        />
      </div>
    </section>
  );
}
