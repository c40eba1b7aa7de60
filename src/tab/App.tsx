import { useEffect, useMemo, useRef, useState } from 'react';
import {
  Button,
  Field,
  FluentProvider,
  Menu,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Select,
  Tab,
  TabList,
  Text,
  makeStaticStyles,
  tokens,
} from '@fluentui/react-components';
import { ROLE } from '../vocabulary';
import { client, STOPPED_TITLE, type Auth } from './api';
import { Loaded, setServiceZone, useLoad } from './common';
import { SignInHelp, signInTrouble } from './SignInHelp';
import { go, MeContext, NarrowContext, parseHash, useNarrowQuery, type Me, type ViewId } from './nav';
import type { Host, ThemeName } from './teams';
import { THEMES, ThemeNameContext } from './theme';
import { DashboardView } from './views/Dashboard';
import { DecisionsView } from './views/Decisions';
import { ExportsView } from './views/Exports';
import { HistoryView } from './views/History';
import { MyRequestsView } from './views/MyRequests';
import { ObjectionsView } from './views/Objections';
import { OrganisationView } from './views/Organisation';
import { PolicyView } from './views/Policy';
import { ReviewView } from './views/Review';
import { RipaView } from './views/Ripa';

/**
 * The tab: a persona picker in the demo, the views the server says this person may use (their own work
 * first), as tabs on a wide page and an overflow menu on a narrow one; the route in the URL's hash.
 */

export { go, type Me };

const PERSONA_KEY = 'overt-demo-persona';

/**
 * The demo persona kept for this browser tab. Framed by Teams the tab is a third party, and a browser that
 * blocks third-party storage throws on any use of sessionStorage: that must never stop the tab drawing.
 */
const kept = {
  get: (): string | null => {
    try {
      return sessionStorage.getItem(PERSONA_KEY);
    } catch {
      return null;
    }
  },
  set: (v: string): void => {
    try {
      sessionStorage.setItem(PERSONA_KEY, v);
    } catch {
      // not kept: the choice lasts until the page is reloaded
    }
  },
};

/**
 * The page's own rules for every view, so that no control sets the page's width: a form field and its
 * control may shrink to the column they are in (a grid or flex item is otherwise at least as wide as its
 * content — a dropdown as wide as its longest option), and a control is never wider than its column; a
 * dropdown's chosen option is cut with an ellipsis rather than pushing the page sideways.
 */
const useBounded = makeStaticStyles({
  'main .fui-Field, main .fui-Field > *, main form, main form > *, main fieldset, main details': {
    minWidth: 0,
    maxWidth: '100%',
  },
  'main select, main input, main textarea, main .fui-Select, main .fui-Input, main .fui-Textarea': {
    minWidth: 0,
    maxWidth: '100%',
  },
  'main select': { textOverflow: 'ellipsis' },
});

