/**
 * Named errors of the object store, so callers can tell "already there with other bytes"
 * (a security event) from "missing" or "bad input" without parsing messages.
 */

/** Keys come from agents and URLs: quote and shorten them before they reach a message. */
export function describeKey(key: string): string {
  const shown = key.length > 120 ? `${key.slice(0, 120)}…` : key;
  return JSON.stringify(shown);
}

export class ObjectStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidKeyError extends ObjectStoreError {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Invalid object key ${describeKey(key)}: ${reason}`);
  }
}

export class ObjectNotFoundError extends ObjectStoreError {
  constructor(readonly key: string) {
    super(`Object ${describeKey(key)} does not exist`);
  }
}

/** The key exists with different bytes: a conditional create never overwrites. */
export class ObjectConflictError extends ObjectStoreError {
  constructor(
    readonly key: string,
    readonly existingSha256?: string,
    readonly attemptedSha256?: string,
  ) {
    super(`Object ${describeKey(key)} already exists with different content`);
  }
}

/** The body did not match the SHA-256 or length the caller announced; nothing was stored. */
export class ObjectIntegrityError extends ObjectStoreError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Body of ${describeKey(key)} rejected: ${reason}`);
  }
}

export class InvalidRangeError extends ObjectStoreError {
  constructor(
    readonly key: string,
    readonly range: { start: number; end?: number },
    readonly size?: number,
  ) {
    const end = range.end === undefined ? '' : String(range.end);
    super(
      `Range ${range.start}-${end} of ${describeKey(key)} is not satisfiable` +
        (size === undefined ? '' : ` (object size ${size})`),
    );
  }
}

export function isObjectNotFound(err: unknown): err is ObjectNotFoundError {
  return err instanceof ObjectNotFoundError;
}

export function isObjectConflict(err: unknown): err is ObjectConflictError {
  return err instanceof ObjectConflictError;
}

/** A malformed option (range, limit, sha256, content type) from the caller. */
export class InvalidArgumentError extends ObjectStoreError {}

/**
 * Filesystem store only: a key cannot name an object and also be a "folder" of other
 * keys (`a` and `a/b`), because a file and a directory cannot share a path. S3 allows
 * it; the recording key layout never needs it.
 */
export class KeyPathConflictError extends ObjectStoreError {
  constructor(readonly key: string) {
    super(
      `Object ${describeKey(key)} collides with an object or folder of the same path on the filesystem store`,
    );
  }
}
