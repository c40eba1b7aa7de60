import { app, authentication } from '@microsoft/teams-js';

/**
 * Teams glue: `app.initialize`, the theme (followed live) and SSO. Outside Teams (a plain browser, the
 * Chromium tests) initialise fails or never answers: that is expected, and the tab runs on its own, following
 * the browser's colour scheme and forced colours instead.
 */

export type ThemeName = 'default' | 'dark' | 'contrast';

export interface Host {
  inTeams: boolean;
  theme: ThemeName;
  onTheme: (fn: (t: ThemeName) => void) => void;
  token: () => Promise<string>;
  /** The view a deep link opened the tab at (its `subEntityId`: src/bot/settings.ts tabLinkOf), if any. */
  subPage?: string;
}

const asTheme = (t: string | undefined): ThemeName =>
  t === 'dark' ? 'dark' : t === 'contrast' ? 'contrast' : 'default';

function browserTheme(): ThemeName {
  if (window.matchMedia('(forced-colors: active)').matches) return 'contrast';
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default';
}

function browserHost(): Host {
  return {
    inTeams: false,
    theme: browserTheme(),
    onTheme: (fn) => {
      for (const q of ['(forced-colors: active)', '(prefers-color-scheme: dark)'])
        window.matchMedia(q).addEventListener('change', () => fn(browserTheme()));
    },
    token: () => Promise.reject(new Error('not in Teams: no SSO token')),
  };
}

export async function connect(timeoutMs = 2500): Promise<Host> {
  // Not framed: certainly not Teams, so do not wait for an answer that will never come.
  if (window.parent === window) return browserHost();
  try {
    await Promise.race([
      app.initialize(),
      new Promise((_r, reject) => setTimeout(() => reject(new Error('Teams did not answer')), timeoutMs)),
    ]);
    const context = await app.getContext();
    return {
      inTeams: true,
      theme: asTheme(context.app.theme),
      onTheme: (fn) => app.registerOnThemeChangeHandler((t) => fn(asTheme(t))),
      token: () => authentication.getAuthToken(),
      ...(context.page.subPageId ? { subPage: context.page.subPageId } : {}),
    };
  } catch {
    return browserHost();
  }
}
