/**
 * Failures that waiting can fix (PostgreSQL or the object store unreachable): the api
 * answers them with 503 and Retry-After instead of 500.
 */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  // PostgreSQL: connection failures, shutdown in progress, too many connections.
  '08000',
  '08001',
  '08003',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

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
