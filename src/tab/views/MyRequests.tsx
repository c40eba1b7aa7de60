import {
  Link,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from '@fluentui/react-components';
import type { MyRequest } from '../../workflow/my-requests';
import type { Client } from '../api';
import { day, Heading, Loaded, useLoad } from '../common';

/** The caller's own requests and where each one stands (the "My requests" tab). */
export function MyRequestsView({ api }: { api: Client }) {
  const [load] = useLoad(() => api.get<MyRequest[]>('/api/v1/requests/mine'), [api]);
  return (
    <section aria-labelledby="requests-h">
      <Heading>
        <span id="requests-h">My requests</span>
      </Heading>
      <Loaded load={load}>
        {(rows) =>
          rows.length ? (
            <Table size="small" aria-label="My requests">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Raised</TableHeaderCell>
                  <TableHeaderCell>Child</TableHeaderCell>
                  <TableHeaderCell>Reason</TableHeaderCell>
                  <TableHeaderCell>Platforms</TableHeaderCell>
                  <TableHeaderCell>Authority</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                  <TableHeaderCell>Last change</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((r) => (
                  <TableRow key={r.id}>
                    <TableCell>{day(r.createdAt)}</TableCell>
                    <TableCell>
                      <Link href={`#child/${encodeURIComponent(r.childId)}`}>{r.caseRef}</Link>
                    </TableCell>
                    <TableCell>{r.reason}</TableCell>
                    <TableCell>{r.platforms.join(', ')}</TableCell>
                    <TableCell>{r.authority}</TableCell>
                    <TableCell>{r.status}</TableCell>
                    <TableCell>{day(r.updatedAt)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : (
            <Text>You have raised no request. Raise one in a chat with the Overt bot.</Text>
          )
        }
      </Loaded>
    </section>
  );
}
