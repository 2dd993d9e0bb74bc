import type { Browser } from 'playwright-core';

// Debian's Chromium (the `chromium` package .ci/run installs), driven by
// playwright-core: headless, no sandbox (CI runs as root), nothing fetched
// in the background. Never a browser download.

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-default-apps', '--no-first-run', '--disable-sync'],
    timeout: 30_000,
  });
}
