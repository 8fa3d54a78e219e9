/**
 * Reading request bodies the same way in both stores: bounded chunks, a running SHA-256
 * and byte count, and checks of the options a caller passes in.
 */
import { createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { InvalidArgumentError, InvalidRangeError, ObjectIntegrityError } from './errors';
import {
  type ByteRange,
  DEFAULT_LIST_LIMIT,
  type ListOptions,
  MAX_LIST_LIMIT,
  type ObjectBody,
  type PutOptions,
} from './object-store';

const SHA256_HEX = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function validatePutOptions(opts: PutOptions | undefined): PutOptions {
  const o = opts ?? {};
  if (o.sha256 !== undefined && (typeof o.sha256 !== 'string' || !SHA256_HEX.test(o.sha256))) {
    throw new InvalidArgumentError('sha256 must be 64 lower-case hex characters');
  }
  if (
    o.contentLength !== undefined &&
    (!Number.isSafeInteger(o.contentLength) || o.contentLength < 0)
  ) {
    throw new InvalidArgumentError('contentLength must be a non-negative integer');
  }
  if (
    o.contentType !== undefined &&
    (typeof o.contentType !== 'string' ||
      o.contentType.length === 0 ||
      o.contentType.length > 255 ||
      CONTROL.test(o.contentType))
  ) {
    throw new InvalidArgumentError('contentType must be 1-255 printable characters');
  }
  if (o.handOver !== undefined && typeof o.handOver !== 'boolean') {
    throw new InvalidArgumentError('handOver must be a boolean');
  }
  return o;
}

export function validateBody(body: unknown): ObjectBody {
  if (Buffer.isBuffer(body) || body instanceof Readable) return body;
  throw new InvalidArgumentError('body must be a Buffer or a Readable stream');
}

export function validateRange(range: ByteRange | undefined): ByteRange | undefined {
  if (range === undefined) return undefined;
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0) {
    throw new InvalidArgumentError('range.start must be a non-negative integer');
  }
  if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
    throw new InvalidArgumentError('range.end must be an integer >= range.start');
  }
  return { start, ...(end === undefined ? {} : { end }) };
}

/** Clamps a range to an object of `size` bytes, as S3 does; throws if it starts past the end. */
export function resolveRange(
  key: string,
  range: ByteRange,
  size: number,
): { start: number; end: number } {
  if (range.start >= size) throw new InvalidRangeError(key, range, size);
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

export function validateListOptions(opts: ListOptions | undefined): {
  cursor?: string;
  limit: number;
} {
  const limit = opts?.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new InvalidArgumentError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
  const cursor = opts?.cursor;
  if (cursor !== undefined && (typeof cursor !== 'string' || cursor.length > 4096)) {
    throw new InvalidArgumentError('cursor must be a string from a previous page');
  }
  return { limit, ...(cursor ? { cursor } : {}) };
}

/** Running SHA-256 and length of a body, checked against what the caller announced. */
export class BodyMeter {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
  }

  /** Returns the hex SHA-256, or throws ObjectIntegrityError if the body is not as announced. */
  finish(key: string, opts: PutOptions): string {
    const sha256 = this.hash.digest('hex');
    if (opts.contentLength !== undefined && opts.contentLength !== this.bytes) {
      throw new ObjectIntegrityError(
        key,
        `expected ${opts.contentLength} bytes, received ${this.bytes}`,
      );
    }
    if (opts.sha256 !== undefined && opts.sha256 !== sha256) {
      throw new ObjectIntegrityError(key, 'SHA-256 does not match');
    }
    return sha256;
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  throw new InvalidArgumentError('body stream must yield bytes');
}

/**
 * Yields the body in pieces of exactly `size` bytes (the last may be shorter, and an
 * empty body yields one empty piece), so memory stays bounded by `size`.
 */
export async function* chunksOf(body: ObjectBody, size: number): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) yield body;
    for (let off = 0; off < body.length; off += size) yield body.subarray(off, off + size);
    return;
  }
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let yielded = false;
  for await (const raw of body) {
    let chunk = toBuffer(raw);
    while (pendingBytes + chunk.length >= size) {
      const take = size - pendingBytes;
      pending.push(chunk.subarray(0, take));
      chunk = chunk.subarray(take);
      yield Buffer.concat(pending, size);
      yielded = true;
      pending = [];
      pendingBytes = 0;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0 || !yielded) yield Buffer.concat(pending, pendingBytes);
}

export async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(toBuffer(chunk));
  return hash.digest('hex');
}

export function sha256OfBuffer(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}
