// A title encoded in chunks, in a real browser (Debian's Chromium, headless), with HLS (hls.js) and then DASH
// (dash.js): from a second and a half before each join between chunks, the player plays through it to a second past
// it with time moving on smoothly (no jump, no stall that does not recover) and frames decoded; no errors. The job
// page says how many chunks and silos encoded it.
// Environment: API_URL, TOKEN, JOB_ID (a completed chunked job), JOINS (seconds, comma separated), SCREENSHOTS,
// CHROMIUM (optional).
// Prints one JSON line of what it saw; exits non-zero on the first expectation not met.
import { env, expect, launchBrowser, openJob, reportFailure, screenshotsFolder, watchedPage } from './lib.mjs';

const screenshots = screenshotsFolder();
const joins = env('JOINS').split(',').map(Number);
const seen = {};
const problems = [];

const browser = await launchBrowser();
try {
  const page = await watchedPage(browser, problems);

  await openJob(page);
  seen.facts = await page.locator('#job-facts').innerText();
  expect(/Encoded in\s+\d+ chunks on \d+ silos?/.test(seen.facts), `the job page says how the title was chunked (saw ${seen.facts})`);

  const across = async (format, join) => {
    // Muted, so that the browser lets it play without a gesture; time samples as it plays.
    await page.evaluate(t => {
      const video = document.querySelector('#player');
      video.muted = true;
      video.pause();
      window.samples = [];
      window.frames = video.getVideoPlaybackQuality().totalVideoFrames;
      video.ontimeupdate = () => window.samples.push(video.currentTime);
      video.currentTime = t;
    }, join - 1.5);
    await page.waitForFunction(t => { const v = document.querySelector('#player'); return !v.seeking && Math.abs(v.currentTime - t) < 0.3; }, join - 1.5, { timeout: 30_000 });
    await page.evaluate(() => document.querySelector('#player').play());
    const passed = await page.waitForFunction(t => document.querySelector('#player').currentTime >= t, join + 1, { timeout: 30_000 })
      .then(() => true, () => false);
    const result = await page.evaluate(() => {
      const video = document.querySelector('#player');
      video.pause();
      const gaps = window.samples.slice(1).map((t, i) => t - window.samples[i]);
      return { at: video.currentTime, largestStep: Math.max(0, ...gaps), backwards: gaps.some(g => g < -0.01), decoded: video.getVideoPlaybackQuality().totalVideoFrames - window.frames, error: video.error?.message ?? null };
    });
    seen[format].push({ join, ...result });
    expect(passed, `${format}: playback from ${join - 1.5} s got past the join at ${join} s (stopped at ${result.at})`);
    expect(!result.backwards && result.largestStep < 1, `${format}: time moved on smoothly across ${join} s (largest step ${result.largestStep} s)`);
    expect(result.decoded >= 30 && result.error === null, `${format}: frames decoded across ${join} s (${result.decoded}, error ${result.error})`);
  };

  for (const format of ['hls', 'dash']) {
    if (format === 'dash') {
      await page.selectOption('#format', 'dash');
    }

    seen[format] = [];
    await page.waitForFunction(() => document.querySelector('#player').readyState >= 1, null, { timeout: 60_000 });
    for (const join of joins) {
      await across(format, join);
    }

    await page.screenshot({ path: `${screenshots}/joins-${format}.png`, fullPage: true });
  }

  expect(problems.length === 0, `no page or console errors (saw ${problems.join(' | ')})`);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await reportFailure(browser, 'joins', error, seen, problems);
} finally {
  await browser.close();
}
