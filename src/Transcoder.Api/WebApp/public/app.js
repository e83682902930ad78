// The web app: sign in with a token, upload (resumably) or submit a URL, find jobs by name and status, watch them
// live over SignalR (new ones too, from any tab or client), and play a job's ladder with HLS (hls.js) or DASH
// (dash.js). No build step: the libraries are globals. The token is kept in sessionStorage: it lives as long as the
// tab, is not shared with other tabs or left behind when the browser closes, and no script but this page's reads it
// (the Content-Security-Policy admits no inline or foreign script).
const TERMINAL = new Set(['completed', 'failed', 'canceled']);
const $ = selector => document.querySelector(selector);
const TOKEN_KEY = 'transcoder.token';
const state = { token: sessionStorage.getItem(TOKEN_KEY), hub: null, jobs: new Map(), watched: new Set(), next: null, player: null, filter: { q: '', status: '' } };

// ---------- API ----------

class ApiError extends Error {
  constructor(status, problem) {
    const fields = problem?.errors ? Object.entries(problem.errors).map(([k, v]) => `${k}: ${v.join(' ')}`).join('; ') : '';
    super([problem?.title ?? `HTTP ${status}`, problem?.detail, fields].filter(Boolean).join(' — '));
    this.status = status;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const response = await fetch(path, {
    method,
    headers: { Authorization: `Bearer ${state.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    signOut('Your token was refused or has expired.');
  }
  // Errors from a proxy in front of the API may be HTML: only JSON is parsed.
  const json = (response.headers.get('content-type') ?? '').includes('json') ? await response.json() : null;
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

// ---------- Resumable upload (S3 multipart with presigned part URLs) ----------

function putPart(url, blob, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = e => onProgress(e.loaded);
    xhr.onload = () => (xhr.status === 200 ? resolve(xhr.getResponseHeader('ETag')) : reject(new Error(`part upload answered ${xhr.status}`)));
    xhr.onerror = () => reject(new Error('the connection to storage was lost'));
    xhr.send(blob);
  });
}

// Resumes an interrupted upload of the same file: the upload's ids are kept in localStorage until it completes,
// and the parts the bucket already holds are not sent again.
async function uploadFile(file, priority, name, outputs, onProgress) {
  const memo = `transcoder.upload:${file.name}:${file.size}:${file.lastModified}`;
  let upload = JSON.parse(localStorage.getItem(memo) ?? 'null');
  let held = new Map();
  if (upload) {
    try {
      const status = await api(`/v1/uploads/${upload.id}?uploadId=${encodeURIComponent(upload.uploadId)}`);
      held = new Map(status.parts.map(p => [p.partNumber, p.size]));
    } catch (error) {
      if (error.status !== 404) throw error;
      // Gone: either joined already (its job refused for a while, say; completing submits it) or expired.
      try {
        const job = await complete(upload, file, priority, name, outputs);
        localStorage.removeItem(memo);
        return job;
      } catch (again) {
        if (again.status !== 404) throw again;
        upload = null;
      }
    }
  }
  if (!upload) {
    upload = await api('/v1/uploads', { method: 'POST', body: { size: file.size } });
    localStorage.setItem(memo, JSON.stringify(upload));
  }

  let sent = [...held.values()].reduce((a, b) => a + b, 0);
  onProgress(sent / file.size);
  for (let number = 1; number <= upload.partCount; number++) {
    if (held.has(number)) continue;
    const start = (number - 1) * upload.partSize;
    const blob = file.slice(start, Math.min(file.size, start + upload.partSize));
    const { url } = await api(`/v1/uploads/${upload.id}/parts/${number}?uploadId=${encodeURIComponent(upload.uploadId)}`);
    await putPart(url, blob, loaded => onProgress((sent + loaded) / file.size));
    sent += blob.size;
  }
  const job = await complete(upload, file, priority, name, outputs);
  localStorage.removeItem(memo);
  return job;
}

const complete = (upload, file, priority, name, outputs) => api(`/v1/uploads/${upload.id}/complete`, {
  method: 'POST',
  body: { uploadId: upload.uploadId, fileName: file.name, priority, ...(name ? { name } : {}), ...(outputs ? { outputs } : {}) },
});

/** The outputs a submit form asks for (its "Outputs" section), or null for the service's defaults. */
function outputsFrom(form) {
  const outputs = {};
  const codecs = ['hevc', 'av1'].filter(codec => form[`codec-${codec}`].checked);
  if (codecs.length) outputs.codecs = ['h264', ...codecs];
  if (form.maxHeight.value) outputs.maxHeight = Number(form.maxHeight.value);
  const downloads = ['mp4', 'm4a'].filter(format => form[`download-${format}`].checked);
  if (downloads.length) outputs.downloads = downloads;
  if (form.clipStart.value !== '' || form.clipEnd.value !== '') {
    outputs.clip = { startSeconds: Number(form.clipStart.value || 0), endSeconds: form.clipEnd.value === '' ? null : Number(form.clipEnd.value) };
  }
  return Object.keys(outputs).length ? outputs : null;
}

// ---------- Live updates ----------

async function connectHub() {
  const hub = new signalR.HubConnectionBuilder()
    .withUrl('/hubs/jobs', { accessTokenFactory: () => state.token })
    .withAutomaticReconnect()
    .build();
  hub.on('progress', onProgress);
  hub.on('jobCreated', onCreated);
  hub.onreconnecting(() => setLive(false));
  hub.onreconnected(async () => {
    setLive(true);
    const ids = [...state.watched];
    state.watched.clear();
    await Promise.all(ids.map(watch));
  });
  hub.onclose(() => setLive(false));
  state.hub = hub;
  await hub.start();
  setLive(true);
}

function setLive(on) {
  $('#live').textContent = on ? 'live' : 'offline';
  $('#live').classList.toggle('on', on);
}

async function watch(id) {
  if (!state.hub || state.watched.has(id)) return;
  state.watched.add(id);
  try {
    await state.hub.invoke('Watch', id);
  } catch {
    state.watched.delete(id);
  }
}

async function onProgress(message) {
  const job = state.jobs.get(message.jobId);
  if (!job) return;
  const changed = job.status !== message.status;
  // A snapshot may arrive just after a newer event: within one status, progress only moves forward.
  if (!changed && message.percent < job.progress) return;
  Object.assign(job, { status: message.status, progress: message.percent, stage: message.stage });
  if (changed || (currentJobId() === job.id && !job.playableAt)) {
    // The message carries status and percent only; the job itself has the outputs, errors and costs.
    if (TERMINAL.has(message.status)) {
      state.watched.delete(job.id);
      state.hub?.invoke('Unwatch', job.id).catch(() => {});
    }
    Object.assign(job, await api(`/v1/jobs/${job.id}`).catch(() => ({})));
  }
  renderRow(job);
  if (currentJobId() === job.id) renderJob(job);
}

// A new job of this tenant, submitted here, in another tab or by another client: it heads the list if it
// matches the filter (and is not there already).
function onCreated(job) {
  if (state.jobs.has(job.id) || !matchesFilter(job)) return;
  track(job);
  renderRow(job, { prepend: true });
}

const matchesFilter = job =>
  (!state.filter.status || job.status === state.filter.status)
  && (!state.filter.q || (job.name ?? '').toLowerCase().includes(state.filter.q.toLowerCase()));

function track(job) {
  state.jobs.set(job.id, job);
  if (!TERMINAL.has(job.status)) watch(job.id);
}

// ---------- Job list ----------

const when = iso => (iso ? new Date(iso).toLocaleString() : '');

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const duration = seconds => {
  if (!seconds) return '';
  const total = Math.round(seconds);
  const [h, m, sec] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
};

function copyButton(text, label = 'Copy') {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'copy secondary';
  button.textContent = label;
  button.addEventListener('click', event => {
    event.stopPropagation();
    copy(text, button);
  });
  return button;
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    const label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = label; }, 1500);
  } catch {
    prompt('Copy this:', text);
  }
}

function renderRow(job, { prepend = false } = {}) {
  const body = $('#jobs tbody');
  let row = body.querySelector(`tr[data-id="${job.id}"]`);
  if (!row) {
    row = document.createElement('tr');
    row.dataset.id = job.id;
    row.addEventListener('click', () => { location.hash = `#/jobs/${job.id}`; });
    prepend ? body.prepend(row) : body.append(row);
  }
  const bar = document.createElement('progress');
  bar.max = 100;
  bar.value = job.progress;
  const progress = cell(`${job.progress.toFixed(0)}% `);
  progress.append(bar);

  const thumb = cell('', 'thumb');
  if (job.posterUrl) {
    const img = document.createElement('img');
    img.src = job.posterUrl;
    img.alt = '';
    img.loading = 'lazy';
    thumb.append(img);
  } else {
    thumb.append(document.createElement('span'));
  }

  const name = cell('', 'name');
  const title = document.createElement('span');
  title.className = 'title';
  title.textContent = job.name ?? '(unnamed)';
  title.title = job.name ?? '';
  const id = document.createElement('span');
  id.className = 'id';
  id.textContent = job.id;
  name.append(title, id, copyButton(job.id, 'Copy id'));

  row.dataset.status = job.status;
  row.replaceChildren(
    thumb, name, cell(duration(job.durationSeconds ?? job.source?.durationSeconds)), cell(when(job.createdAt)),
    cell(job.deadLetteredAt ? `${job.status} (dead letter)` : `${job.status}${TERMINAL.has(job.status) ? '' : ` · ${job.stage}`}`, `status status-${job.status}`),
    progress, cell(String(job.priority)));
}

async function loadJobs(more = false) {
  const query = new URLSearchParams({ limit: '25' });
  if (state.filter.q) query.set('q', state.filter.q);
  if (state.filter.status) query.set('status', state.filter.status);
  if (more && state.next) query.set('after', state.next);
  const page = await api(`/v1/jobs?${query}`);
  if (!more) $('#jobs tbody').replaceChildren();
  for (const job of page.items) {
    track(job);
    renderRow(job);
  }
  state.next = page.next;
  $('#more').hidden = !page.next;
}

/** Puts a copy of the "Outputs" section in each submit form, its test ids prefixed with the form's ("upload-codec-av1"). */
function outputsSections() {
  for (const slot of document.querySelectorAll('.outputs-slot')) {
    const section = $('#outputs-template').content.cloneNode(true);
    for (const element of section.querySelectorAll('[data-field]')) element.dataset.testid = `${slot.dataset.prefix}-${element.dataset.field}`;
    slot.replaceWith(section);
  }
}

function priorityOptions() {
  for (const select of document.querySelectorAll('select.priority')) {
    for (let p = 1; p <= 10; p++) select.add(new Option(p === 1 ? '1 (most urgent)' : String(p), String(p), false, p === 5));
  }
}

async function submitted(job) {
  onCreated(job);
}

async function onUpload(event) {
  event.preventDefault();
  const form = event.target;
  const file = form.file.files[0];
  const bar = $('#upload-progress');
  const status = $('#upload-status');
  bar.hidden = false;
  bar.value = 0;
  status.textContent = 'Uploading…';
  form.querySelector('button').disabled = true;
  try {
    const job = await uploadFile(file, Number(form.priority.value), form.name.value.trim(), outputsFrom(form), fraction => {
      bar.value = fraction;
      status.textContent = `Uploading ${(fraction * 100).toFixed(0)}%`;
    });
    status.textContent = `Uploaded: ${job.name ?? 'job'} (${job.id})`;
    form.reset();
    form.priority.value = '5';
    await submitted(job);
  } catch (error) {
    status.textContent = `Upload failed: ${error.message} (submit the same file again to resume)`;
  } finally {
    form.querySelector('button').disabled = false;
  }
}

async function onUrl(event) {
  event.preventDefault();
  const form = event.target;
  try {
    const name = form.name.value.trim();
    const outputs = outputsFrom(form);
    const job = await api('/v1/jobs', { method: 'POST', body: { inputUrl: form.inputUrl.value, priority: Number(form.priority.value), ...(name ? { name } : {}), ...(outputs ? { outputs } : {}) } });
    $('#url-status').textContent = `Submitted: ${job.name ?? 'job'} (${job.id})`;
    form.inputUrl.value = '';
    form.name.value = '';
    await submitted(job);
  } catch (error) {
    $('#url-status').textContent = error.message;
  }
}

// ---------- Job page and player ----------

const currentJobId = () => location.hash.match(/^#\/jobs\/([0-9a-f-]{36})$/)?.[1] ?? null;
const kbps = bits => `${Math.round(bits / 1000).toLocaleString()} kbps`;

function fact(list, name, value) {
  if (value === null || value === undefined || value === '') return;
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  if (value instanceof Node) dd.append(value); else dd.textContent = value;
  list.append(dt, dd);
}

function renderSource(source) {
  const facts = $('#source-facts');
  if (!source) {
    facts.replaceChildren(Object.assign(document.createElement('dd'), { textContent: 'Known once the job has read its input.' }));
    return;
  }
  facts.replaceChildren();
  fact(facts, 'Container', source.container);
  fact(facts, 'Size', `${(source.sizeBytes / 1e6).toFixed(1)} MB`);
  fact(facts, 'Duration', duration(source.durationSeconds));
  fact(facts, 'Video', source.videoCodec && `${source.videoCodec}, ${source.width}×${source.height}${source.frameRate ? `, ${source.frameRate} fps` : ''}`);
  fact(facts, 'Audio', source.audioCodec ? `${source.audioCodec}, ${source.audioChannels} ch${source.audioTracks > 1 ? ` (${source.audioTracks} tracks)` : ''}` : 'none');
  if (source.textTracks) fact(facts, 'Subtitles', `${source.textTracks} tracks`);
}

function renderJob(job) {
  $('#job-id').textContent = job.id;
  $('#job-name').textContent = job.name ?? 'Job';
  $('#job-links').hidden = !job.hlsUrl;
  $('#hls-url').value = job.hlsUrl ?? '';
  $('#dash-url').value = job.dashUrl ?? '';
  renderSource(job.source);
  const facts = $('#job-facts');
  facts.replaceChildren();
  fact(facts, 'Status', `${job.status}${job.deadLetteredAt ? ' (dead letter)' : ''}`);
  facts.lastElementChild.dataset.testid = 'job-status';
  fact(facts, 'Progress', `${job.progress.toFixed(1)}% (${job.stage})`);
  fact(facts, 'Priority', String(job.priority));
  fact(facts, 'Attempts', `${job.attempts} of ${job.maxAttempts}`);
  fact(facts, 'Created', when(job.createdAt));
  fact(facts, 'Duration', duration(job.durationSeconds));
  fact(facts, 'Playable from', when(job.playableAt));
  fact(facts, 'Completed', when(job.completedAt));
  if (job.reusedFrom) fact(facts, 'Reuses the outputs of', job.reusedFrom);
  if (job.toneMapped) fact(facts, 'Picture', 'HDR source, tone mapped to SDR (BT.709)');
  if (job.chunks > 1) fact(facts, 'Encoded in', `${job.chunks} chunks on ${job.silos} silo${job.silos === 1 ? '' : 's'}`);
  // What was asked of the package, and (once it is made) what it carries.
  const asked = job.outputs ?? {};
  fact(facts, 'Codecs', `${(asked.codecs ?? ['h264']).join(', ')}${job.codecs?.length ? ` (made: ${job.codecs.join(', ')})` : ''}`);
  facts.lastElementChild.dataset.testid = 'job-codecs';
  if (asked.maxHeight) fact(facts, 'Height cap', `${asked.maxHeight}p`);
  if (asked.renditions?.length) fact(facts, 'Rungs asked', asked.renditions.map(r => `${r.height}p${r.maxBitrateKbps ? ` ≤ ${r.maxBitrateKbps} kbps` : ''}`).join(', '));
  if (asked.clip) fact(facts, 'Clip', `${asked.clip.startSeconds} s to ${asked.clip.endSeconds} s of the source`);
  for (const warning of job.warnings ?? []) {
    fact(facts, 'Warning', `${warning.code}: ${warning.message}`);
    facts.lastElementChild.dataset.testid = 'job-warning';
  }
  if (job.cost) {
    fact(facts, 'Cost', `$${job.cost.dollars} — ${job.cost.cpuSeconds.toFixed(1)} CPU-seconds, $${job.cost.dollarsPerOutputMinute} per output minute`);
    facts.lastElementChild.dataset.testid = 'job-cost';
    if (job.cost.byCodec) {
      fact(facts, 'By codec (CPU estimated)', job.cost.byCodec.map(c =>
        `${codecName(c.codec === 'h264' ? 'avc1' : c.codec === 'hevc' ? 'hvc1' : 'av01')}: $${c.dollars} (${c.cpuSeconds.toFixed(1)} CPU-s), ${(c.bytes / 1e6).toFixed(1)} MB, top rung ${kbps(c.averageBitrate)}`).join(' · '));
    }
  }

  // Rebuilt only when what it offers changes: a button replaced on every progress message cannot be clicked.
  const actions = $('#job-actions');
  const offered = `${job.id} ${TERMINAL.has(job.status) ? '' : 'cancel'} ${job.deadLetteredAt ? 'retry' : ''}`;
  if (actions.dataset.offered !== offered) {
    actions.dataset.offered = offered;
    actions.replaceChildren();
    if (!TERMINAL.has(job.status)) actions.append(action('Cancel', () => api(`/v1/jobs/${job.id}`, { method: 'DELETE' })));
    if (job.deadLetteredAt) actions.append(action('Retry', () => api(`/v1/jobs/${job.id}/retry`, { method: 'POST' })));
  }

  const error = $('#job-error');
  error.hidden = !job.error;
  if (job.error) {
    error.replaceChildren(`${job.error.code}: ${job.error.message}`);
    if (job.error.detail) {
      const pre = document.createElement('pre');
      pre.textContent = job.error.detail;
      error.append(pre);
    }
  }

  // Downloads and stills, with their sizes.
  const downloads = job.downloads ?? [];
  const stills = job.thumbnails ?? [];
  $('#extras').hidden = downloads.length === 0 && stills.length === 0;
  $('#downloads').replaceChildren(...downloads.map(d => {
    const li = document.createElement('li');
    const link = Object.assign(document.createElement('a'), { href: d.url, textContent: d.format === 'mp4' ? `MP4 ${d.height}p` : 'M4A (audio)', download: '' });
    li.append(link, ` · ${(d.sizeBytes / 1e6).toFixed(2)} MB · ${d.codecs}`);
    return li;
  }));
  $('#stills').replaceChildren(...stills.map(t => {
    const img = Object.assign(document.createElement('img'), { src: t.url, alt: `Still at ${t.seconds} s`, loading: 'lazy', width: Math.min(160, t.width) });
    img.title = `${t.seconds} s · ${t.width}×${t.height}`;
    return img;
  }));

  // What the source had that the package does not carry, and why: never dropped without a word.
  const skipped = job.skipped ?? [];
  $('#track-notes').hidden = skipped.length === 0;
  $('#skipped').replaceChildren(...skipped.map(t => {
    const li = document.createElement('li');
    li.textContent = `${t.kind} track #${t.streamIndex} (${t.codec}, ${t.language}): ${t.message}`;
    return li;
  }));

  $('#renditions tbody').replaceChildren(...job.renditions.map(r => {
    const tr = document.createElement('tr');
    tr.dataset.kind = r.kind;
    const shape = r.kind === 'video'
      ? `${r.width}×${r.height}`
      : [r.language, r.channels && `${r.channels} ch`, r.forced && 'forced', r.role, r.loudness && `${r.loudness.outputLufs} LUFS`].filter(Boolean).join(' · ') || '—';
    tr.append(cell(r.name), cell(r.kind), cell(shape), cell(kbps(r.bandwidth)), cell(r.codecs),
      cell(r.psnr?.toFixed(2) ?? '—'), cell(r.ssim?.toFixed(4) ?? '—'));
    return tr;
  }));

  const playable = Boolean(job.hlsUrl && (job.playableAt || job.status === 'completed'));
  $('#playback').hidden = !playable;
  // A canceled or failed job's outputs are deleted: its player stops asking for them.
  if (!playable && state.player?.jobId === job.id) stopPlayer();
  if (playable && state.player?.jobId !== job.id) startPlayer(job);
  if (playable && job.storyboardUrl && $('#storyboard').dataset.url !== job.storyboardUrl) renderStoryboard(job.storyboardUrl);
  if (job.posterUrl) $('#player').poster = job.posterUrl;
}

function action(label, run) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = label;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const job = await run();
      track(job);
      renderRow(job);
      renderJob(job);
    } catch (error) {
      alert(error.message);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function stopPlayer() {
  state.player?.destroy();
  state.player = null;
  const video = $('#player');
  video.removeAttribute('src');
  video.removeAttribute('poster');
  video.load();
}

// The video codecs a package may carry, most efficient first: the player plays the first the browser decodes.
const CODECS = [['av01', 'AV1'], ['hvc1', 'HEVC'], ['avc1', 'H.264']];
const codecName = codecs => CODECS.find(([prefix]) => codecs?.startsWith(prefix))?.[1] ?? codecs ?? '';

/** The codec families of the package this browser decodes (as MediaSource says of each family's codec string), most efficient first. */
function decodableCodecs(job) {
  const video = job.renditions.filter(r => r.kind === 'video');
  const source = window.ManagedMediaSource ?? window.MediaSource;
  return CODECS.map(([prefix]) => prefix).filter(prefix => {
    const rendition = video.find(r => r.codecs.startsWith(prefix));
    return rendition && (!source || source.isTypeSupported(`video/mp4; codecs="${rendition.codecs}"`));
  });
}

function startPlayer(job) {
  stopPlayer();
  const video = $('#player');
  const status = $('#player-status');
  const playing = $('#player-codec');
  const codec = $('#codec');
  const decodable = decodableCodecs(job);
  if (![...codec.options].some(o => o.value === codec.value) || codec.dataset.jobId !== job.id) {
    codec.replaceChildren(...decodable.map(prefix => new Option(codecName(prefix), prefix)));
    codec.dataset.jobId = job.id;
  }
  codec.disabled = decodable.length < 2;
  codec.onchange = () => startPlayer(job);
  const chosen = codec.value || 'avc1';
  const shown = codecs => { playing.textContent = codecs ? `${codecName(codecs)} (${codecs})` : ''; };
  const quality = $('#quality');
  quality.replaceChildren(new Option('Auto', 'auto'));
  for (const r of job.renditions.filter(r => r.kind === 'video' && r.codecs.startsWith(chosen))) {
    quality.add(new Option(`${r.height}p · ${kbps(r.bandwidth)} · ${r.codecs}`, String(r.height)));
  }
  const audio = $('#audio-track');
  const text = $('#text-track');
  audio.replaceChildren();
  text.replaceChildren(new Option('Off', '-1'));
  video.onplaying = () => { status.textContent = 'playing'; };
  video.onwaiting = () => { status.textContent = 'buffering'; };
  video.onended = () => { status.textContent = 'ended'; };

  const format = $('#format').value;
  if (format === 'dash' && job.dashUrl) {
    const player = dashjs.MediaPlayer().create();
    // The wall clock for live manifests: this origin's Date header, not a third-party time server.
    player.updateSettings({
      streaming: { utcSynchronization: { defaultTimingSource: { scheme: 'urn:mpeg:dash:utc:http-head:2014', value: `${location.origin}/health/live` } } },
    });
    // One adaptation set per codec (the manifest's selectionPriority prefers the most efficient): only the chosen
    // codec's representations are kept, before anything is fetched.
    const videoCodec = /^(avc1|avc3|hvc1|hev1|av01)/;
    player.registerCustomCapabilitiesFilter(r => !videoCodec.test(r.codecs ?? '') || r.codecs.startsWith(chosen));
    player.initialize(video, job.dashUrl, true);
    let live = true;
    player.on(dashjs.MediaPlayer.events.ERROR, e => { status.textContent = `error: ${e.error?.message ?? e.error}`; });
    const playingCodec = () => /codecs="([^"]+)"/.exec(player.getCurrentTrackFor('video')?.codec ?? '')?.[1] ?? player.getCurrentTrackFor('video')?.codec;
    player.on(dashjs.MediaPlayer.events.STREAM_INITIALIZED, () => { if (live) shown(playingCodec()); });
    player.on(dashjs.MediaPlayer.events.QUALITY_CHANGE_RENDERED, e => { if (live && e.mediaType === 'video') shown(playingCodec()); });
    // The tracks as the manifest lists them (one adaptation set each, named by its Label).
    player.on(dashjs.MediaPlayer.events.STREAM_INITIALIZED, () => {
      if (!live) return;
      const sounds = player.getTracksFor('audio');
      const current = player.getCurrentTrackFor('audio');
      offerTracks(audio, sounds.map(t => trackLabel(t.labels?.[0]?.text, t.lang)), sounds.findIndex(t => t === current || t.id === current?.id));
      audio.onchange = () => player.setCurrentTrack(sounds[Number(audio.value)]);
      const captions = player.getTracksFor('text');
      offerTracks(text, captions.map(t => trackLabel(t.labels?.[0]?.text, t.lang)), -1, true);
      text.onchange = () => {
        const index = Number(text.value);
        player.enableText(index >= 0);
        if (index >= 0) player.setTextTrack(index);
      };
    });
    quality.onchange = () => {
      const height = quality.value === 'auto' ? null : Number(quality.value);
      player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: height === null } } } });
      if (height !== null) {
        const index = player.getRepresentationsByType('video').findIndex(r => r.height === height);
        if (index >= 0) player.setRepresentationForTypeByIndex('video', index, true);
      }
    };
    state.player = { jobId: job.id, destroy: () => { live = false; player.destroy(); } };
  } else if (Hls.isSupported()) {
    // Loading waits until only the chosen codec's variants are left: hls.js then switches among those alone.
    const hls = new Hls({ autoStartLoad: false });
    hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) status.textContent = `error: ${data.details}`; });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      for (let i = hls.levels.length - 1; i >= 0; i--) {
        if (hls.levels.length > 1 && !(hls.levels[i].videoCodec ?? '').startsWith(chosen)) hls.removeLevel(i);
      }
      hls.startLoad();
    });
    hls.on(Hls.Events.LEVEL_SWITCHED, (_, data) => shown(hls.levels[data.level]?.videoCodec));
    hls.loadSource(job.hlsUrl);
    hls.attachMedia(video);
    // The tracks as the master playlist lists them (its audio group and its subtitles group).
    hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, () => offerTracks(audio, hls.audioTracks.map(t => trackLabel(t.name, t.lang)), hls.audioTrack));
    hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, () => { audio.value = String(hls.audioTrack); });
    hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, () => offerTracks(text, hls.subtitleTracks.map(t => trackLabel(t.name, t.lang)), hls.subtitleTrack, true));
    audio.onchange = () => { hls.audioTrack = Number(audio.value); };
    text.onchange = () => {
      hls.subtitleTrack = Number(text.value);
      hls.subtitleDisplay = hls.subtitleTrack >= 0;
    };
    quality.onchange = () => {
      hls.currentLevel = quality.value === 'auto' ? -1 : hls.levels.findIndex(l => l.height === Number(quality.value));
    };
    state.player = { jobId: job.id, destroy: () => hls.destroy() };
  } else {
    video.src = job.hlsUrl; // Safari plays HLS itself, choosing among the codecs by itself.
    shown('');
    state.player = { jobId: job.id, destroy: () => {} };
  }
  video.play().catch(() => {});
}

