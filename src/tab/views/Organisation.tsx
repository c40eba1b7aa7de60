import { useEffect, useRef, useState, type ReactNode } from 'react';
import {
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Select,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import type { CaseListPlan, CaseListRow } from '../../workflow/organisation';
import type { OrganisationView as Organisation } from '../../workflow/role-views';
import { label, ROLE } from '../../vocabulary';
import { CASE_LIST_MAX_BYTES, caseListTooLarge, rowsToFix, sizeWords } from '../../vocabulary/case-list';
import type { Client, Problem } from '../api';
import { DataTable, Heading, Loaded, SuccessNote, useLoad } from '../common';

/**
 * Teams and staff, for the administrator: a team's name, managers and policy profile; a member of staff's
 * role and teams; the case list from the case system's CSV export, checked row by row before it is imported.
 * Every change is a workflow command, audited; a refusal is shown in words by the field it concerns.
 */

type Team = Organisation['teams'][number];
type Person = Organisation['staff'][number];

/** A problem in words: without the field's name the service puts first ("profileId: no profile …"). */
const words = (p: Problem) => p.detail.replace(/^[\w.]+: /, '');

/** A refusal in words; `whole`: as given (a case list's, whose every word is the person's to read). */
function Refusal({ problem, whole }: { problem: Problem | null; whole?: boolean }) {
  if (!problem) return null;
  return (
    <MessageBar intent="error" role="alert" layout="multiline">
      <MessageBarBody style={{ whiteSpace: 'pre-line' }}>
        {whole ? problem.detail : words(problem)}
      </MessageBarBody>
    </MessageBar>
  );
}

function Panel({
  label: name,
  wide,
  standing,
  children,
}: {
  label: string;
  wide?: boolean;
  /** Always on the page (the case list's): not brought into view, or the view would open scrolled to it. */
  standing?: boolean;
  children: ReactNode;
}) {
  // A form opened from a row of a long table is brought into view.
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!standing) ref.current?.scrollIntoView({ block: 'nearest' });
  }, [standing]);
  return (
    <form
      ref={ref}
      aria-label={name}
      onSubmit={(e) => e.preventDefault()}
      style={{
        display: 'grid',
        gridTemplateColumns: 'minmax(0, 1fr)',
        gap: 8,
        maxWidth: wide ? 960 : 560,
        boxSizing: 'border-box',
        padding: 12,
        margin: '8px 0',
        background: tokens.colorNeutralBackground1,
        border: `1px solid ${tokens.colorNeutralStroke2}`,
        borderRadius: 6,
      }}
    >
      <Text weight="semibold">{name}</Text>
      {children}
    </form>
  );
}

/** A short id for a new team from its name: "East Youth Justice" → "east-youth-justice". */
const slug = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'team';

function TeamForm({
  api,
  o,
  team,
  done,
}: {
  api: Client;
  o: Organisation;
  team: Team | null;
  done: (note: string) => void;
}) {
  const [name, setName] = useState(team?.name ?? '');
  const [profileId, setProfileId] = useState(team?.profileId ?? o.profiles[0]?.id ?? '');
  const [managers, setManagers] = useState<string[]>(team?.managerIds ?? []);
  const [problem, setProblem] = useState<Problem | null>(null);
  const candidates = o.staff.filter((s) => s.role === 'team-manager' || managers.includes(s.id));
  const save = async () => {
    const id = team?.id ?? slug(name);
    const r = await api.put<unknown>(`/api/v1/teams/${encodeURIComponent(id)}`, {
      name,
      managerIds: managers,
    });
    if (!r.ok) return setProblem(r.problem);
    if (!team || profileId !== team.profileId) {
      const p = await api.put<unknown>(`/api/v1/teams/${encodeURIComponent(id)}/profile`, { profileId });
      if (!p.ok) return setProblem(p.problem);
    }
    done(`${name}: saved.`);
  };
  return (
    <Panel label={team ? `Change ${team.name}` : 'Add a team'}>
      <Field label="Team name" required>
        <Input value={name} onChange={(_e, d) => setName(d.value)} />
      </Field>
      <Field label="Policy profile">
        <Select
          value={profileId}
          style={{ minWidth: 0, maxWidth: '100%' }}
          onChange={(_e, d) => setProfileId(d.value)}
        >
          {o.profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} (version {p.version}
              {p.builtIn ? '' : ', loaded by your organisation'})
            </option>
          ))}
        </Select>
      </Field>
      <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
        <legend>Managers (team managers)</legend>
        {candidates.length === 0 && <Text>No team managers yet.</Text>}
        {candidates.map((s) => (
          <Checkbox
            key={s.id}
            label={s.name}
            checked={managers.includes(s.id)}
            onChange={(_e, d) =>
              setManagers(d.checked ? [...managers, s.id] : managers.filter((m) => m !== s.id))
            }
          />
        ))}
      </fieldset>
      <Refusal problem={problem} />
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <Button appearance="primary" type="submit" onClick={() => void save()}>
          Save the team
        </Button>
        <Button onClick={() => done('')}>Cancel</Button>
      </div>
    </Panel>
  );
}

