/**
 * Request/reply for response rules: test which rules a sample event would match (against
 * the active rules or an unsaved draft). Reading, listing and publishing versions reuse
 * the recording policy's get/list-versions/put shapes on their own subjects.
 */
import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../event-types';
import { attributes, hostName, isoTime, text, userName } from '../primitives';
import { responseAction } from './response';

/** The field errors of a rejected document, as every policy kind reports them. */
export const policyFieldErrors = z
  .array(z.strictObject({ path: z.string().max(2000), message: z.string().max(2000) }))
  .max(50);

export const policyResponsesTestRequestV1 = z.strictObject({
  v: z.literal(1),
  event: z.strictObject({
    type: z.enum(EVENT_TYPE_NAMES),
    at: isoTime,
    attributes: attributes.default({}),
  }),
  /** Who and where; rules scoped to users, groups or hosts never match without it. */
  session: z
    .strictObject({ user: userName, groups: z.array(text(256)).max(256), host: hostName })
    .optional(),
  /** Test an unsaved document instead of the active rules. */
  document: z.unknown().optional(),
});

export const responseRuleTestMatchV1 = z.strictObject({
  ruleId: text(128),
  actions: z.array(responseAction).max(10),
  /** Matching events needed within `windowSeconds` before the rule fires. */
  count: z.number().int().positive(),
  windowSeconds: z.number().int().positive().optional(),
  per: z.enum(['session', 'user']),
  throttleSeconds: z.number().int().nonnegative(),
});

export const policyResponsesTestReplyV1 = z.discriminatedUnion('ok', [
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(true),
    rulesVersion: z.number().int().nonnegative(),
    /** The rules the event matches, in evaluation order (a final rule ends the list). */
    matches: z.array(responseRuleTestMatchV1).max(500),
    explanation: z.string().max(2000),
  }),
  z.strictObject({ v: z.literal(1), ok: z.literal(false), errors: policyFieldErrors }),
]);
