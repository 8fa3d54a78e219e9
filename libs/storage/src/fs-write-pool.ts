/**
 * The filesystem store's writes of in-memory bodies, each done start to finish by one
 * worker thread with synchronous calls: hash, temp file, write, fsync, close, link (or
 * rename), unlink the temp name, fsync the folder.
 *
 * Why: done with fs/promises, one write is about ten thread-pool round trips, each a
 * promise, a callback and a wait for the event loop. In ingest, whose event loop also
 * parses uploads and answers agents, those turns were most of a segment's cost and of its
 * latency under load (every step waited behind everything else). A worker takes the job in
 * one message and answers in one; the event loop only passes the body (moved when the
 * caller hands it over, else copied) and reads the answer.
 *
 * The worker's code is one self-contained function, started with `eval`, so it runs the
 * same from compiled output and from the TypeScript sources the tests load.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface FsWriteJob {
  /** Final path of the object, its folder, and a unique temp path in the same filesystem. */
  readonly file: string;
  readonly dir: string;
  readonly tmp: string;
  readonly body: Uint8Array;
  /** rename() over an existing object instead of link() that fails when one exists. */
  readonly replace: boolean;
  readonly sha256?: string | undefined;
  readonly contentLength?: number | undefined;
  /** The body's memory may move to the thread (PutOptions.handOver). */
  readonly handOver?: boolean;
}

export type FsWriteAnswer =
  | {
      readonly ok: true;
      /** False: an object already had the key (create-if-absent); its hash is `existingSha256`. */
      readonly created: boolean;
      readonly sha256: string;
      readonly size: number;
      readonly existingSha256?: string;
    }
  | { readonly ok: false; readonly error: 'integrity'; readonly reason: string }
  | { readonly ok: false; readonly error: 'key-path' }
  | {
      readonly ok: false;
      readonly error: 'io';
      readonly code?: string | undefined;
      readonly message: string;
    };

/** On Linux, how far the write threads' nice value is above the process's (fsWriteWorker). */
export const WRITE_THREAD_NICE_OFFSET = 10;

/** Two threads for two cores, at most four: fsyncs overlap; more threads only contend. */
export function defaultWriteThreads(): number {
  return Math.min(4, Math.max(2, os.availableParallelism()));
}

interface Job {
  readonly resolve: (answer: FsWriteAnswer) => void;
  readonly reject: (err: Error) => void;
}

class WriteThread {
  readonly worker: Worker;
  readonly jobs = new Map<number, Job>();
  dead = false;

  constructor(onExit: (thread: WriteThread) => void) {
    this.worker = new Worker(`(${fsWriteWorker.toString()})()`, {
      eval: true,
      workerData: { niceOffset: WRITE_THREAD_NICE_OFFSET },
    });
    this.worker.on('message', (message: { id: number; answer: FsWriteAnswer }) => {
      const job = this.jobs.get(message.id);
      if (!job) return;
      this.jobs.delete(message.id);
      if (this.jobs.size === 0) this.worker.unref();
      job.resolve(message.answer);
    });
    const fail = (err: Error): void => {
      if (this.dead) return;
      this.dead = true;
      onExit(this);
      for (const job of this.jobs.values()) job.reject(err);
      this.jobs.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`filesystem write thread exited (${code})`)));
    // Only a thread with work keeps the process alive (ref'd while jobs are pending). After
    // the listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  post(id: number, job: FsWriteJob, pending: Job): void {
    if (this.jobs.size === 0) this.worker.ref();
    this.jobs.set(id, pending);
    this.worker.postMessage({ id, job }, movable(job) ? [job.body.buffer as ArrayBuffer] : []);
  }
}

/** A handed-over body that spans its whole (non-shared) memory moves instead of copying. */
function movable(job: FsWriteJob): boolean {
  const { body } = job;
  return (
    job.handOver === true &&
    body.buffer instanceof ArrayBuffer &&
    body.byteOffset === 0 &&
    body.byteLength === body.buffer.byteLength
  );
}

export class FsWritePool {
  private threads: WriteThread[] = [];
  private nextId = 0;
  private closed = false;
  private readonly running = new Set<Promise<FsWriteAnswer>>();

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`write threads must be a positive integer, got ${size}`);
    }
  }

  /** Runs the job on the least busy thread (started on first use, replaced if one died). */
  write(job: FsWriteJob): Promise<FsWriteAnswer> {
    if (this.closed) return Promise.reject(new Error('the filesystem store is closed'));
    while (this.threads.length < this.size) {
      this.threads.push(
        new WriteThread((dead) => {
          this.threads = this.threads.filter((t) => t !== dead);
        }),
      );
    }
    let thread = this.threads[0]!;
    for (const t of this.threads) if (t.jobs.size < thread.jobs.size) thread = t;
    const id = this.nextId++;
    const running = new Promise<FsWriteAnswer>((resolve, reject) => {
      thread.post(id, job, { resolve, reject });
    });
    this.running.add(running);
    const forget = (): void => void this.running.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** Lets running writes finish, then stops the threads. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.running]);
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}

/**
 * The worker thread's whole program (serialised with toString: it may use nothing from
 * outside itself). Every failure becomes an answer; nothing is thrown across the thread.
 */
