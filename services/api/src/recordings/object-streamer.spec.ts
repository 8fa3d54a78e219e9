import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FsObjectStore } from '@sessionrec/storage';
import { IntegrityError } from '../http/api-errors';
import { ObjectStreamer } from './object-streamer';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const cast = Buffer.from('{"version":2,"width":80,"height":24}\n[0.5, "o", "hello"]\n');

describe('ObjectStreamer.readVerified (terminal segments)', () => {
  let dir: string;
  let store: FsObjectStore;
  let streamer: ObjectStreamer;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'streamer-'));
    store = new FsObjectStore({ root: dir });
    streamer = new ObjectStreamer(store);
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  const put = async (key: string, bytes: Buffer) => {
    await store.putIfAbsent(key, bytes);
    return { key, size: bytes.length, sha256: sha256(bytes) };
  };

  it('answers the asciicast text of a segment stored compressed or plain', async () => {
    const gz = await put('r/0.cast', gzipSync(cast));
    const plain = await put('r/1.cast', cast);
    expect((await streamer.readVerified(gz)).equals(cast)).toBe(true);
    expect((await streamer.readVerified(plain)).equals(cast)).toBe(true);
  });

  it('refuses stored bytes that differ from the catalogue, compressed or not', async () => {
    const ref = await put('r/0.cast', gzipSync(cast));
    await expect(streamer.readVerified({ ...ref, sha256: sha256(cast) })).rejects.toThrow(
      IntegrityError,
    );
  });

  it('refuses a compressed segment that does not decompress', async () => {
    const broken = Buffer.concat([gzipSync(cast).subarray(0, 12), Buffer.from('garbage')]);
    const ref = await put('r/0.cast', broken);
    await expect(streamer.readVerified(ref)).rejects.toThrow(IntegrityError);
  });
});
