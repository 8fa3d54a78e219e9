'use strict';
/*
 * Makes s3rver 3.7.1 behave like real S3 and MinIO where our object store relies on it.
 * s3rver is the S3-compatible server of the test suite because it runs in Node with no
 * download; these are its gaps, each closed here rather than papered over in the store:
 *
 * 1. Conditional create. s3rver ignores `If-None-Match: *` on PutObject and on
 *    CompleteMultipartUpload; AWS and MinIO answer 412 PreconditionFailed when the key
 *    exists. A Koa middleware, inserted just before s3rver's router, answers 412 with
 *    S3's XML error body. It also serialises writes per key (s3rver has no locking), so
 *    two concurrent creates of one key behave as on S3: one wins, the other gets 412.
 * 2. AbortMultipartUpload (DELETE ?uploadId=) is "MethodNotAllowed" in s3rver: the
 *    middleware implements it (removes the upload's parts).
 * 3. Torn writes. s3rver's putObject/putPart resolve when the hashing transform has
 *    seen the last byte, before the file is written, and write the object in place; a
 *    GET right after a PUT can read a short file. Replaced by versions that write to a
 *    temp file, wait for it, and rename it into place.
 * 4. Listing order. s3rver lists in directory-walk order, which differs from S3's
 *    byte order when a key and a "directory" share a prefix (`a-b` vs `a/b`), so a
 *    paginated listing can skip keys. Replaced by a sorted listing.
 * (ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in its legacy
 * provider: see s3-server.js, which runs Node with --openssl-legacy-provider.)
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const { pipeline } = require('node:stream/promises');
const { Transform } = require('node:stream');
const S3Error = require('s3rver/lib/models/error');
const S3Object = require('s3rver/lib/models/object');

const OBJECT_SUFFIX = '._S3rver_object';

function hashingTransform(md5, counter) {
  return new Transform({
    transform(chunk, _encoding, callback) {
      md5.update(chunk);
      counter.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

/** Writes `content` (Buffer or stream) to `finalPath` via a temp file; resolves after rename. */
async function writeAtomically(finalPath, content, beforeRename) {
  await fsp.mkdir(path.dirname(finalPath), { recursive: true });
  const tmp = `${finalPath}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  const md5 = crypto.createHash('md5');
  const counter = { bytes: 0 };
  try {
    if (Buffer.isBuffer(content)) {
      md5.update(content);
      counter.bytes = content.length;
      await fsp.writeFile(tmp, content);
    } else {
      await pipeline(content, hashingTransform(md5, counter), fs.createWriteStream(tmp));
    }
    const digest = md5.digest('hex');
    if (beforeRename) await beforeRename(digest);
    await fsp.rename(tmp, finalPath);
    return { size: counter.bytes, md5: digest };
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

function patchStore(store) {
  store.putObject = async function putObject(object) {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    // Metadata first: until the rename, the object does not exist for readers.
    return writeAtomically(objectPath, object.content, (md5) =>
      this.putMetadata(object.bucket, object.key, object.metadata, md5),
    );
  };

  store.putPart = async function putPart(bucket, uploadId, partNumber, content) {
    const partPath = path.join(
      this.getResourcePath(bucket, undefined, 'uploads'),
      uploadId,
      partNumber.toString(),
    );
    const result = await writeAtomically(partPath, content);
    await fsp.writeFile(`${partPath}.md5`, result.md5);
    return result;
  };

  store.listObjects = async function listObjects(bucket, options) {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
    const bucketPath = this.getBucketPath(bucket);
    const all = [];
    const walk = async (dir, rel) => {
      for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${rel}${entry.name}/`);
        else if (entry.name.endsWith(OBJECT_SUFFIX)) {
          all.push(rel + entry.name.slice(0, -OBJECT_SUFFIX.length));
        }
      }
    };
    await walk(bucketPath, '');
    const bytes = (s) => Buffer.from(s, 'utf8');
    all.sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
    const keys = [];
    const commonPrefixes = new Set();
    let isTruncated = false;
    for (const key of all) {
      if (Buffer.compare(bytes(key), bytes(startAfter)) <= 0 || !key.startsWith(prefix)) continue;
      if (delimiter) {
        const idx = key.slice(prefix.length).indexOf(delimiter);
        if (idx !== -1) {
          commonPrefixes.add(key.slice(0, prefix.length + idx + 1));
          continue;
        }
      }
      if (keys.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      keys.push(key);
    }
    const objects = [];
    for (const key of keys) {
      const metadata = await this.getMetadata(bucket, key).catch((err) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (metadata) objects.push(new S3Object(bucket, key, null, metadata));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
  };
}

/** Serialises async work per key, in arrival order. */
function keyedMutex() {
  const tails = new Map();
  return async function withLock(key, fn) {
    const previous = tails.get(key) ?? Promise.resolve();
    let release;
    const current = new Promise((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/** Path-style `/bucket/key` of a request (virtual-host style was rewritten by s3rver's vhost step). */
function bucketAndKey(ctx) {
  const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
  if (!match) return undefined;
  try {
    return { bucket: decodeURIComponent(match[1]), key: decodeURIComponent(match[2]) };
  } catch {
    return undefined;
  }
}

function drain(req) {
  if (req.complete || req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('error', resolve);
    req.on('close', resolve);
    req.resume();
  });
}

function conditionalWriteMiddleware(store) {
  const withLock = keyedMutex();
  return async function conditionalWrite(ctx, next) {
    const target = bucketAndKey(ctx);
    const q = ctx.query;
    const isPut = ctx.method === 'PUT' && !('uploadId' in q) && !('tagging' in q) && !('acl' in q);
    const isComplete = ctx.method === 'POST' && 'uploadId' in q;
    const isAbort = ctx.method === 'DELETE' && 'uploadId' in q;
    const isDelete = ctx.method === 'DELETE' && !('uploadId' in q);
    if (!target || !(isPut || isComplete || isAbort || isDelete)) return next();

    if (isAbort) {
      const uploadId = String(q.uploadId);
      if (!/^[0-9a-f]{1,64}$/.test(uploadId)) {
        throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', {
          UploadId: uploadId,
        });
      }
      const uploads = store.getResourcePath(target.bucket, undefined, 'uploads');
      await fsp.rm(path.join(uploads, uploadId), { recursive: true, force: true });
      ctx.status = 204;
      return undefined;
    }

    return withLock(`${target.bucket}/${target.key}`, async () => {
      const ifNoneMatch = ctx.get('if-none-match');
      if ((isPut || isComplete) && ifNoneMatch === '*') {
        if (await store.existsObject(target.bucket, target.key)) {
          await drain(ctx.req);
          throw new S3Error(
            'PreconditionFailed',
            'At least one of the pre-conditions you specified did not hold',
            { Condition: 'If-None-Match' },
          );
        }
      }
      await next();
    });
  };
}

/** Applies every fix above to an S3rver instance before it starts listening. */
function applyS3rverPatches(server) {
  patchStore(server.store);
  const router = server.middleware.length - 1; // s3rver's router is its last middleware
  server.middleware.splice(router, 0, conditionalWriteMiddleware(server.store));
  return server;
}

module.exports = { applyS3rverPatches };
