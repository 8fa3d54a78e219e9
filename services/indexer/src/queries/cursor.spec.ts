import { randomUUID } from 'node:crypto';
import { decodeOffsetCursor, decodeTimeCursor, encodeCursor, InvalidCursorError } from './cursor';

describe('page cursors', () => {
  const id = randomUUID();

  it('round-trip a time key with microseconds and an offset key', () => {
    const time = '2026-01-01 10:00:00.123456+00';
    expect(decodeTimeCursor(encodeCursor([time, id]))).toEqual([time, id]);
    expect(decodeOffsetCursor(encodeCursor([1234, id]))).toEqual([1234, id]);
    expect(encodeCursor([time, id])).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['garbage', 'not-json'],
    ['a wrong shape', encodeCursor([1, 'x'])],
    ['SQL in the time', encodeCursor(["2026-01-01'; drop table sessions; --", id])],
    ['a bad id', encodeCursor(['2026-01-01 10:00:00+00', 'nope'])],
  ])('refuses %s as a time cursor', (_what, cursor) => {
    expect(() => decodeTimeCursor(cursor)).toThrow(InvalidCursorError);
  });

  it.each([
    ['a negative offset', encodeCursor([-1, id])],
    ['a fractional offset', encodeCursor([1.5, id])],
    ['a string offset', encodeCursor(['1', id])],
    ['three keys', Buffer.from(JSON.stringify([1, id, 2])).toString('base64url')],
  ])('refuses %s as an offset cursor', (_what, cursor) => {
    expect(() => decodeOffsetCursor(cursor)).toThrow(InvalidCursorError);
  });
});
