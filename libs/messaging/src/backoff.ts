/** Redelivery delays: how long a transiently failed message waits before its next try. */

/** 1 s, 2 s, 4 s ... capped at one minute. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1000, 2000, 4000, 8000, 16000, 32000, 60000];

/**
 * Delay before the next delivery after delivery number `deliveryCount` (1-based)
 * failed: the n-th entry of the schedule, the last entry once the schedule runs out.
 */
export function backoffDelay(deliveryCount: number, schedule: readonly number[]): number {
  if (schedule.length === 0) return 0;
  const index = Math.min(Math.max(Math.floor(deliveryCount), 1), schedule.length) - 1;
  return schedule[index] ?? 0;
}
