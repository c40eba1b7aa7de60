import { createRoot } from 'react-dom/client';
import { App } from './App';
import { connect } from './teams';

/** The tab's entry: connect to Teams (or find we are not in it), then render. */
interface PageConfig {
  demo: boolean;
  personas: { id: string; name: string; role: string }[];
}

function pageConfig(): PageConfig {
  try {
    return JSON.parse(document.getElementById('overt-config')?.textContent ?? '') as PageConfig;
  } catch {
    return { demo: false, personas: [] };
  }
}

void connect().then((host) => {
  createRoot(document.getElementById('root')!).render(<App host={host} config={pageConfig()} />);
});
