// A multi-language title in a real browser (Debian's Chromium, headless), with HLS (hls.js) and then DASH
// (dash.js): the job page offers the audio languages and the captions the package carries and shows what was
// skipped; choosing French audio makes the player fetch the French track's segments; choosing English captions makes
// a text track show, with the cue "Ten seconds" active at 10.2 s and not at 5 s.
// Environment: API_URL, TOKEN, JOB_ID (a completed job of tracks.mkv and its caption file), SCREENSHOTS, CHROMIUM (optional).
// Prints one JSON line of what it saw; exits non-zero on the first expectation not met.
import { expect, launchBrowser, openJob, reportFailure, screenshotsFolder, watchedPage } from './lib.mjs';

const screenshots = screenshotsFolder();
const seen = {};
const problems = [];

const browser = await launchBrowser();
try {
  const page = await watchedPage(browser, problems);
  const requested = [];
  page.on('request', r => requested.push(r.url()));

  await openJob(page);
  seen.skipped = await page.locator('#skipped li').allTextContents();
  expect(seen.skipped.length === 1 && seen.skipped[0].includes('hdmv_pgs_subtitle'), `the PGS track is listed as skipped (saw ${seen.skipped})`);

  const options = selector => page.locator(`${selector} option`).allTextContents();
  const exercise = async format => {
    await page.waitForFunction(() => document.querySelectorAll('#audio-track option').length >= 4 && document.querySelectorAll('#text-track option').length >= 3, null, { timeout: 30_000 });
    seen[format] = { audio: await options('#audio-track'), text: await options('#text-track') };
    expect(seen[format].audio.some(o => o.startsWith('English')) && seen[format].audio.some(o => o.startsWith('French')), `${format}: English and French audio offered (saw ${seen[format].audio})`);
    expect(seen[format].text[0] === 'Off' && seen[format].text.some(o => o.startsWith('Spanish')), `${format}: captions offered, Off first (saw ${seen[format].text})`);
    await page.waitForFunction(() => document.querySelector('#player').currentTime > 0.5, null, { timeout: 60_000 });

    // French audio: the player fetches the French rendition's segments (a1), from where it is.
    const french = await page.locator('#audio-track option', { hasText: 'French' }).first().getAttribute('value');
    const before = requested.length;
    await page.selectOption('#audio-track', french);
    await page.evaluate(() => { const video = document.querySelector('#player'); video.currentTime = 2; return video.play(); });
    await page.waitForFunction(() => document.querySelector('#player').currentTime > 3, null, { timeout: 30_000 });
    const fetched = requested.slice(before);
    seen[format].frenchSegments = fetched.filter(u => /chunk-a1-\d+\.m4s$/.test(u)).length;
    expect(seen[format].frenchSegments > 0, `${format}: French audio segments fetched after choosing French (saw ${fetched.filter(u => u.includes('chunk-a')).join(', ')})`);

    // English captions: a showing text track with the 10 s cue active at 10.2 s, and none of it at 5 s.
    const english = await page.locator('#text-track option', { hasText: /^English/ }).first().getAttribute('value');
    await page.selectOption('#text-track', english);
    // The player loads caption segments around the playhead: wait until the one holding the 10 s cue is in.
    const activeAt = async (seconds, untilActive) => {
      await page.evaluate(t => { const video = document.querySelector('#player'); video.pause(); video.currentTime = t; }, seconds);
      return page.waitForFunction(([t, untilActive]) => {
        const video = document.querySelector('#player');
        if (Math.abs(video.currentTime - t) > 0.05 || video.seeking) return null;
        const showing = [...video.textTracks].filter(track => track.mode === 'showing');
        const loaded = showing.some(track => [...(track.cues ?? [])].some(c => c.text === 'Ten seconds'));
        const active = showing.flatMap(track => [...(track.activeCues ?? [])].map(c => c.text));
        if (!loaded || (untilActive && !active.includes('Ten seconds'))) return null;
        return { showing: showing.map(track => track.language || track.label), active };
      }, [seconds, untilActive], { timeout: 30_000 }).then(handle => handle.jsonValue())
        .catch(() => page.evaluate(() => ({ timedOut: true, tracks: [...document.querySelector('#player').textTracks].map(t => ({ mode: t.mode, cues: [...(t.cues ?? [])].map(c => `${c.startTime}:${c.text}`), active: [...(t.activeCues ?? [])].map(c => c.text) })) })));
    };
    const atTen = await activeAt(10.2, true);
    seen[format].atTen = atTen;
    expect(atTen.active?.includes('Ten seconds'), `${format}: the cue at 10 s is active at 10.2 s (saw ${JSON.stringify(atTen)})`);
    const atFive = await activeAt(5, false);
    seen[format].atFive = atFive;
    expect(Array.isArray(atFive.active) && !atFive.active.includes('Ten seconds'), `${format}: the 10 s cue is not active at 5 s (saw ${JSON.stringify(atFive)})`);
    await page.screenshot({ path: `${screenshots}/tracks-${format}.png`, fullPage: true });
  };

  await exercise('hls');
  await page.selectOption('#format', 'dash');
  await exercise('dash');

  expect(problems.length === 0, `no page or console errors (saw ${problems.join(' | ')})`);
  console.log(JSON.stringify({ ok: true, ...seen }));
} catch (error) {
  await reportFailure(browser, 'tracks', error, seen, problems);
} finally {
  await browser.close();
}
