/**
 * Keyset page tokens: the sort key of the last row of a page, base64url-encoded JSON.
 * Opaque to callers; decoded strictly, because they come back from outside.
 */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('invalid cursor: pass the nextCursor of a previous page unchanged');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** PostgreSQL's text form of a timestamptz, microseconds included. */
const PG_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/;

export function encodeCursor(key: readonly [string | number, string]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
}

/** A search page key: (startedAt as PostgreSQL wrote it, sessionId). */
export function decodeTimeCursor(cursor: string): [string, string] {
  const key = decode(cursor);
  if (
    !Array.isArray(key) ||
    key.length !== 2 ||
    typeof key[0] !== 'string' ||
    !PG_TIME.test(key[0]) ||
    typeof key[1] !== 'string' ||
    !UUID.test(key[1])
  ) {
    throw new InvalidCursorError();
  }
  return [key[0], key[1]];
}

/** A timeline page key: (offsetMs, id). */
export function decodeOffsetCursor(cursor: string): [number, string] {
  const key = decode(cursor);
  if (
    !Array.isArray(key) ||
    key.length !== 2 ||
    !Number.isSafeInteger(key[0]) ||
    (key[0] as number) < 0 ||
    typeof key[1] !== 'string' ||
    !UUID.test(key[1])
  ) {
    throw new InvalidCursorError();
  }
  return [key[0] as number, key[1]];
}
