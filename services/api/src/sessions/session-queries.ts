/**
 * Turns the query strings of the session routes into catalogue questions. Every
 * parameter is checked here or by the contract's schema, and a bad one is a 400 naming
 * it (`query.from: ...`); unknown parameters are refused rather than silently ignored.
 * Times on /sessions are ISO-8601; on a session's events and metrics they are
 * session-relative milliseconds, the same offsets the player and the matches use.
 */
import {
  catalogEventsRequestV1,
  catalogMetricsRequestV1,
  catalogSearchRequestV1,
  EVENT_TYPE_NAMES,
  type CatalogEventsRequest,
  type CatalogMetricsRequest,
  type CatalogSearchRequest,
} from '@sessionrec/contracts';
import { z } from 'zod';
import { decode, intParam } from '../http/validate';

const MAX_OFFSET_MS = Number.MAX_SAFE_INTEGER;
const OFFSET_PARAMS = { fromMs: 'from', toMs: 'to' };
const single = z.string({ error: 'must be given once, as text' });

const searchQuery = z.strictObject({
  user: single.optional(),
  group: single.optional(),
  host: single.optional(),
  client: single.optional(),
  app: single.optional(),
  event: single.optional(),
  q: single.optional(),
  from: single.optional(),
  to: single.optional(),
  open: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  cursor: single.optional(),
  limit: intParam(100).optional(),
});

export function searchRequest(query: unknown): CatalogSearchRequest {
  const q = decode(searchQuery, query ?? {}, 'query');
  const request: Record<string, unknown> = { v: 1 };
  for (const [key, value] of Object.entries(q)) {
    if (value !== undefined && value !== '') request[key] = value;
  }
  return decode(catalogSearchRequestV1, request, 'query');
}

/** `types=app.start,usb.insert` or `types=app.start&types=usb.insert`. */
const typesParam = z
  .union([single, z.array(single)])
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((part) => part.split(','))
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(z.enum(EVENT_TYPE_NAMES)).min(1).max(EVENT_TYPE_NAMES.length));

const eventsQuery = z.strictObject({
  from: intParam(MAX_OFFSET_MS).optional(),
  to: intParam(MAX_OFFSET_MS).optional(),
  types: typesParam.optional(),
  cursor: single.optional(),
  limit: intParam(1000).optional(),
});

export function eventsRequest(sessionId: string, query: unknown): CatalogEventsRequest {
  const q = decode(eventsQuery, query ?? {}, 'query');
  return decode(
    catalogEventsRequestV1,
    {
      v: 1,
      sessionId,
      ...(q.from !== undefined ? { fromMs: q.from } : {}),
      ...(q.to !== undefined ? { toMs: q.to } : {}),
      ...(q.types ? { types: q.types } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    },
    'query',
    OFFSET_PARAMS,
  );
}

const metricsQuery = z.strictObject({
  from: intParam(MAX_OFFSET_MS).optional(),
  to: intParam(MAX_OFFSET_MS).optional(),
  cursor: single.optional(),
  limit: intParam(5000).optional(),
});

export function metricsRequest(sessionId: string, query: unknown): CatalogMetricsRequest {
  const q = decode(metricsQuery, query ?? {}, 'query');
  return decode(
    catalogMetricsRequestV1,
    {
      v: 1,
      sessionId,
      ...(q.from !== undefined ? { fromMs: q.from } : {}),
      ...(q.to !== undefined ? { toMs: q.to } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    },
    'query',
    OFFSET_PARAMS,
  );
}
