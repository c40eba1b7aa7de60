import { useEffect, useMemo, useState } from 'react';
import { Field, FluentProvider, Select, Tab, TabList, Text, tokens } from '@fluentui/react-components';
import { client, type Auth } from './api';
import { Loaded, useLoad } from './common';
import type { Host, ThemeName } from './teams';
import { THEMES, ThemeNameContext } from './theme';
import { DashboardView } from './views/Dashboard';
import { ExportsView } from './views/Exports';
import { HistoryView } from './views/History';
import { MyRequestsView } from './views/MyRequests';
import { ObjectionsView } from './views/Objections';
import { PolicyView } from './views/Policy';
import { ReviewView } from './views/Review';

/** The tab: a persona picker in the demo, the views as tabs, the route in the URL's hash (#child/<id> …). */

const VIEWS = [
  ['dashboard', 'Dashboard'],
  ['child', "A child's history"],
  ['requests', 'My requests'],
  ['objections', 'Objections'],
  ['review', 'Annual review'],
  ['policy', 'Policy'],
  ['exports', 'Exports'],
] as const;
type View = (typeof VIEWS)[number][0];

export interface Me {
  id: string;
  name: string;
  role: string;
  teamIds: string[];
}

function parseHash(): { view: View; arg?: string } {
  const [v, arg] = window.location.hash.replace(/^#\/?/, '').split('/');
  const view = (VIEWS.find(([id]) => id === v)?.[0] ?? 'dashboard') as View;
  return arg ? { view, arg: decodeURIComponent(arg) } : { view };
}

export const go = (view: View, arg?: string) => {
  window.location.hash = arg ? `${view}/${encodeURIComponent(arg)}` : view;
};

const PERSONA_KEY = 'overt-demo-persona';

export function App({
  host,
  config,
}: {
  host: Host;
  config: { demo: boolean; personas: { id: string; name: string; role: string }[] };
}) {
  const [theme, setTheme] = useState<ThemeName>(host.theme);
  useEffect(() => host.onTheme(setTheme), [host]);
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const on = () => setRoute(parseHash());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const demo = config.demo && !host.inTeams;
  const [persona, setPersona] = useState(
    () => sessionStorage.getItem(PERSONA_KEY) ?? config.personas.find((p) => p.id === 'demo-sm')?.id ?? '',
  );
  const auth: Auth = useMemo(
    () => ({
      headers: async (): Promise<Record<string, string>> => {
        if (demo) return persona ? { 'x-overt-demo-persona': persona } : {};
        try {
          return { authorization: `Bearer ${await host.token()}` };
        } catch {
          return {};
        }
      },
    }),
    [demo, persona, host],
  );
  const api = useMemo(() => client(auth), [auth]);
  const [me] = useLoad(() => api.get<Me>('/api/v1/me'), [api]);

  return (
    <FluentProvider
      theme={THEMES[theme]}
      style={{ minHeight: '100vh', background: tokens.colorNeutralBackground2 }}
    >
      <header
        style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'flex-end', gap: 16, padding: '12px 20px 0' }}
      >
        <Text as="h1" size={700} weight="bold" style={{ margin: 0 }}>
          Overt
        </Text>
        {demo && (
          <Field label="Demo persona" orientation="horizontal" style={{ marginLeft: 'auto' }}>
            <Select
              value={persona}
              onChange={(_e, d) => {
                sessionStorage.setItem(PERSONA_KEY, d.value);
                setPersona(d.value);
              }}
            >
              {config.personas.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} — {p.role}
                </option>
              ))}
            </Select>
          </Field>
        )}
      </header>
      <nav aria-label="Views" style={{ padding: '4px 12px' }}>
        <TabList selectedValue={route.view} onTabSelect={(_e, d) => go(d.value as View)}>
          {VIEWS.map(([id, label]) => (
            <Tab key={id} value={id}>
              {label}
            </Tab>
          ))}
        </TabList>
      </nav>
      <main style={{ padding: '0 20px 32px' }}>
        <ThemeNameContext.Provider value={theme}>
          <Loaded load={me}>
            {(m) => (
              <>
                <Text size={200} block style={{ color: tokens.colorNeutralForeground3 }}>
                  Signed in as {m.name} ({m.role}){demo ? ' — demo' : ''}
                </Text>
                {route.view === 'dashboard' && <DashboardView api={api} key={m.id} />}
                {route.view === 'child' && <HistoryView api={api} childId={route.arg} key={m.id} />}
                {route.view === 'requests' && <MyRequestsView api={api} key={m.id} />}
                {route.view === 'objections' && <ObjectionsView api={api} key={m.id} />}
                {route.view === 'review' && <ReviewView api={api} me={m} key={m.id} />}
                {route.view === 'policy' && <PolicyView api={api} key={m.id} />}
                {route.view === 'exports' && <ExportsView api={api} key={m.id} />}
              </>
            )}
          </Loaded>
        </ThemeNameContext.Provider>
      </main>
    </FluentProvider>
  );
}
