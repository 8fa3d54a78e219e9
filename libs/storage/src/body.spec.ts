import { Readable } from 'node:stream';
import { BodyMeter, chunksOf, resolveRange, validateListOptions, validateRange } from './body';
import { InvalidArgumentError, InvalidRangeError, ObjectIntegrityError } from './errors';

async function collect(gen: AsyncGenerator<Buffer>): Promise<number[]> {
  const sizes: number[] = [];
  for await (const c of gen) sizes.push(c.length);
  return sizes;
}

describe('chunksOf', () => {
  it('cuts buffers and streams into pieces of exactly the given size', async () => {
    expect(await collect(chunksOf(Buffer.alloc(25), 10))).toEqual([10, 10, 5]);
    const stream = Readable.from([Buffer.alloc(3), Buffer.alloc(17), Buffer.alloc(1)]);
    expect(await collect(chunksOf(stream, 10))).toEqual([10, 10, 1]);
    expect(await collect(chunksOf(Readable.from([Buffer.alloc(20)]), 10))).toEqual([10, 10]);
  });

  it('yields one empty piece for an empty body', async () => {
    expect(await collect(chunksOf(Buffer.alloc(0), 10))).toEqual([0]);
    expect(await collect(chunksOf(Readable.from([]), 10))).toEqual([0]);
  });
});

describe('BodyMeter', () => {
  it('checks the announced length and hash', () => {
    const m = new BodyMeter();
    m.update(Buffer.from('abc'));
    expect(() => m.finish('k', { contentLength: 4 })).toThrow(ObjectIntegrityError);
    const ok = new BodyMeter();
    ok.update(Buffer.from('abc'));
    expect(
      ok.finish('k', {
        sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      }),
    ).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('ranges and list options', () => {
  it('validates and clamps ranges like S3', () => {
    expect(() => validateRange({ start: -1 })).toThrow(InvalidArgumentError);
    expect(() => validateRange({ start: 5, end: 4 })).toThrow(InvalidArgumentError);
    expect(resolveRange('k', { start: 5, end: 100 }, 10)).toEqual({ start: 5, end: 9 });
    expect(resolveRange('k', { start: 5 }, 10)).toEqual({ start: 5, end: 9 });
    expect(() => resolveRange('k', { start: 10 }, 10)).toThrow(InvalidRangeError);
  });

  it('bounds the page size', () => {
    expect(validateListOptions(undefined)).toEqual({ limit: 1000 });
    expect(() => validateListOptions({ limit: 0 })).toThrow(InvalidArgumentError);
    expect(() => validateListOptions({ limit: 1001 })).toThrow(InvalidArgumentError);
  });
});
