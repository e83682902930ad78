#!/usr/bin/env node
'use strict';

// The local S3 endpoint: s3rver, with object writes made atomic as they are on S3.
// s3rver writes an object over the old one in place, so a GET during a PUT reads a partial object (a live
// playlist cut mid-line, say), which S3 never serves. Here a PUT writes a temporary file and renames it over
// the object, and a GET takes the object's length from the file it has opened, so a reader sees either the
// old object or the new one, whole. The object's metadata files are replaced the same way: written in place, a
// GET could read one empty and answer 500.
// s3rver also lacks two calls of S3's multipart uploads that resumable uploads rely on, ListParts and
// AbortMultipartUpload; they are added here, and a part is stored only once all its bytes have arrived (an
// interrupted part PUT leaves nothing, as on S3). Arguments are s3rver's own.

const crypto = require('crypto');
const fs = require('fs-extra');
const path = require('path');
const { Transform } = require('stream');
const { pipeline } = require('stream/promises');
const FilesystemStore = require('s3rver/lib/stores/filesystem');
const S3Object = require('s3rver/lib/models/object');

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.mkdirp(path.dirname(objectPath));
  const temporary = `${objectPath}.${crypto.randomBytes(8).toString('hex')}.partial`;
  const md5 = crypto.createHash('md5');
  let size = 0;
  try {
    if (Buffer.isBuffer(object.content)) {
      await fs.writeFile(temporary, object.content);
      md5.update(object.content);
      size = object.content.length;
    } else {
      const measure = new Transform({
        transform(chunk, encoding, callback) {
          md5.update(chunk, encoding);
          size += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(object.content, measure, fs.createWriteStream(temporary));
    }
    await fs.rename(temporary, objectPath);
  } catch (err) {
    await fs.remove(temporary);
    throw err;
  }
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};

// Writes a small file whole or not at all: aside, then renamed over the old one.
async function writeAtomically(file, content) {
  const temporary = `${file}.${crypto.randomBytes(8).toString('hex')}.partial`;
  try {
    await fs.writeFile(temporary, content);
    await fs.rename(temporary, file);
  } catch (err) {
    await fs.remove(temporary);
    throw err;
  }
}

// s3rver's putMetadata, with each file replaced whole.
FilesystemStore.prototype.putMetadata = async function putMetadata(bucket, key, metadata, md5) {
  const kept = Object.fromEntries(Object.entries(metadata)
    .filter(([name]) => S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-')));
  if (md5) await writeAtomically(this.getResourcePath(bucket, key, 'object.md5'), md5);
  await writeAtomically(this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(kept, null, 2));
};

FilesystemStore.prototype.getObject = async function getObject(bucket, key, options) {
  let handle;
  try {
    handle = await fs.promises.open(this.getResourcePath(bucket, key, 'object'), 'r');
  } catch (err) {
    if (err.code === 'ENOENT') return null;
    throw err;
  }
  try {
    const metadata = await this.getMetadata(bucket, key);
    const { size } = await handle.stat();
    metadata['content-length'] = size;
    const lastByte = Math.max(0, size - 1);
    const ranged = options && (options.start !== undefined || options.end);
    const range = {
      start: (options && options.start) || 0,
      end: Math.min((options && options.end) || Infinity, lastByte),
    };
    if (range.start < 0 || range.end < range.start) {
      await handle.close();
      const object = new S3Object(bucket, key, null, metadata);
      if (ranged) object.range = range;
      return object;
    }
    const content = handle.createReadStream({ start: range.start, end: range.end });
    const object = new S3Object(bucket, key, content, metadata);
    if (ranged) object.range = range;
    return object;
  } catch (err) {
    await handle.close();
    if (err.code === 'ENOENT') return null;
    throw err;
  }
};

FilesystemStore.prototype.putPart = async function putPart(bucket, uploadId, partNumber, content) {
  const partPath = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId, partNumber.toString());
  await fs.mkdirp(path.dirname(partPath));
  const temporary = `${partPath}.${crypto.randomBytes(8).toString('hex')}.partial`;
  const md5 = crypto.createHash('md5');
  let size = 0;
  const measure = new Transform({
    transform(chunk, encoding, callback) {
      md5.update(chunk, encoding);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await pipeline(content, measure, fs.createWriteStream(temporary));
    const digest = md5.digest('hex');
    await fs.writeFile(`${partPath}.md5`, digest);
    await fs.rename(temporary, partPath);
    return { size, md5: digest };
  } catch (err) {
    await fs.remove(temporary);
    throw err;
  }
};

// The upload's folder, if it exists and belongs to this key.
async function uploadFolder(ctx) {
  const folder = path.join(ctx.store.getResourcePath(ctx.params.bucket, undefined, 'uploads'), path.basename(ctx.query.uploadId));
  try {
    if ((await fs.readFile(path.join(folder, 'key'))).toString() === ctx.params.key) return folder;
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: ctx.query.uploadId });
}

async function listParts(ctx) {
  const folder = await uploadFolder(ctx);
  const numbers = (await fs.readdir(folder)).filter(name => /^[0-9]+$/.test(name)).map(Number).sort((a, b) => a - b);
  const parts = [];
  for (const number of numbers) {
    const partPath = path.join(folder, number.toString());
    const [stat, md5] = await Promise.all([fs.stat(partPath), fs.readFile(`${partPath}.md5`)]);
    parts.push({ PartNumber: number, LastModified: stat.mtime.toISOString(), ETag: JSON.stringify(md5.toString()), Size: stat.size });
  }
  ctx.body = {
    ListPartsResult: {
      Bucket: ctx.params.bucket,
      Key: ctx.params.key,
      UploadId: ctx.query.uploadId,
      MaxParts: 10000,
      IsTruncated: false,
      Part: parts,
    },
  };
}

async function abortUpload(ctx) {
  await fs.remove(await uploadFolder(ctx));
  ctx.status = 204;
}

// Both go ahead of s3rver's own object routes (which refuse them), after its CORS, authentication and
// query-parameter middleware.
const router = require('s3rver/lib/routes');
const S3Error = require('s3rver/lib/models/error');
const firstObjectRoute = router.stack.findIndex(layer => layer.path === '/:bucket/:key+' && layer.methods.length > 0);
const onUploadId = handler => (ctx, next) => ('uploadId' in ctx.query ? handler(ctx) : next());
router.get('/:bucket/:key+', onUploadId(listParts));
router.delete('/:bucket/:key+', onUploadId(abortUpload));
router.stack.splice(firstObjectRoute, 0, ...router.stack.splice(-2));

require('s3rver/bin/s3rver.js');
