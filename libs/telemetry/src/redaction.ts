/**
 * Keeps secrets out of logs: known header paths are censored by pino's redact, any key that
 * names a secret is censored at any depth, and passwords inside URLs are masked in
 * messages, objects and errors.
 */
import { redactUrlCredentials } from '@sessionrec/config';
import { stdSerializers, type SerializedError } from 'pino';

export const CENSOR = '[Redacted]';

/** Paths for pino's `redact` (applied after serializers, so the HTTP request log is covered). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-agent-credential"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'credential',
  '*.credential',
  'secret',
  '*.secret',
];

/** Key names whose values are secrets wherever they appear. */
const SECRET_KEY =
  /passw(or)?d|secret|token|credential|authorization|^cookie$|set-cookie|api[-_]?key|private[-_]?key|access[-_]?key/i;
const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with secret keys censored and URL passwords masked. Only plain objects
 * and arrays are walked; class instances (requests, errors) are left to serializers.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && item !== undefined ? CENSOR : redactValue(item, depth + 1);
  }
  return copy;
}

export function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return redactValue(object) as Record<string, unknown>;
}

/** Censors the values of secret-named query parameters (`?token=...`) in a request URL. */
export function redactUrlQuery(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return redactUrlCredentials(url);
  const params = new URLSearchParams(url.slice(start + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (isSecretKey(key)) {
      params.set(key, CENSOR);
      changed = true;
    }
  }
  const path = redactUrlCredentials(url.slice(0, start));
  return changed ? `${path}?${params.toString()}` : `${path}${url.slice(start)}`;
}

interface SerializedRequestLike {
  url?: unknown;
  query?: unknown;
}

/** Applied to pino-http's serialized request: no tokens from the query string. */
export function redactingRequestSerializer<R extends SerializedRequestLike>(request: R): R {
  return {
    ...request,
    ...(typeof request.url === 'string' ? { url: redactUrlQuery(request.url) } : {}),
    // Fastify's query objects have a bare prototype; copy them so redactValue walks them.
    ...(typeof request.query === 'object' && request.query !== null
      ? { query: redactValue({ ...request.query }) }
      : {}),
  };
}

/** pino's error serializer, with URL passwords masked in message and stack. */
export function redactingErrorSerializer(error: Error): SerializedError {
  const serialized = stdSerializers.err(error);
  serialized.message = redactUrlCredentials(serialized.message);
  if (typeof serialized.stack === 'string') {
    serialized.stack = redactUrlCredentials(serialized.stack);
  }
  return serialized;
}
