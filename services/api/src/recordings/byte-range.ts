/**
 * The one `Range: bytes=...` form players send for segments: a single range (first-last,
 * first-, or -suffix). Anything unsatisfiable or malformed is refused with 416 (with the
 * object's size, so the client can ask again); several ranges at once are not served
 * (the whole object is, which RFC 9110 allows).
 */
import { RangeNotSatisfiableError } from '../http/api-errors';

export interface ResolvedRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/** undefined: serve the whole object (no Range header, or several ranges). */
export function resolveRange(header: string | undefined, size: number): ResolvedRange | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!match?.[1]) throw new RangeNotSatisfiableError('Range must be bytes=first-last', size);
  const specs = match[1].split(',');
  if (specs.length > 1) return undefined;
  const spec = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(specs[0] ?? '');
  if (!spec || (spec[1] === '' && spec[2] === '')) {
    throw new RangeNotSatisfiableError('Range must be bytes=first-last', size);
  }
  const [, first, last] = spec;
  if (first === '') {
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix) || suffix === 0 || size === 0) {
      throw new RangeNotSatisfiableError('the requested range is empty', size);
    }
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start >= size) {
    throw new RangeNotSatisfiableError(`the range starts beyond the ${size} bytes`, size);
  }
  if (last !== '' && Number(last) < start) {
    throw new RangeNotSatisfiableError('the range ends before it starts', size);
  }
  return { start, end };
}
