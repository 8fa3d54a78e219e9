/**
 * What happens to a message whose handler failed: redelivery after a backoff for
 * transient errors, dead-letter for permanent ones and for the last allowed delivery.
 */
import { backoffDelay } from './backoff';
import { errorMessage, PermanentError } from './errors';

export type FailureDecision =
  { action: 'nak'; delayMs: number } | { action: 'dead-letter'; reason: string };

export function decideOnFailure(
  err: unknown,
  deliveryCount: number,
  maxDeliver: number,
  backoffMs: readonly number[],
): FailureDecision {
  if (err instanceof PermanentError) {
    return { action: 'dead-letter', reason: `permanent error: ${err.message}` };
  }
  if (deliveryCount >= maxDeliver) {
    return { action: 'dead-letter', reason: `max deliveries exceeded: ${errorMessage(err)}` };
  }
  return { action: 'nak', delayMs: backoffDelay(deliveryCount, backoffMs) };
}
