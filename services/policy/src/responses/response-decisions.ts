/**
 * The small decisions of the response engine, kept pure so they are tested without a
 * database: has a windowed count been reached, is an action throttled, what a request
 * carries, when two requests are the same, and the request id that makes a repeated
 * decision the same message.
 */
import { createHash } from 'node:crypto';
import type { ResponseRuleAction } from '@sessionrec/contracts';

export interface Hit {
  readonly eventId: string;
  readonly at: Date;
}

/**
 * The events that satisfy a count of `count` among the hits inside the window (any
 * order), oldest first, or undefined when there are not enough yet.
 */
export function countReached(hits: readonly Hit[], count: number): string[] | undefined {
  if (hits.length < count) return undefined;
  return [...hits]
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.eventId.localeCompare(b.eventId))
    .slice(-count)
    .map((h) => h.eventId);
}

/** Throttled when the last request of this (rule, scope, action) is closer than the limit. */
export function isThrottled(lastAt: Date | undefined, at: Date, throttleSeconds: number): boolean {
  if (lastAt === undefined || throttleSeconds === 0) return false;
  return Math.abs(at.getTime() - lastAt.getTime()) < throttleSeconds * 1000;
}

/** The action's settings as flat request params (lists joined with commas). */
export function actionParams(a: ResponseRuleAction): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(a)) {
    if (key === 'action' || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return out;
}

/** Two actions ask for the same thing when their action and settings are equal. */
export function sameRequestKey(a: ResponseRuleAction): string {
  const params = actionParams(a);
  const sorted = Object.keys(params)
    .sort()
    .map((k) => [k, params[k]]);
  return JSON.stringify([a.action, sorted]);
}

/**
 * A name-based id (RFC 9562 version 8, from SHA-256) of one request: the same rule,
 * action and triggering events always give the same id, so a repeated decision is the
 * same JetStream message (`response:<id>`) and the same outbox row.
 */
export function responseIdFor(
  ruleId: string,
  actionIndex: number,
  eventIds: readonly string[],
): string {
  const digest = createHash('sha256')
    .update(`${ruleId}\n${actionIndex}\n${[...eventIds].sort().join(',')}`)
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
