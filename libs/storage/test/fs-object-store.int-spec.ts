import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  FsObjectStore,
  KeyPathConflictError,
  ObjectConflictError,
  ObjectIntegrityError,
  ObjectNotFoundError,
} from '../src';
import { WRITE_THREAD_NICE_OFFSET } from '../src/fs-write-pool';
import { describeObjectStoreContract, streamOf } from './object-store-contract';

const MiB = 1024 * 1024;
const run = promisify(execFile);

// In-memory bodies are written by worker threads unless writeThreads is 0; streamed bodies
// always on the event loop. Both ways must keep the same contract.
for (const [how, writeThreads] of [
  ['write threads', undefined],
  ['the event loop', 0],
] as const) {
  describeObjectStoreContract(
    `filesystem, buffers written by ${how}`,
    async () => {
      const root = await mkdtemp(path.join(os.tmpdir(), 'sessionrec-fs-store-'));
      const store = new FsObjectStore({ root, writeThreads });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await rm(root, { recursive: true, force: true });
        },
      };
    },
    { largeObjectBytes: 11 * MiB, partSizeBytes: 5 * MiB },
  );

  describe(`FsObjectStore on disk, buffers written by ${how}`, () => {
    let root: string;
    let store: FsObjectStore;

    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'sessionrec-fs-store-'));
      store = new FsObjectStore({ root, writeThreads });
    });

    afterAll(async () => {
      await store.close();
      await rm(root, { recursive: true, force: true });
    });

    it('keeps objects as plain files under the root and leaves no temp files behind', async () => {
      await store.putIfAbsent('recordings/2025/01/02/r1/0000000001.m4s', Buffer.from('seg'));
      await expect(
        store.putIfAbsent(
          'recordings/2025/01/02/r1/0000000001.m4s',
          streamOf(Buffer.from('other')),
        ),
      ).rejects.toBeInstanceOf(ObjectConflictError);
      const dir = path.join(root, 'recordings', '2025', '01', '02', 'r1');
      expect(await readdir(dir)).toEqual(['0000000001.m4s']);
      expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
      expect((await store.list('')).keys.map((k) => k.key)).toEqual([
        'recordings/2025/01/02/r1/0000000001.m4s',
      ]);
    });

    it('makes its temp and object folders again when they were removed under it', async () => {
      await store.putIfAbsent('again/r2/0000000001.m4s', Buffer.from('one'));
      await rm(path.join(root, '.tmp'), { recursive: true, force: true });
      await rm(path.join(root, 'again'), { recursive: true, force: true });
      await store.putIfAbsent('again/r2/0000000002.m4s', Buffer.from('two'));
      expect(await readdir(path.join(root, 'again', 'r2'))).toEqual(['0000000002.m4s']);
      expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
    });

    it('removes directories left empty by a delete', async () => {
      await store.putIfAbsent('gone/deep/er/x.bin', Buffer.from('x'));
      await store.delete('gone/deep/er/x.bin');
      expect((await readdir(root)).includes('gone')).toBe(false);
    });

    it('refuses a key that would need a file and a folder at one path', async () => {
      await store.putIfAbsent('clash/a', Buffer.from('file'));
      await expect(store.putIfAbsent('clash/a/b', Buffer.from('x'))).rejects.toBeInstanceOf(
        KeyPathConflictError,
      );
      await store.putIfAbsent('clash2/a/b', Buffer.from('x'));
      await expect(store.putIfAbsent('clash2/a', Buffer.from('x'))).rejects.toBeInstanceOf(
        KeyPathConflictError,
      );
      await expect(store.put('clash2/a', Buffer.from('x'))).rejects.toBeInstanceOf(
        KeyPathConflictError,
      );
      expect(await store.head('clash/a/b')).toBeUndefined();
      // The folder "clash2/a" is not an object, and deleting it removes nothing.
      expect(await store.head('clash2/a')).toBeUndefined();
      await expect(store.get('clash2/a')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await store.delete('clash2/a');
      expect(await store.head('clash2/a/b')).toBeDefined();
      expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
    });
    it('stores nothing, and leaves no temp file, when the body is not as announced', async () => {
      const body = Buffer.from('segment bytes');
      await expect(
        store.putIfAbsent('integrity/r/1.m4s', body, { sha256: 'a'.repeat(64) }),
      ).rejects.toBeInstanceOf(ObjectIntegrityError);
      await expect(
        store.putIfAbsent('integrity/r/1.m4s', body, { contentLength: body.length + 1 }),
      ).rejects.toBeInstanceOf(ObjectIntegrityError);
      expect(await store.head('integrity/r/1.m4s')).toBeUndefined();
      const temps = await readdir(path.join(root, '.tmp')).catch(() => []);
      expect(temps).toEqual([]);
    });

    it('writes many objects at once, each whole and once', async () => {
      const bodies = Array.from({ length: 64 }, (_, i) => Buffer.alloc(50_000 + i, i));
      const results = await Promise.all(
        bodies.map((b, i) => store.putIfAbsent(`many/r${i % 4}/${i}.m4s`, b)),
      );
      expect(results.every((r) => r.created)).toBe(true);
      const again = await Promise.all(
        bodies.map((b, i) => store.putIfAbsent(`many/r${i % 4}/${i}.m4s`, b)),
      );
      expect(again.every((r) => !r.created)).toBe(true);
      for (const [i, b] of bodies.entries()) {
        const got = await store.get(`many/r${i % 4}/${i}.m4s`);
        const chunks: Buffer[] = [];
        for await (const c of got.body) chunks.push(c as Buffer);
        expect(Buffer.concat(chunks).equals(b)).toBe(true);
      }
      expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
    });
  });
}

