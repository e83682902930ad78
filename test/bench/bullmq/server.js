// The seed's enqueue path, as a plain Node HTTP endpoint, in two forms, for test/bench/burst.sh:
//   POST /edge  what the seed's start-transcode edge function does (its sections 4-5 and 8): check the caller's
//               bearer token (HS256, the same key, issuer and audience as the service's), validate the body,
//               rate-limit the caller (a token bucket in the same Redis), insert the job row into Postgres (the
//               same server) and Queue.add it with that row's id, with the seed's options.
//   POST /bare  the bare Queue.add alone: no token, no validation, no database.
// Usage: node server.js PORT REDIS_PORT PG_PORT JWT_KEY_FILE ISSUER AUDIENCE
'use strict';
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { Queue } = require('bullmq');
const IORedis = require('ioredis');
const { Pool } = require('pg');

const [portText, redisPortText, pgPortText, keyFile, issuer, audience] = process.argv.slice(2);
const [port, redisPort, pgPort] = [portText, redisPortText, pgPortText].map(Number);
const key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
const queue = new Queue('transcoding', { connection: { host: '127.0.0.1', port: redisPort } });
const redis = new IORedis({ host: '127.0.0.1', port: redisPort });
// As many connections as the service's own pool.
const db = new Pool({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'transcoder', max: 50 });
let next = 0;

// A token bucket per caller: the service's budget (RateLimits:*), refilled continuously.
const RATE = Number(process.env.SEED_RATE ?? 10000000);
const BURST = Number(process.env.SEED_BURST ?? 10000000);
redis.defineCommand('takeToken', {
  numberOfKeys: 1,
  lua: `
    local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
    local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
    local tokens = tonumber(state[1]) or burst
    local at = tonumber(state[2]) or now
    tokens = math.min(burst, tokens + (now - at) * rate / 1000)
    local allowed = tokens >= 1
    if allowed then tokens = tokens - 1 end
    redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
    redis.call('PEXPIRE', KEYS[1], 60000)
    return allowed and 1 or 0`,
});

const b64url = buffer => buffer.toString('base64').replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');

// The caller's tenant, or null: an HS256 JWT with the right signature, issuer, audience and lifetime.
function tenantOf(header) {
  const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return null;
  const head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  if (head.alg !== 'HS256') return null;
  const expected = b64url(crypto.createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest());
  if (expected.length !== parts[2].length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(parts[2]))) return null;
  const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  const now = Date.now() / 1000;
  if (claims.iss !== issuer || claims.aud !== audience || !(claims.exp > now) || (claims.nbf && claims.nbf > now + 30)) return null;
  return typeof claims.sub === 'string' && claims.sub ? claims.sub : null;
}

function validate(job) {
  const errors = {};
  let url;
  try { url = new URL(job?.inputUrl); } catch { url = null; }
  if (!url || !['http:', 'https:'].includes(url.protocol)) errors.inputUrl = ['must be an http(s) URL'];
  if (job?.priority !== undefined && !(Number.isInteger(job.priority) && job.priority >= 1 && job.priority <= 10)) errors.priority = ['1 to 10'];
  return Object.keys(errors).length ? errors : null;
}

const reply = (res, status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function edge(req, body, res) {
  const tenant = tenantOf(req.headers.authorization);
  if (!tenant) return reply(res, 401, { title: 'Unauthorized' });
  let job;
  try { job = JSON.parse(body); } catch { return reply(res, 400, { title: 'Bad JSON' }); }
  const errors = validate(job);
  if (errors) return reply(res, 400, { title: 'Invalid', errors });
  if (!(await redis.takeToken(`seed-rate:${tenant}`, RATE, BURST, Date.now()))) return reply(res, 429, { title: 'Too many requests' });
  const priority = job.priority || 5;
  const row = await db.query(
    'INSERT INTO seed_jobs (user_id, input_file_url, priority, status) VALUES ($1, $2, $3, $4) RETURNING id',
    [tenant, job.inputUrl, priority, 'queued']);
  const id = row.rows[0].id;
  await queue.add('transcode', { jobId: id, inputUrl: job.inputUrl, userId: tenant, priority }, {
    priority,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2000 },
  });
  reply(res, 201, { id });
}

async function bare(body, res) {
  const job = JSON.parse(body);
  const priority = job.priority || 5;
  const added = await queue.add('transcode', { jobId: `job-${++next}`, inputUrl: job.inputUrl, userId: 'bench', priority }, {
    priority,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2000 },
  });
  reply(res, 201, { id: added.id });
}

http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const chunks = [];
  req.on('data', chunk => chunks.push(chunk));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      await (req.url === '/edge' ? edge(req, body, res) : bare(body, res));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
}).listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
