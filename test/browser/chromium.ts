/**
 * Debian's Chromium, driven by playwright-core, for the browser tests. `npm test` runs
 * scripts/ensure-chromium.sh first, which installs it when it is missing; no tool here ever downloads a
 * browser of its own. Each session gets a fresh, empty profile directory, removed on close.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Headless, and quiet on the network: without the background-networking flags Chromium keeps trying to
 * reach Google's hosts, which this machine's closed network refuses.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where tests keep screenshots (git-ignored). */
export const ARTIFACTS_DIR = resolve(__dirname, '../../test-artifacts');

export type BrowserSession = {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
};

export async function launchChromium(
  options: { viewport?: { width: number; height: number }; locale?: string } = {},
): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: run \`bash scripts/ensure-chromium.sh\` (npm test does this first)`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'overt-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 800, height: 600 },
      ...(options.locale ? { locale: options.locale } : {}),
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The README's screenshots: made by the tests that check what they show, never by hand. */
export const DOCS_SCREENSHOTS = resolve(__dirname, '../../docs/screenshots');

/** Saves a screenshot of a page or an element as docs/screenshots/<name> (for the README). */
export async function docsScreenshot(target: Page | Locator, name: string): Promise<string> {
  const path = join(DOCS_SCREENSHOTS, name);
  mkdirSync(DOCS_SCREENSHOTS, { recursive: true });
  await target.screenshot({ path });
  return path;
}

/** Saves a screenshot of a page or an element under test-artifacts/ and returns its path. */
export async function screenshot(target: Page | Locator, relativePath: string): Promise<string> {
  const path = join(ARTIFACTS_DIR, relativePath);
  mkdirSync(dirname(path), { recursive: true });
  await target.screenshot({ path });
  return path;
}
