import {
  InvalidRecordingKeyError,
  initSegmentKey,
  manifestKey,
  parseRecordingKey,
  recordingPrefix,
  segmentKey,
} from './recording-keys';

const id = '0b7c6a3e-1f2d-4c5b-9a8e-7d6c5b4a3f21';
const started = new Date('2025-03-09T23:59:58.000Z');

describe('recording keys', () => {
  it('lays out segments, init and manifest under the UTC start date', () => {
    expect(recordingPrefix(id, started)).toBe(`recordings/2025/03/09/${id}/`);
    expect(segmentKey(id, started, 42, 'm4s')).toBe(`recordings/2025/03/09/${id}/0000000042.m4s`);
    expect(segmentKey(id, started, 0, 'cast')).toBe(`recordings/2025/03/09/${id}/0000000000.cast`);
    expect(initSegmentKey(id, started)).toBe(`recordings/2025/03/09/${id}/init.mp4`);
    expect(manifestKey(id, started)).toBe(`recordings/2025/03/09/${id}/manifest.json`);
  });

  it('sorts segment keys in sequence order', () => {
    const keys = [10, 9, 100, 1].map((s) => segmentKey(id, started, s, 'm4s'));
    expect([...keys].sort()).toEqual([1, 9, 10, 100].map((s) => segmentKey(id, started, s, 'm4s')));
  });

  it('parses the keys it builds and nothing else', () => {
    expect(parseRecordingKey(segmentKey(id, started, 7, 'cast'))).toEqual({
      kind: 'segment',
      recordingId: id,
      date: '2025-03-09',
      seq: 7,
      format: 'cast',
    });
    expect(parseRecordingKey(manifestKey(id, started))).toMatchObject({ kind: 'manifest' });
    expect(parseRecordingKey(initSegmentKey(id, started))).toMatchObject({ kind: 'init' });
    expect(parseRecordingKey(`recordings/2025/03/09/${id}/7.m4s`)).toBeUndefined();
    expect(parseRecordingKey('other/key')).toBeUndefined();
  });

  it.each([
    () => recordingPrefix('../x', started),
    () => recordingPrefix('', started),
    () => recordingPrefix(id, new Date('nope')),
    () => segmentKey(id, started, -1, 'm4s'),
    () => segmentKey(id, started, 1.5, 'm4s'),
    () => segmentKey(id, started, 1e10, 'm4s'),
    () => segmentKey(id, started, 1, 'mp3' as 'm4s'),
  ])('rejects bad input (%#)', (build) => {
    expect(build).toThrow(InvalidRecordingKeyError);
  });
});
