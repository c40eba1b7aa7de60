import type { Page } from 'playwright-core';

/**
 * A stand-in for the Teams web client around the tab, for Chromium tests of what happens inside Teams: a page
 * served as https://teams.microsoft.com (one of teams-js's own valid origins) frames the tab, served as
 * https://overt.test and passed through to the local service, and answers teams-js's messages —
 * `initialize`, `getContext` and `authentication.getAuthToken` (with the token given, or refusing it as Teams
 * does when consent is missing). This is Microsoft's host protocol, not a module of ours.
 */

export const TAB_ORIGIN = 'https://overt.test';

export async function inTeams(
  page: Page,
  service: string,
  token: string | { refuse: string },
  /** The sub-page a deep link opened the tab at (`context.subEntityId` of a link to the tab), if any. */
  subEntityId?: string,
): Promise<ReturnType<Page['frameLocator']>> {
  await page.route('https://res.cdn.office.net/**', (r) => r.abort());
  await page.route(`${TAB_ORIGIN}/**`, async (r) => {
    const url = new URL(r.request().url());
    const res = await r.fetch({ url: `${service}${url.pathname}${url.search}` });
    await r.fulfill({ response: res });
  });
  const answer = JSON.stringify(token);
  await page.route('https://teams.microsoft.com/overt-host', (r) =>
    r.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><body style="margin:0">
<iframe id="tab" title="Overt" src="${TAB_ORIGIN}/" style="border:0;width:100vw;height:100vh"></iframe>
<script>
const token = ${answer};
const subEntityId = ${JSON.stringify(subEntityId ?? null)};
const runtime = JSON.stringify({ apiVersion: 4, hostVersionsInfo: {}, isLegacyTeams: false,
  supports: { app: {}, appInstallDialog: {}, authentication: {}, pages: { tabs: {}, config: {}, backStack: {} }, teamsCore: {}, logs: {} } });
window.addEventListener('message', (e) => {
  const m = e.data;
  if (!m || typeof m.func !== 'string' || typeof m.id !== 'number') return;
  const reply = (args) => e.source.postMessage({ id: m.id, uuidAsString: m.uuidAsString, args }, e.origin);
  if (m.func === 'initialize') reply(['content', 'web', runtime, '2.58.0']);
  else if (m.func === 'getContext')
    reply([{ locale: 'en-gb', theme: 'default', appSessionId: 'session', frameContext: 'content', hostClientType: 'web', ...(subEntityId ? { subEntityId } : {}) }]);
  else if (m.func === 'authentication.getAuthToken')
    reply(typeof token === 'string' ? [true, token] : [false, token.refuse]);
});
</script></body></html>`,
    }),
  );
  await page.goto('https://teams.microsoft.com/overt-host');
  return page.frameLocator('#tab');
}