/** Flags or groups the loaded profiles read, each a checkbox with its label and the profiles that read it. */
function Marks({
  legend,
  marks,
  chosen,
  set,
}: {
  legend: string;
  marks: Organisation['marks']['flags'];
  chosen: string[];
  set: (x: string[]) => void;
}) {
  if (!marks.length) return null;
  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
      <legend>{legend}</legend>
      {marks.map((m) => (
        <Checkbox
          key={m.id}
          label={`${m.label} (read by ${m.profiles.join(', ')})`}
          checked={chosen.includes(m.id)}
          onChange={(_e, d) => set(d.checked ? [...chosen, m.id] : chosen.filter((x) => x !== m.id))}
        />
      ))}
    </fieldset>
  );
}

/** What a person has of the flags and groups the policy reads, in words. */
const marksOf = (o: Organisation, p: Person) =>
  [
    ...o.marks.flags.filter((m) => p.flags.includes(m.id)),
    ...o.marks.groups.filter((m) => p.groups.includes(m.id)),
  ]
    .map((m) => m.label)
    .join(', ');

function StaffForm({
  api,
  o,
  person,
  done,
}: {
  api: Client;
  o: Organisation;
  person: Person;
  done: (note: string) => void;
}) {
  const [role, setRole] = useState(person.role);
  const [teams, setTeams] = useState<string[]>(person.teamIds);
  const [flags, setFlags] = useState<string[]>(person.flags);
  const [groups, setGroups] = useState<string[]>(person.groups);
  const [problem, setProblem] = useState<Problem | null>(null);
  const save = async () => {
    const r = await api.put<unknown>(`/api/v1/staff/${encodeURIComponent(person.id)}`, {
      role,
      teamIds: teams,
      flags,
      groups,
    });
    if (!r.ok) return setProblem(r.problem);
    done(`${person.name}: saved.`);
  };
  return (
    <Panel label={`Change ${person.name}`}>
      <Field label="Role">
        <Select
          value={role}
          style={{ minWidth: 0, maxWidth: '100%' }}
          onChange={(_e, d) => setRole(d.value as Person['role'])}
        >
          {Object.entries(ROLE).map(([id, text]) => (
            <option key={id} value={id}>
              {text}
            </option>
          ))}
        </Select>
      </Field>
      <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
        <legend>Teams</legend>
        {o.teams.map((t) => (
          <Checkbox
            key={t.id}
            label={t.name}
            checked={teams.includes(t.id)}
            onChange={(_e, d) => setTeams(d.checked ? [...teams, t.id] : teams.filter((x) => x !== t.id))}
          />
        ))}
      </fieldset>
      <Marks legend="What the policy asks of them" marks={o.marks.flags} chosen={flags} set={setFlags} />
      <Marks legend="Groups the policy names" marks={o.marks.groups} chosen={groups} set={setGroups} />
      <Refusal problem={problem} />
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        <Button appearance="primary" type="submit" onClick={() => void save()}>
          Save
        </Button>
        <Button onClick={() => done('')}>Cancel</Button>
      </div>
    </Panel>
  );
}

