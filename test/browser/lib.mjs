// What the browser scripts share: their settings from the environment, the expectation that stops a script, the
// screenshots folder, and Debian's Chromium launched headless with autoplay allowed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

export const env = name => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();

export function expect(condition, message) {
  if (!condition) throw new Error(`expected: ${message}`);
}

/** The SCREENSHOTS folder, made if missing. */
export function screenshotsFolder() {
  const folder = env('SCREENSHOTS');
  mkdirSync(folder, { recursive: true });
  return folder;
}

export const launchBrowser = () => chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--autoplay-policy=no-user-gesture-required', '--no-sandbox'],
});
