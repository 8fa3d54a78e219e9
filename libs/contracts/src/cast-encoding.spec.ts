import { gzipSync } from 'node:zlib';
import {
  CastEncodingError,
  castText,
  castTextPrefix,
  encodeCastSegment,
  isGzip,
} from './cast-encoding';

const cast = Buffer.from(
  '{"version":2,"width":80,"height":24}\n' +
    Array.from({ length: 200 }, (_, i) => `[${i / 10}, "o", "x"]`).join('\n') +
    '\n',
);

describe('cast segment encoding', () => {
  it('stores a typing cast compressed and reads it back byte for byte', () => {
    const stored = encodeCastSegment(cast);
    expect(isGzip(stored)).toBe(true);
    expect(stored.length).toBeLessThan(cast.length / 3);
    expect(castText(stored).equals(cast)).toBe(true);
  });

  it('keeps a segment as is when compressing would not shrink it', () => {
    const tiny = Buffer.from('[1.0, "o", "a"]\n');
    const stored = encodeCastSegment(tiny);
    expect(stored.equals(tiny)).toBe(true);
    expect(castText(stored).equals(tiny)).toBe(true);
  });

  it('passes plain asciicast through (a header or an event line never looks like gzip)', () => {
    expect(isGzip(cast)).toBe(false);
    expect(isGzip(Buffer.from('[0.5, "o", "x"]\n'))).toBe(false);
    expect(castText(cast)).toBe(cast);
  });

  it('refuses gzip that does not decompress, and a decompression bomb past the bound', () => {
    const broken = Buffer.concat([gzipSync(cast).subarray(0, 20), Buffer.alloc(10)]);
    expect(() => castText(broken)).toThrow(CastEncodingError);
    const bomb = gzipSync(Buffer.alloc(1024 * 1024, 0x20));
    expect(() => castText(bomb, 64 * 1024)).toThrow(CastEncodingError);
  });

  it('reads only a prefix when asked', async () => {
    const stored = encodeCastSegment(cast);
    const prefix = await castTextPrefix(stored, 100);
    expect(prefix.equals(cast.subarray(0, 100))).toBe(true);
    expect((await castTextPrefix(cast, 50)).equals(cast.subarray(0, 50))).toBe(true);
    expect((await castTextPrefix(stored, 1 << 20)).equals(cast)).toBe(true);
  });
});
