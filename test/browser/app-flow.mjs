// The web app in a real browser (Debian's Chromium, headless): sign in, upload a clip with the progress bar,
// watch the job list reach "completed" live without a reload, open the job, see the quality selector and the
// video play with HLS and then DASH; a broken upload shows its error, a running job can be canceled, and a
// dead-lettered job retried.
// Environment: API_URL, TOKEN, CLIP, LONG_CLIP, BROKEN_FILE, DEAD_LETTER_URL, SCREENSHOTS (a folder),
// CHROMIUM (optional).
// Prints one JSON line of what it saw; exits non-zero on the first expectation not met.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const env = name => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
const screenshots = env('SCREENSHOTS');
mkdirSync(screenshots, { recursive: true });
const seen = {};
const problems = [];

function expect(condition, message) {
  if (!condition) throw new Error(`expected: ${message}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--autoplay-policy=no-user-gesture-required', '--no-sandbox'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  const shot = name => page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });

  // Sign in.
  await page.goto(`${env('API_URL')}/#/`);
  await page.fill('#token', env('TOKEN'));
  await page.click('#sign-in-form button');
  await page.waitForSelector('#jobs-view:not([hidden])');
  await page.waitForSelector('#live.on');
  await page.evaluate(() => { window.sameDocument = true; });

  // Upload, with the progress bar moving to 100%.
  await page.evaluate(() => {
    window.uploadFractions = [];
    const bar = document.querySelector('#upload-progress');
    new MutationObserver(() => window.uploadFractions.push(Number(bar.value))).observe(bar, { attributes: true });
  });
  const upload = async (file, priority = '5') => {
    await page.goto(`${env('API_URL')}/#/`);
    await page.setInputFiles('#file', file);
    await page.selectOption('#upload-form select.priority', priority);
    await page.click('#upload-form button');
    await page.waitForFunction(() => document.querySelector('#upload-status').textContent.startsWith('Uploaded'), null, { timeout: 60_000 });
    const jobId = await page.locator('#jobs tbody tr').first().getAttribute('data-id');
    expect((await page.locator('#upload-status').textContent()).includes(jobId.slice(0, 8)), 'the new job heads the list');
    return jobId;
  };
  const id = await upload(env('CLIP'), '3');
  const row = page.locator(`#jobs tr[data-id="${id}"]`);
  seen.uploadFractions = await page.evaluate(() => window.uploadFractions);
  expect(seen.uploadFractions.at(-1) === 1, `the upload bar reaches 100% (saw ${seen.uploadFractions})`);

  // The list follows the job live: every state it shows is recorded until it reads "completed".
  await page.evaluate(jobId => {
    window.rowStates = [];
    const record = () => {
      const tr = document.querySelector(`#jobs tr[data-id="${jobId}"]`);
      const state = tr && `${tr.dataset.status} ${tr.cells[5].textContent.trim()}`;
      if (state && window.rowStates.at(-1) !== state) window.rowStates.push(state);
    };
    record();
    new MutationObserver(record).observe(document.querySelector('#jobs tbody'), { subtree: true, childList: true, characterData: true, attributes: true });
  }, id);
  await page.waitForSelector(`#jobs tr[data-id="${id}"][data-status="completed"]`, { timeout: 240_000 });
  seen.rowStates = await page.evaluate(() => window.rowStates);
  expect(await page.evaluate(() => window.sameDocument === true), 'no page reload');
  expect(seen.rowStates.some(s => s.startsWith('processing')), `the row showed "processing" before "completed" (saw ${seen.rowStates})`);
  expect(new Set(seen.rowStates.map(s => s.split(' ')[1])).size >= 3, `the row's percent moved (saw ${seen.rowStates})`);
  await shot('1-job-list');

  // The job page: quality selector with every rendition, metrics and cost, and the video playing (HLS).
  await row.click();
  await page.waitForSelector('#playback:not([hidden])');
  const renditions = await page.locator('#renditions tbody tr[data-kind=video]').count();
  seen.qualityOptions = await page.locator('#quality option').allTextContents();
  expect(renditions >= 1 && seen.qualityOptions.length === renditions + 1, `one quality option per video rendition, plus Auto (saw ${seen.qualityOptions})`);
  expect(seen.qualityOptions.slice(1).every(o => /^\d+p · [\d,]+ kbps · avc1\.[0-9a-fA-F]{6}$/.test(o)), 'options name resolution, bandwidth and codecs');
  expect(await page.locator('#renditions tbody tr[data-kind=audio]').count() === 1, 'the audio rendition is listed');
  expect(/^\d+\.\d+$/.test(await page.locator('#renditions tbody tr[data-kind=video] td').nth(5).textContent()), 'PSNR shown');
  expect((await page.locator('[data-testid=job-cost]').textContent()).includes('CPU-seconds'), 'cost shown');
  const played = async format => {
    await page.waitForFunction(() => {
      const video = document.querySelector('#player');
      return video.currentTime > 1 && video.videoWidth > 0;
    }, null, { timeout: 60_000 });
    seen[format] = await page.evaluate(() => {
      const video = document.querySelector('#player');
      return { currentTime: video.currentTime, videoWidth: video.videoWidth, decodedFrames: video.getVideoPlaybackQuality().totalVideoFrames, status: document.querySelector('#player-status').textContent };
    });
    expect(seen[format].decodedFrames > 10, `${format}: frames decoded (saw ${seen[format].decodedFrames})`);
  };
  await played('hls');
  // Choosing a rendition switches to it: the decoded picture takes its height.
  const heights = seen.qualityOptions.slice(1).map(o => Number.parseInt(o, 10));
  const lowest = String(Math.min(...heights));
  await page.selectOption('#quality', lowest);
  await page.evaluate(() => { const video = document.querySelector('#player'); video.currentTime = 0; return video.play(); });
  await page.waitForFunction(height => document.querySelector('#player').videoHeight === height, Number(lowest), { timeout: 20_000 });
  seen.switchedTo = lowest;
  await shot('2-player-hls');

  await page.selectOption('#format', 'dash');
  await page.waitForFunction(() => document.querySelector('#player').currentTime < 0.5, null, { timeout: 10_000 }).catch(() => {});
  await played('dash');
  await shot('3-player-dash');

  // A file that is not a video: the job fails and its page says why.
  const broken = await upload(env('BROKEN_FILE'));
  await page.waitForSelector(`#jobs tr[data-id="${broken}"][data-status="failed"]`, { timeout: 120_000 });
  await page.click(`#jobs tr[data-id="${broken}"]`);
  await page.waitForSelector('#job-error:not([hidden])');
  seen.error = await page.locator('#job-error').textContent();
  expect(/^[a-z_]+: /.test(seen.error), `the error shows its code (saw ${seen.error})`);
  await shot('4-failed-job');

  // A longer job, canceled from its page while it runs.
  const long = await upload(env('LONG_CLIP'));
  await page.click(`#jobs tr[data-id="${long}"]`);
  await page.click('#job-actions button:text("Cancel")');
  await page.waitForFunction(() => document.querySelector('[data-testid=job-status]').textContent.startsWith('canceled'), null, { timeout: 30_000 });
  await shot('5-canceled-job');

  // A job out of attempts (its source answered 503): its page says so and offers Retry, which runs it again.
  const deadLetter = await page.evaluate(async url => {
    const response = await fetch('/v1/jobs', {
      method: 'POST',
      headers: { Authorization: `Bearer ${localStorage.getItem('transcoder.token')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ inputUrl: url, maxAttempts: 1 }),
    });
    return (await response.json()).id;
  }, env('DEAD_LETTER_URL'));
  await page.goto(`${env('API_URL')}/#/jobs/${deadLetter}`);
  await page.waitForFunction(() => document.querySelector('[data-testid=job-status]')?.textContent === 'failed (dead letter)', null, { timeout: 60_000 });
  await shot('6-dead-letter');
  await page.click('#job-actions button:text("Retry")');
  await page.waitForFunction(() => document.querySelector('[data-testid=job-status]')?.textContent === 'completed', null, { timeout: 120_000 });

  expect(problems.length === 0, `no page or console errors (saw ${problems.join(' | ')})`);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: error.message, problems, ...seen }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
