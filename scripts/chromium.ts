/** Launch Debian's chromium headless through playwright-core (no browser download), with an empty profile. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export interface RunningBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A persistent context on a fresh, empty user-data dir (removed on close). */
export async function launchChromium(viewport = { width: 1440, height: 900 }): Promise<RunningBrowser> {
  const dir = mkdtempSync(join(tmpdir(), 'tideline-chromium-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