/** Fills a track picker: one option per track (by its index in the player's list), "Off" first for captions. */
function offerTracks(select, labels, selected, withOff = false) {
  select.replaceChildren(...(withOff ? [new Option('Off', '-1')] : []), ...labels.map((label, i) => new Option(label, String(i))));
  select.value = String(selected);
  select.disabled = labels.length < (withOff ? 1 : 2);
}

function trackLabel(name, language) {
  return name && language && !name.includes(language) ? `${name} (${language})` : name || language || 'Unnamed';
}

// The storyboard: a WebVTT track whose cues point into a sprite image (url#xywh=x,y,w,h); click to seek.
async function renderStoryboard(url) {
  $('#storyboard').dataset.url = url;
  let text;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`storyboard answered ${response.status}`);
    text = await response.text();
  } catch {
    delete $('#storyboard').dataset.url; // tried again on the next update
    return;
  }
  const tiles = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const match = block.match(/([\d:.]+) --> [\d:.]+\s*\r?\n(.+)#xywh=(\d+),(\d+),(\d+),(\d+)/);
    if (!match) continue;
    const [, start, image, x, y, w, h] = match;
    const seconds = start.split(':').reduce((total, part) => total * 60 + Number(part), 0);
    const tile = document.createElement('button');
    tile.type = 'button';
    tile.title = `${seconds.toFixed(0)} s`;
    Object.assign(tile.style, {
      width: `${w}px`, height: `${h}px`,
      backgroundImage: `url("${new URL(image, url)}")`, backgroundPosition: `-${x}px -${y}px`,
    });
    tile.addEventListener('click', () => { $('#player').currentTime = seconds; });
    tiles.push(tile);
  }
  $('#storyboard').replaceChildren(...tiles);
}

