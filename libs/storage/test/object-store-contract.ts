/**
 * The behaviour every ObjectStore must have, run against each implementation by its
 * own *.int-spec.ts, so S3 and the filesystem cannot drift apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  InvalidKeyError,
  InvalidRangeError,
  ObjectConflictError,
  ObjectIntegrityError,
  ObjectNotFoundError,
  type ObjectStore,
} from '../src';

export interface ContractFixture {
  store: ObjectStore;
  /** Removes the bucket / directory and closes the store. */
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** A size that goes through multipart upload on S3 (and is simply large on disk). */
  largeObjectBytes: number;
  /** Where a part boundary falls, to read a range across it. */
  partSizeBytes: number;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A stream that yields `buf` in uneven pieces, like a network body. */
export function streamOf(buf: Buffer, piece = 64 * 1024 + 7): Readable {
  return Readable.from(
    (function* () {
      for (let off = 0; off < buf.length; off += piece) yield buf.subarray(off, off + piece);
    })(),
  );
}

export const HOSTILE_KEYS: readonly string[] = [
  '../x',
  'a/../../x',
  '/etc/passwd',
  'a\\b',
  'a\0b',
  '',
  'x'.repeat(1025),
  'a//b',
  'a/./b',
  'a/',
  '.hidden',
  'a/\u0007b',
  `a/${'y'.repeat(256)}`,
];