const outcome = (r: CaseListRow) =>
  r.problems.length ? r.problems.join('; ') : r.action === 'update' ? 'will be updated' : 'will be added';

/** A case-list refusal in full, as the service said it: its quoted values are the file's own (a team, a
 * worker, a date as written), and its advice is whole ("save it as “CSV UTF-8 (Comma delimited)”"). */
const caseListWords = (p: Problem): Problem => ({ ...p, detail: (p.sent ?? p.detail).replace(/^csv: /, '') });

/** Rows with problems first, each kind in the file's order. */
const badFirst = (rows: CaseListRow[]) =>
  [...rows].sort((a, b) => Number(!a.problems.length) - Number(!b.problems.length) || a.line - b.line);

function CaseListImport({ api, done }: { api: Client; done: (note: string) => void }) {
  const [csv, setCsv] = useState('');
  const [plan, setPlan] = useState<CaseListPlan | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const refuse = (detail: string) => setProblem({ status: 0, title: '', detail });
  const check = async () => {
    setPlan(null);
    setProblem(null);
    // The limit the service keeps, in its words, before anything is sent.
    const large = caseListTooLarge(new TextEncoder().encode(csv).length);
    if (large) return refuse(large);
    const r = await api.post<CaseListPlan>('/api/v1/children/import/preview', { csv });
    if (r.ok) setPlan(r.value);
    else setProblem(caseListWords(r.problem));
  };
  const importAll = async () => {
    const r = await api.post<{ created: number; updated: number; unchanged: number }>(
      '/api/v1/children/import',
      { csv },
    );
    if (!r.ok) return setProblem(caseListWords(r.problem));
    setPlan(null);
    setCsv('');
    done(
      `Case list imported: ${r.value.created} children added, ${r.value.updated} updated, ${r.value.unchanged} already as listed.`,
    );
  };
  const bad = plan ? plan.rows.filter((r) => r.problems.length).map((r) => r.line) : [];
  return (
    <Panel label="Import the case list" wide standing>
      <Text>
        The case system’s CSV export, saved as CSV UTF-8, with the columns case reference, name (or initials),
        team and worker (their email or name); platforms and date of birth (31/01/2012) optional; at most{' '}
        {sizeWords(CASE_LIST_MAX_BYTES)}. Check it first: it is imported whole, or not at all.
      </Text>
      <div style={{ display: 'grid', gap: 4 }}>
        <label htmlFor="case-list-file">CSV file</label>
        <input
          id="case-list-file"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const file = e.target.files?.[0];
            setPlan(null);
            setProblem(null);
            if (!file) return;
            // A file over the limit is refused by its size, never read: a 13 MB file read into the page
            // froze it, only for the service to refuse it.
            const large = caseListTooLarge(file.size);
            if (large) {
              setCsv('');
              e.target.value = '';
              return refuse(`${file.name}: ${large}`);
            }
            void file.text().then((t) => setCsv(t));
          }}
        />
      </div>
      <Field label="Or paste it here">
        <Textarea
          value={csv}
          resize="vertical"
          rows={5}
          onChange={(_e, d) => (setCsv(d.value), setPlan(null))}
        />
      </Field>
      <div>
        <Button onClick={() => void check()} disabled={!csv.trim()}>
          Check the case list
        </Button>
      </div>
      <Refusal problem={problem} whole />
      {plan && (
        <>
          <Text role="status" weight="semibold">
            {plan.bad
              ? `${rowsToFix(bad)}. Correct ${plan.bad > 1 ? 'them' : 'it'} in the case system’s export and check again; nothing has been imported.`
              : `All ${plan.rows.length} rows can be imported: ${plan.created} children to add, ${plan.updated} to update.`}
          </Text>
          <DataTable
            label="Case list rows"
            rows={badFirst(plan.rows)}
            rowKey={(r) => String(r.line)}
            columns={[
              { label: 'Line', render: (r) => String(r.line) },
              { label: 'Case reference', render: (r) => r.caseRef || '—' },
              { label: 'Name', render: (r) => r.name || '—' },
              { label: 'Team', render: (r) => r.team || '—' },
              { label: 'Worker', render: (r) => r.worker || '—' },
              {
                label: 'Result',
                render: (r) => (
                  <span style={{ color: r.problems.length ? tokens.colorPaletteRedForeground1 : undefined }}>
                    {outcome(r)}
                  </span>
                ),
              },
            ]}
          />
          {!plan.bad && (
            <div>
              <Button appearance="primary" onClick={() => void importAll()}>
                Import {plan.rows.length} children
              </Button>
            </div>
          )}
        </>
      )}
    </Panel>
  );
}

