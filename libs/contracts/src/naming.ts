/**
 * Turns relative subjects and stream names into the concrete ones of a namespace.
 * A namespace is one NATS subject token: lower-case letters, digits, `_` and `-`.
 */
const NAMESPACE_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;

export function assertNamespace(namespace: string): string {
  if (!NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(
      `Invalid namespace "${namespace}": use 1-40 lower-case letters, digits, "_" or "-", starting with a letter`,
    );
  }
  return namespace;
}

export function fullSubject(namespace: string, relative: string): string {
  return `${namespace}.${relative}`;
}

/** Strips the namespace from a concrete subject; returns undefined if it is not ours. */
export function relativeSubject(namespace: string, subject: string): string | undefined {
  const prefix = `${namespace}.`;
  return subject.startsWith(prefix) ? subject.slice(prefix.length) : undefined;
}

export function streamName(namespace: string, stream: string): string {
  return `${namespace.toUpperCase().replace(/-/g, '_')}_${stream}`;
}

/** A subject token must not be empty nor contain separators or wildcards. */
const TOKEN_PATTERN = /^[^.*>\s]+$/;

export function assertToken(token: string, what: string): string {
  if (!TOKEN_PATTERN.test(token)) {
    throw new Error(`Invalid subject token for ${what}: "${token}"`);
  }
  return token;
}