export function describeObjectStoreContract(
  name: string,
  factory: () => Promise<ContractFixture>,
  options: ContractOptions,
): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fixture: ContractFixture;
    let store: ObjectStore;

    beforeAll(async () => {
      fixture = await factory();
      store = fixture.store;
    });

    afterAll(async () => {
      await fixture.cleanup();
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('creates an object and reads back the same bytes', async () => {
      const body = randomBytes(3000);
      const result = await store.putIfAbsent('create/one.bin', body);
      expect(result).toMatchObject({ created: true, sha256: sha256(body), size: 3000 });
      const got = await store.get('create/one.bin');
      expect(got.size).toBe(3000);
      expect(got.contentLength).toBe(3000);
      expect(got.contentRange).toBeUndefined();
      expect(await readAll(got.body)).toEqual(body);
    });

    it('accepts a stream body and an empty body', async () => {
      const body = randomBytes(300_000);
      const result = await store.putIfAbsent('create/stream.bin', streamOf(body), {
        sha256: sha256(body),
        contentLength: body.length,
      });
      expect(result).toMatchObject({ created: true, sha256: sha256(body), size: body.length });
      expect(await readAll((await store.get('create/stream.bin')).body)).toEqual(body);

      await store.putIfAbsent('create/empty.bin', Buffer.alloc(0));
      const empty = await store.get('create/empty.bin');
      expect(empty.size).toBe(0);
      expect((await readAll(empty.body)).length).toBe(0);
    });

    it('treats a repeated create with the same bytes as a no-op', async () => {
      const body = randomBytes(1000);
      await store.putIfAbsent('idem/a.bin', body);
      const again = await store.putIfAbsent('idem/a.bin', Buffer.from(body));
      expect(again).toMatchObject({ created: false, sha256: sha256(body) });
      const viaStream = await store.putIfAbsent('idem/a.bin', streamOf(body, 100));
      expect(viaStream.created).toBe(false);
      expect(await readAll((await store.get('idem/a.bin')).body)).toEqual(body);
    });

    it('refuses a create with different bytes and keeps the original', async () => {
      const original = randomBytes(1000);
      await store.putIfAbsent('conflict/a.bin', original);
      const other = Buffer.concat([original.subarray(0, 999), Buffer.from([original[999]! ^ 1])]);
      await expect(store.putIfAbsent('conflict/a.bin', other)).rejects.toBeInstanceOf(
        ObjectConflictError,
      );
      await expect(store.putIfAbsent('conflict/a.bin', randomBytes(10))).rejects.toBeInstanceOf(
        ObjectConflictError,
      );
      expect(await readAll((await store.get('conflict/a.bin')).body)).toEqual(original);
    });

    it('stores nothing when the body does not match the announced SHA-256 or length', async () => {
      const body = randomBytes(5000);
      await expect(
        store.putIfAbsent('integrity/a.bin', streamOf(body), { sha256: sha256(randomBytes(8)) }),
      ).rejects.toBeInstanceOf(ObjectIntegrityError);
      await expect(
        store.putIfAbsent('integrity/a.bin', body, { contentLength: 4999 }),
      ).rejects.toBeInstanceOf(ObjectIntegrityError);
      expect(await store.head('integrity/a.bin')).toBeUndefined();
    });

    it('replaces an object only through put()', async () => {
      const first = Buffer.from('{"v":1}');
      const second = Buffer.from('{"v":2,"more":true}');
      expect((await store.put('replace/manifest.json', first)).created).toBe(true);
      await store.put('replace/manifest.json', second);
      expect(await readAll((await store.get('replace/manifest.json')).body)).toEqual(second);
      await expect(store.putIfAbsent('replace/manifest.json', first)).rejects.toBeInstanceOf(
        ObjectConflictError,
      );
    });

    it('reads byte ranges: the first bytes, the middle, and to the end', async () => {
      const body = randomBytes(10_000);
      await store.putIfAbsent('range/a.bin', body);

      const head = await store.get('range/a.bin', { range: { start: 0, end: 9 } });
      expect(head).toMatchObject({
        size: 10_000,
        contentLength: 10,
        contentRange: { start: 0, end: 9 },
      });
      expect(await readAll(head.body)).toEqual(body.subarray(0, 10));

      const mid = await store.get('range/a.bin', { range: { start: 4000, end: 5999 } });
      expect(mid.contentRange).toEqual({ start: 4000, end: 5999 });
      expect(await readAll(mid.body)).toEqual(body.subarray(4000, 6000));

      const tail = await store.get('range/a.bin', { range: { start: 9990 } });
      expect(tail).toMatchObject({ contentLength: 10, contentRange: { start: 9990, end: 9999 } });
      expect(await readAll(tail.body)).toEqual(body.subarray(9990));

      const clamped = await store.get('range/a.bin', { range: { start: 9995, end: 20_000 } });
      expect(clamped.contentRange).toEqual({ start: 9995, end: 9999 });
      expect(await readAll(clamped.body)).toEqual(body.subarray(9995));

      await expect(store.get('range/a.bin', { range: { start: 10_000 } })).rejects.toBeInstanceOf(
        InvalidRangeError,
      );
    });

    it('reports metadata with head(), and undefined for a missing key', async () => {
      const body = Buffer.from('{"hello":"world"}');
      const before = Date.now();
      await store.putIfAbsent('head/meta.json', body, { contentType: 'application/json' });
      const info = await store.head('head/meta.json');
      expect(info).toMatchObject({ key: 'head/meta.json', size: body.length });
      expect(info?.contentType).toMatch(/^application\/json/);
      expect(info?.lastModified).toBeInstanceOf(Date);
      // Second resolution on some servers: allow the clock to round down.
      expect(info!.lastModified.getTime()).toBeGreaterThan(before - 5000);
      expect(await store.head('head/missing.json')).toBeUndefined();
    });

    it('lists keys under a prefix in byte order, across several pages', async () => {
      // Keys where a "file" and a "folder" share a stem: S3 orders "a-b" < "a.b" < "a/b" < "a0".
      const keys = ['p/a-b', 'p/a.b', 'p/a/b', 'p/a/c/d', 'p/a0', 'p/b', 'p/é', 'p/z/0001.m4s'];
      await Promise.all(keys.map((k) => store.putIfAbsent(k, Buffer.from(k))));
      await store.putIfAbsent('q/outside', Buffer.from('x'));
      await store.putIfAbsent('pp/outside', Buffer.from('x'));

      const seen: string[] = [];
      const pages: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list('p/', { limit: 3, ...(cursor ? { cursor } : {}) });
        pages.push(page.keys.length);
        for (const item of page.keys) {
          seen.push(item.key);
          expect(item.size).toBe(Buffer.byteLength(item.key));
          expect(item.lastModified).toBeInstanceOf(Date);
        }
        cursor = page.nextCursor;
      } while (cursor && pages.length < 10);

      const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      expect(seen).toEqual(expected);
      expect(pages).toEqual([3, 3, 2]);

      const partial = await store.list('p/a/');
      expect(partial.keys.map((k) => k.key)).toEqual(['p/a/b', 'p/a/c/d']);
      expect(partial.nextCursor).toBeUndefined();
      expect((await store.list('nothing-here/')).keys).toEqual([]);
    });

    it('deletes objects; deleting a missing key is not an error', async () => {
      await store.putIfAbsent('del/a/b.bin', Buffer.from('x'));
      await store.delete('del/a/b.bin');
      expect(await store.head('del/a/b.bin')).toBeUndefined();
      await expect(store.get('del/a/b.bin')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store.delete('del/a/b.bin')).resolves.toBeUndefined();
      // The key is free again for a create.
      expect((await store.putIfAbsent('del/a/b.bin', Buffer.from('y'))).created).toBe(true);
    });

    it('throws ObjectNotFoundError for a missing key', async () => {
      await expect(store.get('missing/nothing.bin')).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(
        store.get('missing/nothing.bin', { range: { start: 0, end: 1 } }),
      ).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it.each(HOSTILE_KEYS.map((k) => [JSON.stringify(k).slice(0, 40), k]))(
      'rejects the hostile key %s in every operation',
      async (_label, key) => {
        await expect(store.putIfAbsent(key, Buffer.from('x'))).rejects.toBeInstanceOf(
          InvalidKeyError,
        );
        await expect(store.put(key, Buffer.from('x'))).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.head(key)).rejects.toBeInstanceOf(InvalidKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
      },
    );

    it('rejects a hostile listing prefix', async () => {
      for (const prefix of ['../', '/etc', 'a\\b', 'a\0']) {
        await expect(store.list(prefix)).rejects.toBeInstanceOf(InvalidKeyError);
      }
    });

    it('stores a large object (multipart on S3) and reads ranges across part boundaries', async () => {
      const body = randomBytes(options.largeObjectBytes);
      const digest = sha256(body);
      const result = await store.putIfAbsent('large/a.bin', streamOf(body, 1024 * 1024 + 3), {
        sha256: digest,
      });
      expect(result).toMatchObject({ created: true, sha256: digest, size: body.length });
      const info = await store.head('large/a.bin');
      expect(info?.size).toBe(body.length);
      const all = await store.get('large/a.bin');
      expect(sha256(await readAll(all.body))).toBe(digest);

      const boundary = options.partSizeBytes;
      const across = await store.get('large/a.bin', {
        range: { start: boundary - 10, end: boundary + 9 },
      });
      expect(await readAll(across.body)).toEqual(body.subarray(boundary - 10, boundary + 10));

      // Same bytes again, as a stream without a hash: a no-op; different bytes: a conflict.
      expect((await store.putIfAbsent('large/a.bin', streamOf(body))).created).toBe(false);
      const other = Buffer.from(body);
      other[other.length - 1] = other[other.length - 1]! ^ 0xff;
      await expect(store.putIfAbsent('large/a.bin', streamOf(other))).rejects.toBeInstanceOf(
        ObjectConflictError,
      );
      expect(sha256(await readAll((await store.get('large/a.bin')).body))).toBe(digest);
    });

    it('lets exactly one of two concurrent creates with different bytes win', async () => {
      for (let round = 0; round < 5; round++) {
        const key = `race/${round}.bin`;
        const a = randomBytes(200_000);
        const b = randomBytes(200_000);
        const results = await Promise.allSettled([
          store.putIfAbsent(key, streamOf(a)),
          store.putIfAbsent(key, streamOf(b)),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(ObjectConflictError);
        const winner = results[0].status === 'fulfilled' ? a : b;
        expect(await readAll((await store.get(key)).body)).toEqual(winner);
      }
    });

    it('creates an object once when the same bytes are sent concurrently', async () => {
      const body = randomBytes(100_000);
      const results = await Promise.all([
        store.putIfAbsent('race/same.bin', body),
        store.putIfAbsent('race/same.bin', Buffer.from(body)),
        store.putIfAbsent('race/same.bin', streamOf(body)),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(await readAll((await store.get('race/same.bin')).body)).toEqual(body);
    });
  });
}