function Nav({ me, view }: { me: Me; view: ViewId }) {
  const narrow = useNarrowQuery();
  const current = me.views.find((v) => v.id === view)?.label ?? '';
  if (narrow)
    return (
      <nav aria-label="Views" style={{ padding: '4px 12px', display: 'flex', alignItems: 'center', gap: 8 }}>
        <Menu
          checkedValues={{ view: [view] }}
          onCheckedValueChange={(_e, d) => go(d.checkedItems[0] as ViewId)}
        >
          <MenuTrigger disableButtonEnhancement>
            <Button>Views: {current}</Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {me.views.map((v) => (
                <MenuItemRadio key={v.id} name="view" value={v.id}>
                  {v.label}
                </MenuItemRadio>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
      </nav>
    );
  return (
    <nav aria-label="Views" style={{ padding: '4px 12px' }}>
      <TabList
        selectedValue={view}
        onTabSelect={(_e, d) => go(d.value as ViewId)}
        style={{ flexWrap: 'wrap' }}
      >
        {me.views.map((v) => (
          <Tab key={v.id} value={v.id}>
            {v.label}
          </Tab>
        ))}
      </TabList>
    </nav>
  );
}

/** The tab while the audit trail is broken: what is happening and what to do, in plain words, nothing more. */
function Stopped({ detail }: { detail: string }) {
  return (
    <main style={{ padding: '16px 20px' }}>
      <div role="status">
        <Text as="h2" size={500} weight="semibold" block style={{ margin: '0 0 8px' }}>
          {STOPPED_TITLE}
        </Text>
        <Text block>{detail}</Text>
      </div>
    </main>
  );
}

export function App({
  host,
  config,
}: {
  host: Host;
  config: { demo: boolean; personas: { id: string; name: string; role: string }[]; stopped?: string };
}) {
  useBounded();
  const [theme, setTheme] = useState<ThemeName>(host.theme);
  useEffect(() => host.onTheme(setTheme), [host]);
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    // Another view (or another child) opens at its top, as a new page would.
    const on = () => {
      setRoute(parseHash());
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const narrow = useNarrowQuery();
  const demo = config.demo && !host.inTeams;
  const [persona, setPersona] = useState(
    () => kept.get() ?? config.personas.find((p) => p.id === 'demo-sm')?.id ?? '',
  );
  // Whether Teams refused the last request for a sign-in token (the service then answers 401).
  const tokenFailed = useRef(false);
  const auth: Auth = useMemo(
    () => ({
      headers: async (): Promise<Record<string, string>> => {
        if (demo) return persona ? { 'x-overt-demo-persona': persona } : {};
        try {
          const token = await host.token();
          tokenFailed.current = false;
          return { authorization: `Bearer ${token}` };
        } catch {
          tokenFailed.current = true;
          return {};
        }
      },
    }),
    [demo, persona, host],
  );
  const api = useMemo(() => client(auth), [auth]);
  const [me] = useLoad(
    () =>
      config.stopped
        ? Promise.resolve({
            ok: false as const,
            problem: {
              status: 503,
              title: STOPPED_TITLE,
              detail: config.stopped,
              code: 'AUDIT_TRAIL_BROKEN',
            },
          })
        : api.get<Me>('/api/v1/me'),
    [api],
  );
  // While the audit trail is broken: one plain page, the same for everyone (the details are the log's).
  const stopped = me.state === 'error' && me.problem.code === 'AUDIT_TRAIL_BROKEN' ? me.problem : undefined;
  const trouble =
    me.state === 'error' && !stopped
      ? signInTrouble(me.problem, { inTeams: host.inTeams, demo, tokenFailed: tokenFailed.current })
      : undefined;

  return (
    <FluentProvider
      theme={THEMES[theme]}
      style={{ minHeight: '100vh', background: tokens.colorNeutralBackground2, overflowWrap: 'anywhere' }}
    >
      <NarrowContext.Provider value={narrow}>
        <header
          style={{
            display: 'flex',
            flexWrap: 'wrap',
            alignItems: 'flex-end',
            gap: '8px 16px',
            padding: narrow ? '8px 12px 0' : '12px 20px 0',
          }}
        >
          <Text as="h1" size={narrow ? 600 : 700} weight="bold" style={{ margin: 0 }}>
            Overt
          </Text>
          {demo && !stopped && (
            <Field
              label="Demo persona"
              orientation={narrow ? 'vertical' : 'horizontal'}
              // As wide as the longest persona's name, up to a point: a long name wraps in the view, not here.
              // Side by side when wide, each as wide as its text (the field's own columns, a third for the
              // label, cut the longest role: "Information gove…").
              style={{
                marginLeft: narrow ? 0 : 'auto',
                minWidth: 0,
                maxWidth: narrow ? '100%' : 'min(100%, 640px)',
                ...(narrow ? {} : { gridTemplateColumns: 'max-content minmax(0, max-content)' }),
              }}
            >
              <Select
                value={persona}
                style={{ maxWidth: '100%', minWidth: 0 }}
                onChange={(_e, d) => {
                  kept.set(d.value);
                  setPersona(d.value);
                  window.location.hash = '';
                }}
              >
                {config.personas.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} — {ROLE[p.role] ?? p.role}
                  </option>
                ))}
              </Select>
            </Field>
          )}
        </header>
        {stopped ? (
          <Stopped detail={stopped.detail} />
        ) : trouble ? (
          <SignInHelp trouble={trouble} />
        ) : (
          <Loaded load={me}>
            {(m) => {
              setServiceZone(m.timeZone);
              const view = m.views.find((v) => v.id === route.view)?.id ?? m.landing;
              return (
                <MeContext.Provider value={m}>
                  <Nav me={m} view={view} />
                  <main style={{ padding: narrow ? '0 12px 24px' : '0 20px 32px' }}>
                    <ThemeNameContext.Provider value={theme}>
                      <Text size={200} block style={{ color: tokens.colorNeutralForeground3 }}>
                        Signed in as {m.name}, {m.roleLabel}
                      </Text>
                      {view === 'decisions' && <DecisionsView api={api} key={m.id} />}
                      {view === 'requests' && <MyRequestsView api={api} key={m.id} />}
                      {view === 'dashboard' && <DashboardView api={api} key={m.id} />}
                      {view === 'objections' && <ObjectionsView api={api} key={m.id} />}
                      {view === 'ripa' && <RipaView api={api} key={m.id} canAct={m.can.authoriseRipa} />}
                      {view === 'organisation' && <OrganisationView api={api} key={m.id} />}
                      {view === 'child' && (
                        <HistoryView
                          api={api}
                          childId={route.view === 'child' ? route.arg : undefined}
                          key={m.id}
                        />
                      )}
                      {view === 'review' && <ReviewView api={api} me={m} key={m.id} />}
                      {view === 'policy' && (
                        <PolicyView api={api} key={m.id} showFingerprint={m.role === 'administrator'} />
                      )}
                      {view === 'exports' && <ExportsView api={api} key={m.id} />}
                    </ThemeNameContext.Provider>
                  </main>
                </MeContext.Provider>
              );
            }}
          </Loaded>
        )}
      </NarrowContext.Provider>
    </FluentProvider>
  );
}
