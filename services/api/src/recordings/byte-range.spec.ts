import { RangeNotSatisfiableError } from '../http/api-errors';
import { resolveRange } from './byte-range';

describe('resolveRange', () => {
  it('serves the whole object without a Range header or with several ranges', () => {
    expect(resolveRange(undefined, 100)).toBeUndefined();
    expect(resolveRange('bytes=0-1,5-6', 100)).toBeUndefined();
  });

  it('resolves first-last, first- and -suffix forms, clamping the end to the object', () => {
    expect(resolveRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(resolveRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(resolveRange('bytes=90-1000', 100)).toEqual({ start: 90, end: 99 });
    expect(resolveRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(resolveRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(resolveRange('bytes=5-5', 100)).toEqual({ start: 5, end: 5 });
  });

  it.each([
    'bytes=100-',
    'bytes=100-200',
    'bytes=10-5',
    'bytes=-0',
    'bytes=-',
    'bytes=a-b',
    'items=0-1',
    '',
  ])('refuses %j with 416 carrying the size', (header) => {
    expect(() => resolveRange(header, 100)).toThrow(RangeNotSatisfiableError);
    try {
      resolveRange(header, 100);
    } catch (err) {
      expect((err as RangeNotSatisfiableError).size).toBe(100);
    }
  });

  it('refuses every range of an empty object', () => {
    expect(() => resolveRange('bytes=0-', 0)).toThrow(RangeNotSatisfiableError);
    expect(() => resolveRange('bytes=-5', 0)).toThrow(RangeNotSatisfiableError);
  });
});
