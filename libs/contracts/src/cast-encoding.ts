/**
 * Terminal (asciicast) segments may be stored gzip-compressed: an hour of typing is mostly
 * one short JSON line per echoed key, which gzip shrinks about four times. The agent
 * decides per segment; the SHA-256 chain covers the bytes as stored, and every reader
 * turns them back into asciicast text with `castText`. Plain asciicast always starts with
 * `{` (the header) or `[` (an event line), never with gzip's magic bytes, so no flag is
 * needed to tell the two apart.
 */
import { createGunzip, gunzipSync, gzipSync } from 'node:zlib';

const GZIP_MAGIC = [0x1f, 0x8b] as const;

export class CastEncodingError extends Error {
  override readonly name = 'CastEncodingError';
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** The stored form of a cast segment: gzip, unless compressing would not make it smaller. */
export function encodeCastSegment(text: Uint8Array): Buffer {
  const compressed = gzipSync(text, { level: 6 });
  return compressed.length < text.length ? compressed : Buffer.from(text);
}

/**
 * The asciicast text of a stored cast segment, at most `maxBytes` of it (a bound against
 * a compressed bomb). Throws CastEncodingError for gzip that does not decompress.
 */
export function castText(stored: Buffer, maxBytes = 64 * 1024 * 1024): Buffer {
  if (!isGzip(stored)) return stored;
  try {
    return gunzipSync(stored, { maxOutputLength: maxBytes });
  } catch (err) {
    throw new CastEncodingError(`cast segment does not decompress: ${(err as Error).message}`);
  }
}

/**
 * The first `maxBytes` of a stored cast segment's text, for readers that only need a
 * prefix (a truncated result ends where the limit cut it, possibly mid-line).
 */
export async function castTextPrefix(stored: Buffer, maxBytes: number): Promise<Buffer> {
  if (!isGzip(stored)) return stored.subarray(0, maxBytes);
  const gunzip = createGunzip();
  const chunks: Buffer[] = [];
  let total = 0;
  const done = new Promise<void>((resolve, reject) => {
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= maxBytes) {
        gunzip.destroy();
        resolve();
      }
    });
    gunzip.on('end', resolve);
    gunzip.on('close', resolve);
    gunzip.on('error', (err) =>
      reject(new CastEncodingError(`cast segment does not decompress: ${err.message}`)),
    );
  });
  gunzip.end(stored);
  await done;
  return Buffer.concat(chunks).subarray(0, maxBytes);
}
