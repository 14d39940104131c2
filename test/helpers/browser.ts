/**
 * Debian's Chromium driven by playwright-core, offline: every request that
 * is not file:, data: or the lab's own 127.0.0.1 server is blocked and
 * recorded, so a test can assert that nothing left the machine.
 */
import * as fs from 'node:fs';

import {Browser, BrowserContext, chromium} from 'playwright-core';

export const CHROMIUM = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';

export interface OfflineBrowser {
  browser: Browser;
  context: BrowserContext;
  /** URLs the page tried to fetch from anywhere but this machine. */
  external: string[];
  close(): Promise<void>;
}

export async function launchOffline(): Promise<OfflineBrowser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: sudo apt-get install chromium`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({viewport: {width: 1280, height: 900}});
  const external: string[] = [];
  await context.route('**/*', route => {
    const url = route.request().url();
    if (/^(file|data|blob|about):/.test(url) || /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url)) {
      return route.continue();
    }
    external.push(url);
    return route.abort();
  });
  return {
    browser, context, external,
    async close() {
      // playwright gives each launch a fresh temporary profile and removes it.
      await browser.close();
    },
  };
}