type Editing = { kind: 'team'; team: Team | null } | { kind: 'staff'; person: Person } | null;

export function OrganisationView({ api }: { api: Client }) {
  const [load, reload] = useLoad(() => api.get<Organisation>('/api/v1/organisation'), [api]);
  const [editing, setEditing] = useState<Editing>(null);
  const [note, setNote] = useState('');
  const done = (text: string) => {
    setEditing(null);
    setNote(text);
    if (text) reload();
  };
  return (
    <section aria-labelledby="organisation-h">
      <Heading>
        <span id="organisation-h">Teams and staff</span>
      </Heading>
      <SuccessNote text={note} />
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
                { label: 'Staff', render: (t) => String(t.staff) },
                { label: 'Children', render: (t) => String(t.children) },
                {
                  label: 'Change',
                  render: (t) => (
                    <Button
                      size="small"
                      aria-label={`Change ${t.name}`}
                      aria-expanded={editing?.kind === 'team' && editing.team?.id === t.id}
                      onClick={() => (setNote(''), setEditing({ kind: 'team', team: t }))}
                    >
                      Change
                    </Button>
                  ),
                },
              ]}
            />
            <Button
              aria-expanded={editing?.kind === 'team' && editing.team === null}
              onClick={() => (setNote(''), setEditing({ kind: 'team', team: null }))}
            >
              Add a team
            </Button>
            {editing?.kind === 'team' && (
              <TeamForm api={api} o={o} team={editing.team} done={done} key={editing.team?.id ?? 'new'} />
            )}
            <Heading level={3}>Staff ({o.staff.length})</Heading>
            <Text block size={200} style={{ color: tokens.colorNeutralForeground3 }}>
              People are added from your organisation’s directory with the overt command (overt staff add);
              their role, teams, and what the policy asks of them are changed here.
            </Text>
            <DataTable
              label="Staff"
              rows={o.staff}
              rowKey={(s) => s.id}
              columns={[
                { label: 'Name', render: (s) => s.name },
                { label: 'Role', render: (s) => label(s.role, ROLE) },
                { label: 'Teams', render: (s) => s.teams.join(', ') || '—' },
                { label: 'Policy', render: (s) => marksOf(o, s) || '—' },
                {
                  label: 'Change',
                  render: (s) => (
                    <Button
                      size="small"
                      aria-label={`Change ${s.name}`}
                      aria-expanded={editing?.kind === 'staff' && editing.person.id === s.id}
                      onClick={() => (setNote(''), setEditing({ kind: 'staff', person: s }))}
                    >
                      Change
                    </Button>
                  ),
                },
              ]}
            />
            {editing?.kind === 'staff' && (
              <StaffForm api={api} o={o} person={editing.person} done={done} key={editing.person.id} />
            )}
            <Heading level={3}>Children</Heading>
            <CaseListImport api={api} done={done} />
          </>
        )}
      </Loaded>
    </section>
  );
}
