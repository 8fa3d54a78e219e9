/**
 * Sends a recording object from the store to an HTTP client: a single byte range as 206
 * (players seek with Range), or the whole object as 200 checked against the SHA-256 the
 * catalogue holds. The check runs as the bytes stream past; on a mismatch the connection
 * is cut before the last byte, so a client never receives altered bytes as a complete answer.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { OBJECT_STORE } from '@sessionrec/runtime';
import { CastEncodingError, castText } from '@sessionrec/contracts';
import { contentTypeForKey, type ObjectStore } from '@sessionrec/storage';
import type { FastifyReply } from 'fastify';
import { IntegrityError } from '../http/api-errors';
import { resolveRange } from './byte-range';

export interface ObjectRef {
  readonly key: string;
  readonly size: number;
  readonly sha256: string;
}

export class Sha256MismatchError extends Error {
  override readonly name = 'Sha256MismatchError';
}

/**
 * Passes bytes through and fails at the end when their SHA-256 is not `expected`. The
 * last chunk is held back until the hash is known, so altered bytes never arrive whole.
 */
export function verifyingStream(expected: string, key: string): Transform {
  const hash = createHash('sha256');
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      if (hash.digest('hex') !== expected) {
        callback(new Sha256MismatchError(`object ${key} does not match its catalogued SHA-256`));
        return;
      }
      callback(null, held);
    },
  });
}

@Injectable()
export class ObjectStreamer {
  private readonly logger = new Logger('Playback');

  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  async send(reply: FastifyReply, ref: ObjectRef, rangeHeader: string | undefined): Promise<void> {
    if (ref.key.endsWith('.cast')) {
      // A terminal segment may be stored compressed: it leaves as asciicast text, whole
      // (segments are small; a Range is ignored, as HTTP allows).
      const text = await this.readVerified(ref);
      await reply
        .status(200)
        .header('content-type', contentTypeForKey(ref.key))
        .header('etag', `"${ref.sha256}"`)
        .header('cache-control', 'private, max-age=3600')
        .header('content-length', String(text.length))
        .send(text);
      return;
    }
    const range = resolveRange(rangeHeader, ref.size);
    void reply
      .header('accept-ranges', 'bytes')
      .header('content-type', contentTypeForKey(ref.key))
      .header('etag', `"${ref.sha256}"`)
      .header('cache-control', 'private, max-age=3600');
    if (range) {
      const got = await this.store.get(ref.key, { range: { start: range.start, end: range.end } });
      if (got.size !== ref.size) {
        got.body.destroy();
        throw new IntegrityError('the stored object does not match the catalogue (size differs)');
      }
      await reply
        .status(206)
        .header('content-range', `bytes ${range.start}-${range.end}/${ref.size}`)
        .header('content-length', String(range.end - range.start + 1))
        .send(got.body);
      return;
    }
    const got = await this.store.get(ref.key);
    if (got.size !== ref.size) {
      got.body.destroy();
      throw new IntegrityError('the stored object does not match the catalogue (size differs)');
    }
    const verified = verifyingStream(ref.sha256, ref.key);
    verified.on('error', (err) => this.logger.error(err.message));
    got.body.on('error', (err) => verified.destroy(err));
    await reply
      .status(200)
      .header('content-length', String(ref.size))
      .send(got.body.pipe(verified));
  }

  /**
   * A terminal segment's asciicast text, in memory (segments are small): the stored bytes
   * verified against the catalogue's SHA-256, then decompressed if the agent stored them
   * gzip-compressed.
   */
  async readVerified(ref: ObjectRef): Promise<Buffer> {
    const got = await this.store.get(ref.key);
    const chunks: Buffer[] = [];
    for await (const chunk of got.body) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    if (createHash('sha256').update(bytes).digest('hex') !== ref.sha256) {
      throw new IntegrityError(`a segment does not match its catalogued SHA-256`);
    }
    try {
      return castText(bytes);
    } catch (err) {
      if (err instanceof CastEncodingError) throw new IntegrityError(err.message);
      throw err;
    }
  }
}
