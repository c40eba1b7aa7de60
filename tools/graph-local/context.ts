// What every handler receives: the state, the server's settings and the normalised request.
import type { State } from './state';

export type Settings = {
  pageSize: number;
  listViewThreshold: number;
  /** The application permissions the app was granted (its token's roles), for /users and /groups. */
  appPermissions: string[];
};

export type GraphRequest = {
  method: string;
  /** Decoded path after `/v1.0`, e.g. `/sites/contoso.sharepoint.com,…/lists`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: unknown;
};

export type Ctx = {
  state: State;
  settings: Settings;
  /** Absolute base, e.g. `https://localhost:53100/v1.0`, for nextLink/deltaLink/@odata.context. */
  baseUrl: string;
};
