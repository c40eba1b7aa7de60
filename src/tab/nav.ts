import { createContext, useContext, useEffect, useState } from 'react';
import type { Capabilities, ViewId } from '../api/views';

/** The route in the URL's hash (#child/<id> …), the person as the server sees them, and the page's width. */

export type { ViewId };

export interface Me {
  id: string;
  name: string;
  role: string;
  roleLabel: string;
  teamIds: string[];
  teams: { id: string; name: string }[];
  timeZone: string;
  views: { id: ViewId; label: string }[];
  landing: ViewId;
  can: Capabilities;
}

export function parseHash(): { view?: string; arg?: string } {
  const [v, arg] = window.location.hash.replace(/^#\/?/, '').split('/');
  return { ...(v ? { view: v } : {}), ...(arg ? { arg: decodeURIComponent(arg) } : {}) };
}

export const go = (view: ViewId, arg?: string) => {
  window.location.hash = arg ? `${view}/${encodeURIComponent(arg)}` : view;
};

/** Narrow: Teams mobile, the meeting side panel (up to 640 px). */
export const NARROW = '(max-width: 640px)';

export function useNarrowQuery(): boolean {
  const [narrow, setNarrow] = useState(() => window.matchMedia(NARROW).matches);
  useEffect(() => {
    const m = window.matchMedia(NARROW);
    const on = () => setNarrow(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return narrow;
}

export const NarrowContext = createContext(false);
export const useNarrow = () => useContext(NarrowContext);

export const MeContext = createContext<Me | null>(null);
export const useMe = () => useContext(MeContext)!;
