// The web app in a real browser (Debian's Chromium, headless): its pages carry a CSP without inline script and the
// other security headers, and the token stays in the tab's sessionStorage; sign in (in two tabs), upload a clip
// with the progress bar, see it appear live in the other tab too, watch the job list reach "completed" live
// without a reload with its name, poster thumbnail and duration, copy its full id, open the job, see the source's
// facts and copyable HLS/DASH URLs, the quality selector and the video play with HLS and then DASH; find jobs by
// name and status; a broken upload shows its error, a running job can be canceled, and a dead-lettered job retried.
// Environment: API_URL, TOKEN, CLIP, LONG_CLIP, BROKEN_FILE, DEAD_LETTER_URL, SCREENSHOTS (a folder),
// CHROMIUM (optional).
// Prints one JSON line of what it saw; exits non-zero on the first expectation not met.
import { env, expect, launchBrowser, screenshotsFolder } from './lib.mjs';
import { basename } from 'node:path';

const screenshots = screenshotsFolder();
const seen = {};
const problems = [];
// Answers the flow provokes on purpose.
const expectedFailures = [];

const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env('API_URL') });
  const watchProblems = (p, tab) => {
    p.on('pageerror', e => problems.push(`${tab} page error: ${e.message}`));
    // A CSP violation is logged as a console error too; a failed load is recorded with its URL instead.
    p.on('console', m => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`${tab} console error: ${m.text()}`); });
    p.on('response', r => { if (r.status() >= 400 && !expectedFailures.some(f => f(r))) problems.push(`${tab}: ${r.status()} ${r.request().method()} ${r.url()}`); });
  };
  const page = await context.newPage();
  watchProblems(page, 'first tab');
  const shot = name => page.screenshot({ path: `${screenshots}/${name}.png`, fullPage: true });

  // The page's headers: a CSP admitting this origin's scripts only, no framing, no sniffing, no referrer.
  const response = await page.goto(`${env('API_URL')}/#/`);
  const headers = response.headers();
  seen.csp = headers['content-security-policy'] ?? '';
  const scriptSrc = seen.csp.split(';').map(d => d.trim()).find(d => d.startsWith('script-src')) ?? '';
  expect(scriptSrc === "script-src 'self'", `script-src admits this origin only (saw "${scriptSrc}")`);
  expect(!seen.csp.includes('unsafe-inline') && !seen.csp.includes('unsafe-eval'), 'no unsafe-inline or unsafe-eval');
  expect(seen.csp.includes("frame-ancestors 'none'"), 'frame-ancestors set');
  expect(headers['x-content-type-options'] === 'nosniff', 'X-Content-Type-Options: nosniff');
  expect(Boolean(headers['referrer-policy']), 'a Referrer-Policy');

  // Sign in, in this tab and in a second one (the token is per tab).
  const signIn = async p => {
    await p.goto(`${env('API_URL')}/#/`);
    await p.fill('#token', env('TOKEN'));
    await p.click('#sign-in-form button');
    await p.waitForSelector('#jobs-view:not([hidden])');
    await p.waitForSelector('#live.on');
  };
  await signIn(page);
  await page.evaluate(() => { window.sameDocument = true; });
  const storage = await page.evaluate(() => ({ local: localStorage.getItem('transcoder.token'), session: sessionStorage.getItem('transcoder.token') }));
  expect(storage.local === null && storage.session === env('TOKEN'), 'the token is in sessionStorage only');
  const other = await context.newPage();
  watchProblems(other, 'second tab');
  await signIn(other);

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
    expect((await page.locator('#upload-status').textContent()).includes(jobId), 'the new job heads the list');
    expect(await page.locator(`#jobs tr[data-id="${jobId}"] .title`).textContent() === basename(file), 'the row names the job by its file');
    return jobId;
  };
  const id = await upload(env('CLIP'), '3');
  const row = page.locator(`#jobs tr[data-id="${id}"]`);
  // The other tab hears of it without a reload.
  await other.waitForSelector(`#jobs tr[data-id="${id}"]`, { timeout: 15_000 });
  seen.otherTabName = await other.locator(`#jobs tr[data-id="${id}"] .title`).textContent();
  // ...and of a job another client submits.
  const byAnotherClient = await (await fetch(`${env('API_URL')}/v1/jobs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${env('TOKEN')}`, 'Content-Type': 'application/json' },
    // A loopback address the service refuses to fetch from (without connecting): the job fails at once, harmlessly.
    body: JSON.stringify({ inputUrl: 'http://127.0.0.1:9/never-fetched.mp4', name: 'From another client' }),
  })).json();
  await other.waitForSelector(`#jobs tr[data-id="${byAnotherClient.id}"]`, { timeout: 15_000 });
  await page.waitForSelector(`#jobs tr[data-id="${byAnotherClient.id}"]`, { timeout: 15_000 });
  expect(await other.locator(`#jobs tr[data-id="${byAnotherClient.id}"] .title`).textContent() === 'From another client', 'the given name is shown');
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
  // The finished row: its poster as a thumbnail, its duration, and its full id one click from the clipboard.
  await page.waitForFunction(jobId => document.querySelector(`#jobs tr[data-id="${jobId}"] td.thumb img`)?.naturalWidth > 0, id, { timeout: 20_000 });
  seen.duration = await row.locator('td').nth(2).textContent();
  expect(/^\d+:\d{2}$/.test(seen.duration), `the row shows the duration (saw "${seen.duration}")`);
  await row.locator('button.copy').click();
  expect(await page.evaluate(() => navigator.clipboard.readText()) === id, 'Copy id puts the full id on the clipboard');
  expect(await page.evaluate(() => location.hash) === '#/', 'copying does not open the job');
  await shot('1-job-list');

  // The job page: the source's facts, copyable URLs, quality selector with every rendition, metrics and cost, and
  // the video playing (HLS).
  await row.click();
  await page.waitForSelector('#playback:not([hidden])');
  seen.source = await page.locator('#source-facts').textContent();
  expect(/h264, 1280×720, 30 fps/.test(seen.source) && /aac, \d ch/.test(seen.source), `the source's facts (saw "${seen.source}")`);
  expect((await page.inputValue('#hls-url')).endsWith('.m3u8') && (await page.inputValue('#dash-url')).endsWith('.mpd'), 'HLS and DASH URLs shown');
  await page.click('button[data-copy-from="#hls-url"]');
  expect(await page.evaluate(() => navigator.clipboard.readText()) === await page.inputValue('#hls-url'), 'the HLS URL copies');
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
  // Found by a part of its name, and by its status.
  await page.fill('#q', 'NOTES');
  await page.waitForFunction(jobId => [...document.querySelectorAll('#jobs tbody tr')].map(r => r.dataset.id).join() === jobId, broken, { timeout: 10_000 });
  await page.fill('#q', '');
  await page.selectOption('#status-filter', 'completed');
  await page.waitForFunction(jobId => {
    const rows = [...document.querySelectorAll('#jobs tbody tr')];
    return rows.length > 0 && rows.every(r => r.dataset.status === 'completed') && rows.some(r => r.dataset.id === jobId);
  }, id, { timeout: 10_000 });
  await page.selectOption('#status-filter', '');
  await page.click(`#jobs tr[data-id="${broken}"]`);
  await page.waitForSelector('#job-error:not([hidden])');
  seen.failedJobError = await page.locator('#job-error').textContent();
  expect(/^[a-z_]+: /.test(seen.failedJobError), `the error shows its code (saw ${seen.failedJobError})`);
  await shot('4-failed-job');

  // A longer job, canceled from its page while it runs.
  const long = await upload(env('LONG_CLIP'));
  // Canceling deletes what the job published; its player may ask for a segment in between.
  expectedFailures.push(r => r.status() === 404 && r.url().includes(`/${long}/`));
  await page.click(`#jobs tr[data-id="${long}"]`);
  await page.click('#job-actions button:text("Cancel")');
  await page.waitForFunction(() => document.querySelector('[data-testid=job-status]').textContent.startsWith('canceled'), null, { timeout: 30_000 });
  await shot('5-canceled-job');

  // A job out of attempts (its source answered 503): its page says so and offers Retry, which runs it again.
  const deadLetter = await page.evaluate(async url => {
    const response = await fetch('/v1/jobs', {
      method: 'POST',
      headers: { Authorization: `Bearer ${sessionStorage.getItem('transcoder.token')}`, 'Content-Type': 'application/json' },
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
  for (const [index, open] of browser.contexts().flatMap(c => c.pages()).entries()) {
    await open.screenshot({ path: `${screenshots}/failure-tab-${index + 1}.png`, fullPage: true }).catch(() => {});
  }
  console.log(JSON.stringify({ ...seen, ok: false, error: error.message, problems }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
