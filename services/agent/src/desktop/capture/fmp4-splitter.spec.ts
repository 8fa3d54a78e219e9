import { Fmp4Splitter, type SplitPart, StreamFormatError } from './fmp4-splitter';

function box(type: string, payload = 0): Buffer {
  const out = Buffer.alloc(8 + payload, 7);
  out.writeUInt32BE(8 + payload, 0);
  out.write(type, 4, 'latin1');
  return out;
}

function feed(splitter: Fmp4Splitter, stream: Buffer, chunk: number): SplitPart[] {
  const parts: SplitPart[] = [];
  for (let at = 0; at < stream.length; at += chunk) {
    parts.push(...splitter.push(stream.subarray(at, at + chunk)));
  }
  return parts;
}

describe('fMP4 stream splitter', () => {
  const init = Buffer.concat([box('ftyp', 20), box('moov', 700)]);
  const fragment1 = Buffer.concat([box('moof', 100), box('mdat', 5000)]);
  const fragment2 = Buffer.concat([box('styp', 12), box('moof', 90), box('mdat', 3000)]);

  it.each([1, 7, 64, 100_000])('cuts init then fragments whatever the chunk size (%i)', (chunk) => {
    const splitter = new Fmp4Splitter(1 << 20);
    const parts = feed(
      splitter,
      Buffer.concat([init, fragment1, fragment2, box('mfra', 50)]),
      chunk,
    );
    expect(parts.map((p) => p.kind)).toEqual(['init', 'media', 'media']);
    expect(parts[0]!.bytes.equals(init)).toBe(true);
    expect(parts[1]!.bytes.equals(fragment1)).toBe(true);
    expect(parts[2]!.bytes.equals(fragment2)).toBe(true);
    expect(() => splitter.finish()).not.toThrow();
  });

  it('hands out the init as soon as the moov is in, before any fragment', () => {
    const splitter = new Fmp4Splitter(1 << 20);
    expect(splitter.push(init).map((p) => p.kind)).toEqual(['init']);
  });

  it('refuses a box bigger than its bound instead of buffering it', () => {
    const splitter = new Fmp4Splitter(4096);
    splitter.push(init.subarray(0, 28));
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(1 << 30, 0);
    huge.write('moov', 4, 'latin1');
    expect(() => splitter.push(huge)).toThrow(/over 4096/);
  });

  it.each([
    ['not MP4 at all', Buffer.from('hello world, this is not mp4')],
    ['a fragment first', Buffer.concat([box('moof', 10), box('mdat', 10)])],
    ['an mdat without moof', Buffer.concat([init, box('mdat', 10)])],
    ['two moofs in a row', Buffer.concat([init, box('moof', 10), box('moof', 10)])],
    ['a bad size', Buffer.concat([init, Buffer.from([0, 0, 0, 3, 0x6d, 0x6f, 0x6f, 0x66])])],
  ])('refuses %s', (_name, stream) => {
    expect(() => new Fmp4Splitter(1 << 20).push(stream)).toThrow(StreamFormatError);
  });

  it('reports a stream that ends inside a box', () => {
    const splitter = new Fmp4Splitter(1 << 20);
    splitter.push(Buffer.concat([init, fragment1.subarray(0, 50)]));
    expect(() => splitter.finish()).toThrow(/ended inside a box/);
  });
});
