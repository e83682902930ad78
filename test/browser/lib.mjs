// What the browser scripts share: their settings from the environment, the expectation that stops a script, the
// screenshots folder, Debian's Chromium launched headless with autoplay allowed, a page that records its errors and
// opens a job signed in, and the report of a script that failed.
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

/** A page of a new context that records page errors, console errors and failed responses in `problems`. */
export async function watchedPage(browser, problems) {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console error: ${m.text()}`); });
  page.on('response', r => { if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  return page;
}

/** Signs in with TOKEN and opens job JOB_ID's page, waiting for its player. */
export async function openJob(page) {
  await page.goto(`${env('API_URL')}/#/`);
  await page.fill('#token', env('TOKEN'));
  await page.click('#sign-in-form button');
  await page.waitForSelector('#jobs-view:not([hidden])');
  await page.goto(`${env('API_URL')}/#/jobs/${env('JOB_ID')}`);
  await page.waitForSelector('#playback:not([hidden])');
}

/** After an expectation failed: a screenshot of every open page (NAME-failure-N.png), the JSON line, a failing exit code. */
export async function reportFailure(browser, name, error, seen, problems) {
  const screenshots = screenshotsFolder();
  for (const [index, open] of browser.contexts().flatMap(c => c.pages()).entries()) {
    await open.screenshot({ path: `${screenshots}/${name}-failure-${index + 1}.png`, fullPage: true }).catch(() => {});
  }
  console.log(JSON.stringify({ ...seen, ok: false, error: error.message, problems }));
  process.exitCode = 1;
}
