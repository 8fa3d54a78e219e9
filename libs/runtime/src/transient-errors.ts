/**
 * Database and network failures that waiting can fix (PostgreSQL or the object store
 * unreachable, restarting or overloaded): services answer them with 503 and Retry-After
 * rather than 500, so clients retry instead of giving up.
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL: connection failures, shutdown in progress, too many connections,
  // serialization failure and deadlock (a retry of the whole request succeeds).
  '08000',
  '08001',
  '08003',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '40001',
  '40P01',
]);

/** True for database and network errors that a retry later may get past. */
export function isTransientInfrastructureError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  const driverError = (err as { driverError?: unknown }).driverError;
  if (driverError && driverError !== err) return isTransientInfrastructureError(driverError);
  const message = (err as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect/i.test(message)
  );
}
