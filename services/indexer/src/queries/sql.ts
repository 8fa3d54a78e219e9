/**
 * Small helpers for hand-written SQL: numbered parameters collected as a query is built,
 * and the conversions of what node-postgres returns into contract values.
 */
export class Params {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder (`$n`). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function iso(value: Date): string {
  return value.toISOString();
}

export function isoOrUndefined(value: Date | null): string | undefined {
  return value === null ? undefined : value.toISOString();
}

/** bigint columns come back as strings; offsets and sizes fit in a double. */
export function num(value: string | number): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Escapes LIKE wildcards so free text is matched literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Approximate encoded size, to keep replies well under NATS's 1 MiB payload limit. */
export const REPLY_BUDGET_BYTES = 768 * 1024;