function fsWriteWorker(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const threads = require('node:worker_threads') as typeof import('node:worker_threads');
  const { parentPort } = threads;
  const { niceOffset } = threads.workerData as { niceOffset: number };
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const { getPriority, setPriority } = require('node:os') as typeof import('node:os');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const READ_CHUNK = 1024 * 1024;

  const codeOf = (err: unknown): string | undefined => {
    const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : null;
    return typeof code === 'string' ? code : undefined;
  };

  const fsyncDir = (dir: string): void => {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };

  /** SHA-256 of a stored file, read a piece at a time. */
  const hashFile = (file: string): string => {
    const hash = createHash('sha256');
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        const n = fs.readSync(fd, buffer, 0, READ_CHUNK, null);
        if (n === 0) break;
        hash.update(buffer.subarray(0, n));
      }
    } finally {
      fs.closeSync(fd);
    }
    return hash.digest('hex');
  };

  const writeTemp = (tmp: string, body: Buffer): void => {
    let fd: number;
    try {
      fd = fs.openSync(tmp, 'wx', 0o644);
    } catch (err) {
      if (codeOf(err) !== 'ENOENT') throw err;
      fs.mkdirSync(path.dirname(tmp), { recursive: true });
      fd = fs.openSync(tmp, 'wx', 0o644);
    }
    try {
      for (let off = 0; off < body.length;) off += fs.writeSync(fd, body, off, body.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };

  const write = (job: FsWriteJob): FsWriteAnswer => {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const sha256 = createHash('sha256').update(body).digest('hex');
    // Checked before anything is written: a body that is not as announced leaves no trace.
    if (job.contentLength !== undefined && job.contentLength !== body.length) {
      return {
        ok: false,
        error: 'integrity',
        reason: `expected ${job.contentLength} bytes, received ${body.length}`,
      };
    }
    if (job.sha256 !== undefined && job.sha256 !== sha256) {
      return { ok: false, error: 'integrity', reason: 'SHA-256 does not match' };
    }
    writeTemp(job.tmp, body);
    let tempGone = false;
    try {
      // The link comes first: the folder exists for every segment of a recording but the
      // first. A concurrent delete may prune it between mkdir and link: then once more.
      let firstCreated: string | undefined;
      for (let attempt = 0; ; attempt++) {
        try {
          if (job.replace) {
            fs.renameSync(job.tmp, job.file);
            tempGone = true;
          } else {
            fs.linkSync(job.tmp, job.file);
          }
        } catch (err) {
          const code = codeOf(err);
          if (code === 'ENOENT' && attempt < 2) {
            try {
              firstCreated = fs.mkdirSync(job.dir, { recursive: true }) ?? firstCreated;
            } catch (mkdirErr) {
              const c = codeOf(mkdirErr);
              if (c === 'EEXIST' || c === 'ENOTDIR') return { ok: false, error: 'key-path' };
              throw mkdirErr;
            }
            continue;
          }
          // A parent path is a file ("a" exists, writing "a/b"), or the key is a folder.
          if (
            code === 'ENOTDIR' ||
            code === 'EISDIR' ||
            code === 'ENOTEMPTY' ||
            (code === 'EEXIST' && job.replace)
          ) {
            return { ok: false, error: 'key-path' };
          }
          if (code === 'EEXIST') {
            let isFile = false;
            try {
              isFile = fs.statSync(job.file).isFile();
            } catch {
              isFile = false;
            }
            if (!isFile) return { ok: false, error: 'key-path' };
            return {
              ok: true,
              created: false,
              sha256,
              size: body.length,
              existingSha256: hashFile(job.file),
            };
          }
          throw err;
        }
        // The temp name goes before the folder's fsync, which then makes both the new
        // name and the removal durable: the answer comes only after that.
        if (!tempGone) {
          fs.unlinkSync(job.tmp);
          tempGone = true;
        }
        fsyncDir(job.dir);
        // New folders are only durable once their parents are fsynced too.
        if (firstCreated) {
          const stop = path.dirname(firstCreated);
          for (
            let dir = path.dirname(job.dir);
            dir.length >= stop.length;
            dir = path.dirname(dir)
          ) {
            fsyncDir(dir);
            if (dir === stop) break;
          }
        }
        return { ok: true, created: true, sha256, size: body.length };
      }
    } finally {
      if (!tempGone) {
        try {
          fs.unlinkSync(job.tmp);
        } catch {
          // Already gone, or the folder is unwritable: a stray temp file is never listed.
        }
      }
    }
  };

  // The thread gives way to the event loop that feeds it (Linux keeps a nice value per
  // thread; elsewhere it is the process's, so it is left alone there). Why: each job wakes
  // a sleeping write thread, and on a busy machine the woken thread took the core from
  // the event loop that parses uploads and answers agents. With 2,000 simulated sessions
  // on two cores, ingest's event-loop delay p99 measured 40-288 ms with the threads at
  // the process's priority and 7-40 ms with them ten nice levels below it, in five pairs
  // of runs. The writes lose nothing while a core is free; when none is, the loop's
  // requests come first and the store's queue holds the rest.
  if (process.platform === 'linux') {
    try {
      // Relative, so a process started at a low priority keeps its threads below it.
      setPriority(Math.min(19, getPriority() + niceOffset));
    } catch {
      // Not permitted here: the thread keeps the process's priority.
    }
  }

  parentPort!.on('message', (message: { id: number; job: FsWriteJob }) => {
    let answer: FsWriteAnswer;
    try {
      answer = write(message.job);
    } catch (err) {
      answer = {
        ok: false,
        error: 'io',
        code: codeOf(err),
        message: err instanceof Error ? err.message : String(err),
      };
    }
    parentPort!.postMessage({ id: message.id, answer });
  });
}
