/**
 * The object store on a local directory, for single-host installs, development and CI.
 * Writes go to a temp file in the same filesystem, are fsynced, then appear in one step:
 * `link()` for create-if-absent (it fails with EEXIST rather than replace) and `rename()`
 * for deliberate replacement; the directory is fsynced afterwards so the name survives a
 * crash. Readers never see a partly written object.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, constants as fsConstants, type Stats } from 'node:fs';
import { access, link, mkdir, open, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import {
  BodyMeter,
  chunksOf,
  resolveRange,
  sha256OfStream,
  validateBody,
  validateListOptions,
  validatePutOptions,
  validateRange,
} from './body';
import {
  KeyPathConflictError,
  ObjectConflictError,
  ObjectIntegrityError,
  ObjectNotFoundError,
  ObjectStoreError,
} from './errors';
import { defaultWriteThreads, type FsWriteAnswer, FsWritePool } from './fs-write-pool';
import { assertValidKey, assertValidPrefix, contentTypeForKey } from './keys';
import {
  type GetOptions,
  type GetResult,
  type ListedObject,
  type ListOptions,
  type ListResult,
  type ObjectBody,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from './object-store';

/** Temp files live here, inside the root so link/rename never cross filesystems. */
const TMP_DIR = '.tmp';
const WRITE_CHUNK = 1024 * 1024;

/** Duck-typed: errors from node:fs may come from another realm (Jest's VM), so no instanceof. */
function errno(err: unknown): string | undefined {
  const code =
    typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** UTF-8 byte order, the order S3 lists keys in (differs from UTF-16 order for some chars). */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A write thread's answer as the store answers: the result, or the error it stands for. */
function resultOf(key: string, answer: FsWriteAnswer): PutResult {
  if (answer.ok) {
    const { sha256, size } = answer;
    if (!answer.created && answer.existingSha256 !== sha256) {
      throw new ObjectConflictError(key, answer.existingSha256, sha256);
    }
    return { created: answer.created, sha256, size, etag: sha256 };
  }
  if (answer.error === 'integrity') throw new ObjectIntegrityError(key, answer.reason);
  if (answer.error === 'key-path') throw new KeyPathConflictError(key);
  // As fs/promises would have thrown it, so callers sort it the same way (ENOSPC, EIO...).
  throw Object.assign(new Error(answer.message), answer.code ? { code: answer.code } : {});
}

/**
 * fsync of a folder; its handle is closed in the background (nothing waits on a close,
 * and in a busy process every awaited call is another wait for the event loop).
 */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    void handle.close().catch(() => undefined);
  }
}

export interface FsObjectStoreOptions {
  /** Absolute path of the root directory; created on first use. */
  root: string;
  /**
   * Worker threads that write in-memory bodies (see FsWritePool); 0 writes them with
   * fs/promises on the event loop, as streamed bodies always are. Default: 2-4 by cores.
   */
  writeThreads?: number;
}

export class FsObjectStore implements ObjectStore {
  readonly root: string;
  readonly description: string;
  private tmpDirReady: Promise<void> | undefined;
  private readonly writers: FsWritePool | undefined;
  /**
   * Temp names: random per store instance (other processes may share the root, and a
   * crashed one may have left temps behind), then a counter; random bytes for every
   * write cost more than the rest of the name.
   */
  private readonly tmpPrefix = `${Date.now()}-${randomBytes(8).toString('hex')}`;
  private tmpSeq = 0;

  constructor(options: FsObjectStoreOptions) {
    if (typeof options.root !== 'string' || !path.isAbsolute(options.root)) {
      throw new ObjectStoreError('FsObjectStore needs an absolute root directory');
    }
    this.root = path.resolve(options.root);
    this.description = `file://${this.root}`;
    const threads = options.writeThreads ?? defaultWriteThreads();
    this.writers = threads > 0 ? new FsWritePool(threads) : undefined;
  }

