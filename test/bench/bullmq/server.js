// The seed's enqueue path (its start-transcode edge function), as a plain Node HTTP endpoint: parse the JSON
// body and Queue.add it into Redis with the seed's options. Usage: node server.js PORT REDIS_PORT
'use strict';
const http = require('node:http');
const { Queue } = require('bullmq');

const [port, redisPort] = process.argv.slice(2).map(Number);
const queue = new Queue('transcoding', { connection: { host: '127.0.0.1', port: redisPort } });
let next = 0;

http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const priority = job.priority || 5;
      const added = await queue.add('transcode', {
        jobId: `job-${++next}`,
        inputUrl: job.inputUrl,
        userId: 'bench',
        priority,
      }, {
        priority,
        attempts: 3,
        backoff: { type: 'exponential', delay: 2000 },
      });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: added.id }));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    }
  });
}).listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
