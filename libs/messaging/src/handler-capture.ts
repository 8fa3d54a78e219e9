/**
 * Nest's exception layer turns a handler's error into an anonymous `{status, message}`
 * object. The decorators wrap each handler so the original error (its class decides
 * between redelivery and dead-letter) is kept here for the transport to read.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isObservable, lastValueFrom } from 'rxjs';

interface Capture {
  error?: unknown;
  failed: boolean;
}

const storage = new AsyncLocalStorage<Capture>();

/** Records a handler's error for the surrounding `invokeHandler`, if any. */
export function captureHandlerError(err: unknown): void {
  const capture = storage.getStore();
  if (capture && !capture.failed) {
    capture.failed = true;
    capture.error = err;
  }
}

/**
 * Calls a Nest-registered handler and resolves with its result, or rejects with the
 * handler's own error (not Nest's replacement of it).
 */
export async function invokeHandler<A extends unknown[]>(
  handler: (...args: A) => unknown,
  ...args: A
): Promise<unknown> {
  const capture: Capture = { failed: false };
  let result: unknown;
  try {
    result = await storage.run(capture, async () => {
      const value: unknown = await handler(...args);
      return isObservable(value) ? lastValueFrom(value, { defaultValue: undefined }) : value;
    });
  } catch (err) {
    throw capture.failed ? capture.error : err;
  }
  if (capture.failed) throw capture.error;
  return result;
}