  putIfAbsent(key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult> {
    return this.write(key, body, opts, false);
  }

  put(key: string, body: ObjectBody, opts?: PutOptions): Promise<PutResult> {
    return this.write(key, body, opts, true);
  }

  async get(key: string, opts?: GetOptions): Promise<GetResult> {
    const file = this.pathOf(assertValidKey(key));
    const range = validateRange(opts?.range);
    // Open first and stat the handle, so size and bytes come from the same file even if
    // the key is replaced meanwhile.
    const handle = await open(file, 'r').catch((err: unknown) => {
      throw errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR'
        ? new ObjectNotFoundError(key)
        : err;
    });
    try {
      const st = await handle.stat();
      // A "folder" of other keys is not an object.
      if (!st.isFile()) throw new ObjectNotFoundError(key);
      const { size } = st;
      const contentType = contentTypeForKey(key);
      if (range) {
        const r = resolveRange(key, range, size);
        const body = createReadStream('', { fd: handle, start: r.start, end: r.end });
        return { body, size, contentLength: r.end - r.start + 1, contentRange: r, contentType };
      }
      const body = createReadStream('', { fd: handle });
      return { body, size, contentLength: size, contentType };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const st = await this.statKey(assertValidKey(key));
    if (!st) return undefined;
    return {
      key,
      size: st.size,
      lastModified: new Date(st.mtimeMs),
      contentType: contentTypeForKey(key),
    };
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(assertValidKey(key));
    try {
      await unlink(file);
    } catch (err) {
      const code = errno(err);
      // Missing, or a "folder" of other keys (EISDIR; EPERM on some systems): no object.
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EPERM') return;
      throw err;
    }
    await fsyncDir(path.dirname(file));
    await this.pruneEmptyDirs(path.dirname(file));
  }

  async list(prefix: string, opts?: ListOptions): Promise<ListResult> {
    assertValidPrefix(prefix);
    const { cursor, limit } = validateListOptions(opts);
    const keys: ListedObject[] = [];
    for await (const item of this.walk('', prefix, cursor)) {
      if (keys.length === limit) {
        const last = keys[keys.length - 1];
        return { keys, ...(last ? { nextCursor: last.key } : {}) };
      }
      keys.push(item);
    }
    return { keys };
  }

  async ping(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, fsConstants.R_OK | fsConstants.W_OK);
  }

  /** Lets running writes finish and stops the write threads; later writes fail. */
  async close(): Promise<void> {
    await this.writers?.close();
  }

  private pathOf(key: string): string {
    const file = path.join(this.root, ...key.split('/'));
    // assertValidKey already rules out escapes; this guards against a future rule change.
    if (!file.startsWith(this.root + path.sep)) {
      throw new ObjectStoreError('Key resolves outside the store root');
    }
    return file;
  }

  private async statKey(key: string): Promise<Stats | undefined> {
    try {
      const st = await stat(this.pathOf(key));
      return st.isFile() ? st : undefined;
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  private async write(
    key: string,
    body: ObjectBody,
    rawOpts: PutOptions | undefined,
    replace: boolean,
  ): Promise<PutResult> {
    assertValidKey(key);
    const opts = validatePutOptions(rawOpts);
    validateBody(body);
    const tmp = path.join(this.root, TMP_DIR, `${this.tmpPrefix}-${(this.tmpSeq++).toString(36)}`);
    if (this.writers && Buffer.isBuffer(body)) {
      const file = this.pathOf(key);
      const answer = await this.writers.write({
        file,
        dir: path.dirname(file),
        tmp,
        body,
        replace,
        sha256: opts.sha256,
        contentLength: opts.contentLength,
        handOver: opts.handOver === true,
      });
      return resultOf(key, answer);
    }
    const temp = { path: tmp, removed: false };
    try {
      const { meter, closed } = await this.writeTemp(tmp, body);
      const sha256 = meter.finish(key, opts);
      const result: PutResult = { created: true, sha256, size: meter.bytes, etag: sha256 };
      const file = this.pathOf(key);
      // The temp file's close runs beside the link (a file can be linked while open).
      const [created] = await Promise.all([this.publish(key, temp, file, replace), closed]);
      if (!created) {
        const existing = await sha256OfStream(createReadStream(file));
        if (existing !== sha256) throw new ObjectConflictError(key, existing, sha256);
        return { ...result, created: false };
      }
      return result;
    } finally {
      if (!temp.removed) await unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * Writes and fsyncs the temp file. Returns once the bytes are durable, with the close
   * still running (`closed`), so the caller can overlap it with the next step.
   */
  private async writeTemp(
    tmp: string,
    body: ObjectBody,
  ): Promise<{ meter: BodyMeter; closed: Promise<void> }> {
    const meter = new BodyMeter();
    // The temp folder is made once, and again if someone removed it meanwhile.
    this.tmpDirReady ??= mkdir(path.dirname(tmp), { recursive: true }).then(
      () => undefined,
      (err: unknown) => {
        this.tmpDirReady = undefined;
        throw err;
      },
    );
    await this.tmpDirReady;
    const handle = await open(tmp, 'wx', 0o644).catch(async (err: unknown) => {
      if (errno(err) !== 'ENOENT') throw err;
      await mkdir(path.dirname(tmp), { recursive: true });
      return open(tmp, 'wx', 0o644);
    });
    try {
      for await (const chunk of chunksOf(body, WRITE_CHUNK)) {
        meter.update(chunk);
        await handle.write(chunk);
      }
      await handle.sync();
    } catch (err) {
      await handle.close();
      throw err;
    }
    return { meter, closed: handle.close() };
  }

  /** Gives the temp file its final name; false when create-if-absent found the name taken. */
  private async publish(
    key: string,
    temp: { readonly path: string; removed: boolean },
    file: string,
    replace: boolean,
  ): Promise<boolean> {
    const tmp = temp.path;
    const dir = path.dirname(file);
    // The link comes first: the directory exists for every segment of a recording but the
    // first, so mkdir is only asked for when the link says the directory is missing. A
    // concurrent delete may prune it again between mkdir and link: then once more.
    let firstCreated: string | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        if (replace) {
          await rename(tmp, file);
          temp.removed = true;
        } else {
          await link(tmp, file);
        }
      } catch (err) {
        const code = errno(err);
        if (code === 'ENOENT' && attempt < 2) {
          firstCreated = (await this.makeDir(key, dir)) ?? firstCreated;
          continue;
        }
        // A parent path is a file ("a" exists, writing "a/b"), or the key is a folder.
        if (
          code === 'ENOTDIR' ||
          code === 'EISDIR' ||
          code === 'ENOTEMPTY' ||
          (code === 'EEXIST' && replace)
        ) {
          throw new KeyPathConflictError(key);
        }
        if (code === 'EEXIST') {
          // The object exists (or the key names a folder).
          const existing = await stat(file).catch(() => undefined);
          if (!existing?.isFile()) throw new KeyPathConflictError(key);
          return false;
        }
        throw err;
      }
      // The temp name is dropped while the folder is fsynced: the object is only
      // acknowledged after both, so a crash in between loses nothing acknowledged.
      const dropTemp = temp.removed
        ? Promise.resolve()
        : unlink(tmp).then(
            () => {
              temp.removed = true;
            },
            () => undefined,
          );
      await Promise.all([fsyncDir(dir), dropTemp]);
      if (firstCreated) await this.fsyncNewDirs(firstCreated, dir);
      return true;
    }
  }

  /** mkdir -p of an object's folder; the first folder it created, if any. */
  private async makeDir(key: string, dir: string): Promise<string | undefined> {
    try {
      return await mkdir(dir, { recursive: true });
    } catch (err) {
      // A parent path is a file ("a" exists, writing "a/b").
      const code = errno(err);
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new KeyPathConflictError(key);
      throw err;
    }
  }

  /** New directories are only durable once their parents are fsynced too. */
  private async fsyncNewDirs(firstCreated: string, deepest: string): Promise<void> {
    let dir = path.dirname(deepest);
    const stop = path.dirname(firstCreated);
    while (dir.length >= stop.length) {
      await fsyncDir(dir);
      if (dir === stop) break;
      dir = path.dirname(dir);
    }
  }

  private async pruneEmptyDirs(from: string): Promise<void> {
    let dir = from;
    while (dir.startsWith(this.root + path.sep)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or gone): stop climbing
      }
      dir = path.dirname(dir);
    }
  }

  /**
   * Depth-first walk in key order. Directory entries are sorted by name + "/" (files by
   * name), which makes the walk produce full keys in byte order; subtrees entirely
   * before the cursor or outside the prefix are skipped.
   */
  private async *walk(rel: string, prefix: string, cursor?: string): AsyncGenerator<ListedObject> {
    let entries;
    try {
      entries = await readdir(rel ? path.join(this.root, ...rel.split('/')) : this.root, {
        withFileTypes: true,
      });
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return;
      throw err;
    }
    const named = entries
      .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || e.isFile()))
      .map((e) => ({ dir: e.isDirectory(), path: rel + e.name + (e.isDirectory() ? '/' : '') }))
      .sort((a, b) => compareKeys(a.path, b.path));
    for (const entry of named) {
      const p = entry.path;
      if (!(p.startsWith(prefix) || (entry.dir && prefix.startsWith(p)))) continue;
      if (cursor !== undefined) {
        const order = compareKeys(p, cursor);
        // A file at or before the cursor was on an earlier page; so was every key of a
        // directory before the cursor, unless the cursor lies inside it.
        if (entry.dir ? order < 0 && !cursor.startsWith(p) : order <= 0) continue;
      }
      if (entry.dir) {
        yield* this.walk(p, prefix, cursor);
        continue;
      }
      const st = await stat(path.join(this.root, ...p.split('/'))).catch(() => undefined);
      if (st?.isFile()) yield { key: p, size: st.size, lastModified: new Date(st.mtimeMs) };
    }
  }
}
