/**
 * Request/reply for detection policies: what a host should detect and report for a user
 * on it (asked when a session starts and after a policy change), and a test of a sample
 * against the active policy or an unsaved draft. Reading, listing and publishing versions
 * reuse the recording policy's get/list-versions/put shapes on their own subjects.
 */
import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../event-types';
import { hostName, text, userName } from '../primitives';
import { policyFieldErrors } from './response-rules-rpc';

export const policyDetectionEvaluateRequestV1 = z.strictObject({
  v: z.literal(1),
  user: userName,
  groups: z.array(text(256)).max(256),
  host: hostName,
});
export type PolicyDetectionEvaluateRequest = z.infer<typeof policyDetectionEvaluateRequestV1>;

export const policyDetectionEvaluateReplyV1 = z.strictObject({
  v: z.literal(1),
  /** 0 while the built-in policy (report everything) applies. */
  policyVersion: z.number().int().nonnegative(),
  /** The deciding rule, `default` or `built-in-default`. */
  ruleId: text(128),
  events: z.array(z.enum(EVENT_TYPE_NAMES)).max(EVENT_TYPE_NAMES.length),
  options: z.strictObject({
    removableMountPoints: z.array(z.string().max(256)).max(100),
    networkMountPoints: z.array(z.string().max(256)).max(100),
    idleThresholdSeconds: z.number().int().positive(),
    captureCommandLines: z.boolean(),
    captureWindowTitles: z.boolean(),
  }),
});
export type PolicyDetectionEvaluateReply = z.infer<typeof policyDetectionEvaluateReplyV1>;

export const policyDetectionTestRequestV1 = z.strictObject({
  v: z.literal(1),
  subject: policyDetectionEvaluateRequestV1,
  /** Test an unsaved document instead of the active policy. */
  document: z.unknown().optional(),
});
export const policyDetectionTestReplyV1 = z.discriminatedUnion('ok', [
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(true),
    result: policyDetectionEvaluateReplyV1,
    explanation: z.string().max(2000),
  }),
  z.strictObject({ v: z.literal(1), ok: z.literal(false), errors: policyFieldErrors }),
]);
