import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect } from './teams';

/** The tab's entry: connect to Teams (or find we are not in it), then render. */
interface PageConfig {
  demo: boolean;
  personas: { id: string; name: string; role: string }[];
  /** While the audit trail is broken: the one sentence the tab shows instead of itself. */
  stopped?: string;
}

function pageConfig(): PageConfig {
  try {
    return JSON.parse(document.getElementById('overt-config')?.textContent ?? '') as PageConfig;
  } catch {
    return { demo: false, personas: [] };
  }
}

void connect().then((host) => {
  // Opened by a deep link at a view (a card's "Open the Overt tab"): that view, if the person has it (App.tsx).
  // A view, and what in it (a child's record: "child/<id>").
  if (host.subPage && /^[a-z-]+(\/[\w.%-]+)?$/.test(host.subPage)) window.location.hash = host.subPage;
  createRoot(document.getElementById('root')!).render(<App host={host} config={pageConfig()} />);
});
