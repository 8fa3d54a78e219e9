import { SEGMENT_BYTE_CAP, SegmentAssembler, fragmentBytes } from './segment-assembler';

const fragment = (key: boolean, size: number, startMs: number, endMs: number, samples = 1) => ({
  bytes: Buffer.alloc(size, key ? 1 : 2),
  startsWithKeyframe: key,
  samples,
  startMs,
  endMs,
});

describe('segment assembler', () => {
  it('closes a segment at the next keyframe, with the pieces between in it', () => {
    const assembler = new SegmentAssembler(100, 1000);
    expect(assembler.push(fragment(true, 100, 0, 500))).toEqual([]);
    expect(assembler.push(fragment(false, 50, 500, 900))).toEqual([]);
    const [done] = assembler.push(fragment(true, 100, 900, 1200));
    expect(done).toEqual({
      bytes: Buffer.concat([Buffer.alloc(100, 1), Buffer.alloc(50, 2)]),
      startMs: 0,
      endMs: 900,
    });
    expect(assembler.openBytes).toBe(100);
  });

  it('hands a segment on as soon as it holds all its frames', () => {
    const assembler = new SegmentAssembler(10, 1000);
    expect(assembler.push(fragment(true, 100, 0, 500, 6))).toEqual([]);
    expect(assembler.push(fragment(false, 50, 500, 900, 4))).toEqual([
      { bytes: Buffer.concat([Buffer.alloc(100, 1), Buffer.alloc(50, 2)]), startMs: 0, endMs: 900 },
    ]);
    expect(assembler.openBytes).toBe(0);
  });

  it('says when the open segment must be cut', () => {
    const assembler = new SegmentAssembler(100, 1000);
    assembler.push(fragment(true, 600, 0, 1));
    expect(assembler.overCap).toBe(false);
    assembler.push(fragment(false, 400, 1, 2));
    expect(assembler.overCap).toBe(true);
  });

  it('flushes what is open, stretched to the stop time, and nothing twice', () => {
    const assembler = new SegmentAssembler(100, 1000);
    assembler.push(fragment(true, 10, 100, 200));
    expect(assembler.flush(5000)).toMatchObject({ startMs: 100, endMs: 5000 });
    expect(assembler.flush(6000)).toBeUndefined();
  });

  it('refuses a piece that cannot be played (no keyframe, nothing open)', () => {
    expect(() => new SegmentAssembler(100, 1000).push(fragment(false, 10, 0, 1))).toThrow(
      /keyframe/,
    );
  });

  it('lets ffmpeg hold at most an eighth of the cap, and at most 1 MiB', () => {
    expect(fragmentBytes(SEGMENT_BYTE_CAP)).toBe(1024 * 1024);
    expect(fragmentBytes(200_000)).toBe(25_000);
    // The cap plus one piece in flight and a last frame stay under ingest's 16 MiB.
    expect(SEGMENT_BYTE_CAP + fragmentBytes(SEGMENT_BYTE_CAP)).toBeLessThan(14 * 1024 * 1024);
  });
});
