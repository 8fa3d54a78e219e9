/**
 * Failures of the object store or the database that waiting can fix: ingest answers
 * them with 503 and Retry-After instead of 500, and the agent keeps the segment spooled.
 */
import { isTransientInfrastructureError as isTransientError } from '@sessionrec/runtime';

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** True for database and network errors that a retry later may get past. */
export function isTransientInfrastructureError(err: unknown): boolean {
  return err instanceof StoreUnavailableError || isTransientError(err);
}

/** Rejects with StoreUnavailableError if `work` takes longer than `timeoutMs`. */
export async function withTimeout<T>(
  work: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StoreUnavailableError(`${what} did not finish within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
