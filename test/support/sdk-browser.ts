import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { onTestFinished } from 'vitest';

/** Debian's Chromium; never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for Debian's Chromium here (headless, root, closed network). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** A page of a fresh Chromium profile, and what it logged. Closed when the test finishes. */
export interface BrowserPage {
  page: Page;
  context: BrowserContext;
  /** Console lines and page errors, for failure messages. */
  console: string[];
}

/** Launches Chromium with a new user data dir (removed at the end) and opens one page. */
export async function openBrowserPage(): Promise<BrowserPage> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'fanout-chromium-'));
  onTestFinished(() => rmSync(userDataDir, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1024, height: 820 },
  });
  onTestFinished(() => context.close());
  const page = context.pages()[0] ?? (await context.newPage());
  const lines: string[] = [];
  page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
  return { page, context, console: lines };
}
