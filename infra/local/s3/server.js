#!/usr/bin/env node
'use strict';

// The local S3 endpoint: s3rver, with object writes made atomic as they are on S3.
// s3rver writes an object over the old one in place, so a GET during a PUT reads a partial object (a live
// playlist cut mid-line, say), which S3 never serves. Here a PUT writes a temporary file and renames it over
// the object, and a GET takes the object's length from the file it has opened, so a reader sees either the
// old object or the new one, whole. Arguments are s3rver's own.

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

require('s3rver/bin/s3rver.js');
