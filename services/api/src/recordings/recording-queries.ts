/** Query and path parameters of the recording routes (times: session-relative milliseconds). */
import { z } from 'zod';
import { ValidationError } from '../http/api-errors';
import { decode, intParam, uuidParam } from '../http/validate';
import type { TimeRange } from './recording-catalog';

const MAX_OFFSET_MS = Number.MAX_SAFE_INTEGER;
const MAX_SEQ = 2_147_483_647;

const rangeQuery = z.strictObject({
  from: intParam(MAX_OFFSET_MS).optional(),
  to: intParam(MAX_OFFSET_MS).optional(),
});

export function recordingId(value: string): string {
  return decode(uuidParam, value, 'params');
}

/** `7`, or `7.m4s` / `7.cast` as playlists write it (players check segment extensions). */
export function segmentSeq(value: string): number {
  return decode(intParam(MAX_SEQ), value.replace(/\.(m4s|cast)$/, ''), 'params');
}

function checked(q: { from?: number; to?: number }): TimeRange {
  if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
    throw new ValidationError('query.from: must not be after to');
  }
  return {
    ...(q.from !== undefined ? { fromMs: q.from } : {}),
    ...(q.to !== undefined ? { toMs: q.to } : {}),
  };
}

export function timeRange(query: unknown): TimeRange {
  return checked(decode(rangeQuery, query ?? {}, 'query'));
}

const detailQuery = rangeQuery.extend({
  afterSeq: intParam(MAX_SEQ).optional(),
  limit: intParam(2000).optional(),
});

export function detailQueryOf(query: unknown): TimeRange & { afterSeq?: number; limit?: number } {
  const q = decode(detailQuery, query ?? {}, 'query');
  return {
    ...checked(q),
    ...(q.afterSeq !== undefined ? { afterSeq: q.afterSeq } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
  };
}

const stateQuery = z.strictObject({ at: intParam(MAX_OFFSET_MS) });

/** `?at=` of the terminal-state routes: the moment whose screen is wanted. */
export function stateAt(query: unknown): number {
  return decode(stateQuery, query ?? {}, 'query').at;
}