// ---------- Routing and sign-in ----------

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.hub?.stop();
  state.hub = null;
  state.watched.clear();
  $('#sign-in-error').textContent = message ?? '';
  route();
}

function tenantOf(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub;
  } catch {
    return null;
  }
}

async function route() {
  const signedIn = Boolean(state.token);
  $('#sign-in').hidden = signedIn;
  $('#sign-out').hidden = !signedIn;
  $('#who').textContent = signedIn ? `tenant ${tenantOf(state.token) ?? '?'}` : '';
  const id = signedIn ? currentJobId() : null;
  $('#jobs-view').hidden = !signedIn || id !== null;
  $('#job-view').hidden = id === null;
  if (id === null || id !== state.player?.jobId) {
    stopPlayer();
    $('#storyboard').replaceChildren();
    delete $('#storyboard').dataset.url;
  }
  if (!signedIn) return;
  if (id !== null) {
    try {
      const job = await api(`/v1/jobs/${id}`);
      track(job);
      renderJob(job);
    } catch (error) {
      $('#job-facts').replaceChildren(error.message);
    }
  }
}

async function signIn(token) {
  state.token = token;
  try {
    await api('/v1/jobs?limit=1');
  } catch (error) {
    state.token = null;
    $('#sign-in-error').textContent = `Sign-in failed: ${error.message}`;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $('#sign-in-error').textContent = '';
  await connectHub().catch(() => setLive(false));
  await loadJobs();
  await route();
}

function start() {
  outputsSections();
  priorityOptions();
  $('#sign-in-form').addEventListener('submit', e => { e.preventDefault(); signIn($('#token').value.trim()); });
  $('#sign-out').addEventListener('click', () => signOut());
  $('#upload-form').addEventListener('submit', onUpload);
  $('#url-form').addEventListener('submit', onUrl);
  $('#more').addEventListener('click', () => loadJobs(true));
  let typing;
  const refilter = () => {
    state.filter = { q: $('#q').value.trim(), status: $('#status-filter').value };
    loadJobs().catch(error => { $('#url-status').textContent = error.message; });
  };
  $('#q').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(refilter, 250); });
  $('#status-filter').addEventListener('change', refilter);
  $('#filter').addEventListener('submit', e => { e.preventDefault(); refilter(); });
  for (const button of document.querySelectorAll('button[data-copy-from]')) {
    button.addEventListener('click', () => {
      const source = $(button.dataset.copyFrom);
      copy(source.value ?? source.textContent, button);
    });
  }
  $('#format').addEventListener('change', () => {
    const job = state.jobs.get(currentJobId());
    if (job) startPlayer(job);
  });
  window.addEventListener('hashchange', route);
  if (state.token) signIn(state.token); else route();
}

start();
