// A package of H.264, HEVC and AV1 rungs in a real browser (Debian's Chromium, headless): the job page offers the codecs
// this browser decodes, most efficient first, and says which it plays; with hls.js and then dash.js, AV1 plays (its
// segments fetched, none of H.264's), then H.264 when chosen. Then the submit form asks for outputs of its own (AV1, a
// 240-line cap, an MP4 download, a clip of 0.5 s to 2.5 s) for an upload of CLIP.
// Environment: API_URL, TOKEN, JOB_ID (a completed job with the three codecs), CLIP (a video file), SCREENSHOTS, CHROMIUM (optional).
// Prints one JSON line of what it saw (formJobId: the job the form submitted); exits non-zero on the first expectation not met.
import { env, expect, launchBrowser, openJob, reportFailure, watchedPage } from './lib.mjs';

const seen = {};
const problems = [];

const browser = await launchBrowser();
try {
  const page = await watchedPage(browser, problems);
  const requested = [];
  page.on('request', r => requested.push(r.url()));

  await openJob(page);
  seen.decodable = await page.evaluate(() => Object.fromEntries([['av1', 'av01.0.00M.08'], ['hevc', 'hvc1.1.6.L63.90'], ['h264', 'avc1.64001e']]
    .map(([name, codecs]) => [name, MediaSource.isTypeSupported(`video/mp4; codecs="${codecs}"`)])));
  seen.offered = await page.locator('#codec option').allTextContents();
  expect(seen.decodable.av1 && seen.decodable.h264, `this Chromium decodes AV1 and H.264 (saw ${JSON.stringify(seen.decodable)})`);
  expect(seen.offered[0] === 'AV1' && seen.offered.includes('H.264') && seen.offered.includes('HEVC') === seen.decodable.hevc,
    `the codecs it decodes are offered, AV1 first (saw ${seen.offered})`);

  const segment = /chunk-(v[a-z]?)\d+-\d+\.m4s$/;
  for (const format of ['hls', 'dash']) {
    await page.selectOption('#format', format);
    for (const [codec, name, prefix] of [['av01', 'AV1', 'va'], ['avc1', 'H.264', 'v']]) {
      const before = requested.length;
      await page.selectOption('#codec', codec);
      await page.waitForFunction(() => document.querySelector('#player').currentTime > 1.2, null, { timeout: 30_000 });
      await page.waitForFunction(() => document.querySelector('#player-codec').textContent !== '', null, { timeout: 10_000 });
      const playing = await page.locator('#player-codec').textContent();
      const fetched = requested.slice(before).map(u => segment.exec(u)?.[1]).filter(Boolean);
      const frames = await page.evaluate(() => document.querySelector('#player').getVideoPlaybackQuality().totalVideoFrames);
      seen[`${format}-${codec}`] = { playing, fetched: [...new Set(fetched)], frames };
      expect(playing.startsWith(name), `${format}: the page says ${name} plays (saw "${playing}")`);
      expect(fetched.length > 0 && fetched.every(p => p === prefix), `${format}: only ${name} segments fetched (saw ${fetched})`);
      expect(frames >= 30, `${format} ${name}: frames decoded (saw ${frames})`);
    }
  }

  // The submit form's outputs.
  await page.goto(`${env('API_URL')}/#/`);
  await page.waitForSelector('#jobs-view:not([hidden])');
  await page.click('[data-testid=upload-outputs] summary');
  await page.check('[data-testid=upload-codec-av1]');
  await page.selectOption('[data-testid=upload-max-height]', '240');
  await page.check('[data-testid=upload-download-mp4]');
  await page.fill('[data-testid=upload-clip-start]', '0.5');
  await page.fill('[data-testid=upload-clip-end]', '2.5');
  await page.setInputFiles('#file', env('CLIP'));
  await page.click('#upload-form button[type=submit]');
  const status = await page.waitForFunction(() => {
    const text = document.querySelector('#upload-status').textContent;
    return /^Uploaded: /.test(text) || /failed/.test(text) ? text : null;
  }, null, { timeout: 60_000 }).then(h => h.jsonValue());
  seen.formJobId = /\(([0-9a-f-]{36})\)/.exec(status)?.[1];
  expect(seen.formJobId, `the form submitted a job (saw "${status}")`);

  expect(problems.length === 0, `no page or console errors (saw ${problems.join(' | ')})`);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await reportFailure(browser, 'codecs', error, seen, problems);
} finally {
  await browser.close();
}