describe('FsObjectStore write threads', () => {
  let root: string;
  let store: FsObjectStore;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sessionrec-fs-store-handover-'));
    store = new FsObjectStore({ root, writeThreads: 2 });
  });

  afterAll(async () => {
    await store.close();
    await rm(root, { recursive: true, force: true });
  });

  const read = async (key: string): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const c of (await store.get(key)).body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };

  it('move a handed-over body that owns its memory instead of copying it', async () => {
    const body = Buffer.concat([Buffer.alloc(60_000, 1), Buffer.alloc(40_000, 2)]);
    const expected = Buffer.from(body);
    const result = await store.putIfAbsent('handover/r/1.m4s', body, {
      handOver: true,
      contentLength: expected.length,
    });
    expect(result).toMatchObject({ created: true, size: expected.length });
    expect(body.length).toBe(0); // the memory went to the write thread
    expect((await read('handover/r/1.m4s')).equals(expected)).toBe(true);
  });

  it('copy a body that is not handed over, or that shares its memory', async () => {
    const kept = Buffer.alloc(50_000, 3);
    await store.putIfAbsent('handover/r/2.m4s', kept);
    expect(kept.length).toBe(50_000);
    // A view of part of a larger allocation: moving it would empty its neighbours too.
    const whole = Buffer.alloc(80_000, 4);
    const part = whole.subarray(10_000, 60_000);
    await store.putIfAbsent('handover/r/3.m4s', part, { handOver: true });
    expect(part.length).toBe(50_000);
    expect(whole.length).toBe(80_000);
    expect((await read('handover/r/3.m4s')).equals(Buffer.alloc(50_000, 4))).toBe(true);
  });

  it('run below the event loop: their nice value is raised, the calling thread keeps its own', async () => {
    // Started by the first write; each thread sets its own nice value as it starts, so
    // wait for the writes to be answered (a write thread answers only after starting).
    await Promise.all(
      [5, 6, 7, 8].map((n) => store.putIfAbsent(`nice/r/${n}.m4s`, Buffer.alloc(1000, n))),
    );
    const niceOf = async (tid: string): Promise<number> => {
      const stat = await readFile(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name: state is field 3, nice field 19.
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const tids = await readdir('/proc/self/task');
    const nices = await Promise.all(tids.map(niceOf));
    const mainThreadNice = await niceOf(String(process.pid));
    expect(mainThreadNice).toBe(os.getPriority());
    const writeThreadNice = Math.min(19, mainThreadNice + WRITE_THREAD_NICE_OFFSET);
    expect(writeThreadNice).toBeGreaterThan(mainThreadNice);
    expect(nices.filter((n) => n === writeThreadNice)).toHaveLength(2);
  });

  it('refuses a handOver that is not a boolean', async () => {
    await expect(
      store.putIfAbsent('handover/r/4.m4s', Buffer.from('x'), {
        handOver: 'yes' as unknown as boolean,
      }),
    ).rejects.toThrow('handOver must be a boolean');
  });

  it('do not keep an idle process alive: a script that stored an object and did not close the store exits', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'sessionrec-fs-store-exit-'));
    const dist = path.resolve(__dirname, '..', 'dist');
    const script = `
      const { FsObjectStore } = require(${JSON.stringify(dist)});
      new FsObjectStore({ root: ${JSON.stringify(root)}, writeThreads: 2 })
        .putIfAbsent('a/b/c.bin', Buffer.from('hello'))
        .then((r) => console.log(r.created ? 'stored' : 'not stored'));
    `;
    try {
      const { stdout } = await run(process.execPath, ['-e', script], { timeout: 20_000 });
      expect(stdout.trim()).toBe('stored');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
