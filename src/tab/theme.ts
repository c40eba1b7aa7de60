import { createContext, useContext } from 'react';
import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  type Theme,
} from '@fluentui/react-components';
import type { ThemeName } from './teams';

/** The Teams themes (default, dark, high contrast) and which one the tab is showing now. */

export const THEMES: Record<ThemeName, Theme> = {
  default: teamsLightTheme,
  dark: teamsDarkTheme,
  contrast: teamsHighContrastTheme,
};

export const ThemeNameContext = createContext<ThemeName>('default');

export const useThemeName = () => useContext(ThemeNameContext);
