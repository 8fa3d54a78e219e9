/**
 * Turns command-line strings into numbers and choices, refusing anything odd with a
 * message that names the option (exit code 2 in the CLI).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function positiveInteger(option: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()))
      throw new UsageError(`${option} must be a whole number, got '${value}'`);
    const n = Number(value);
    if (n < 1 || n > max) throw new UsageError(`${option} must be between 1 and ${max}, got ${n}`);
    return n;
  };
}

export function nonNegativeInteger(option: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()))
      throw new UsageError(`${option} must be a whole number, got '${value}'`);
    return Number(value);
  };
}

export function positiveNumber(option: string, max = Number.MAX_VALUE, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`${option} must be a number, got '${value}'`);
    if (n <= min || n > max)
      throw new UsageError(`${option} must be greater than ${min} and at most ${max}, got ${n}`);
    return n;
  };
}

export function nonNegativeNumber(option: string, max = Number.MAX_VALUE) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`${option} must be a number, got '${value}'`);
    if (n < 0 || n > max) throw new UsageError(`${option} must be from 0 to ${max}, got ${n}`);
    return n;
  };
}

export function choice<T extends string>(option: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) {
      throw new UsageError(`${option} must be one of ${choices.join(', ')}, got '${value}'`);
    }
    return value as T;
  };
}

export function ingestUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // fall through to the usage error
  }
  throw new UsageError(`--ingest must be an http(s) URL, got '${value}'`);
}
