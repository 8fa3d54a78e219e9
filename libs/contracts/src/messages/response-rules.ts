/**
 * Response rules: which host events (type, attribute globs, user/group/host scope, time
 * windows or outside hours, N occurrences within a window) lead to which actions (notify,
 * lock, disconnect, log off, block a transfer, start recording), with throttling. The
 * policy service evaluates them on the event stream and publishes response.requested;
 * the responder carries the actions out. Globs and time windows mean exactly what they
 * mean in recording policies.
 */
import { z } from 'zod';
import {
  eventTrigger,
  POLICY_LIMITS,
  policyGlobs,
  policyRuleId,
  refuseDuplicateRuleIds,
  timeWindow,
  validatePolicyDocument,
  type DocumentValidation,
} from './policy-document';

export const RESPONSE_LIMITS = {
  events: 50,
  actions: 10,
  recipients: 20,
  count: 1000,
  /** One week: the longest window and throttle, and so the longest kept state. */
  seconds: 7 * 24 * 60 * 60,
  message: 2000,
} as const;

export const responseMatch = z.strictObject({
  /** The event must be one of these (type, and attribute globs when given). */
  events: z.array(eventTrigger).min(1).max(RESPONSE_LIMITS.events),
  users: policyGlobs.optional(),
  groups: policyGlobs.optional(),
  hosts: policyGlobs.optional(),
  /** The event happened inside one of these windows. */
  timeWindows: z.array(timeWindow).min(1).max(POLICY_LIMITS.timeWindows).optional(),
  /** The event happened outside every one of these windows (the allowed hours). */
  outsideHours: z.array(timeWindow).min(1).max(POLICY_LIMITS.timeWindows).optional(),
});
export type ResponseMatch = z.infer<typeof responseMatch>;

export const responseCondition = z
  .strictObject({
    /** Matching events needed to fire (1 = every matching event). */
    count: z.number().int().min(1).max(RESPONSE_LIMITS.count),
    /** Within how many seconds (of event time) they must happen; required when count > 1. */
    windowSeconds: z.number().int().min(1).max(RESPONSE_LIMITS.seconds).optional(),
    /** Count per session (default) or per user across their sessions. */
    per: z.enum(['session', 'user']).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.count > 1 && c.windowSeconds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['windowSeconds'], message: 'required when count > 1' });
    }
  });
export type ResponseCondition = z.infer<typeof responseCondition>;

const message = z.string().min(1).max(RESPONSE_LIMITS.message);
const webhookName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug naming a configured webhook');

const notifyAction = z
  .strictObject({
    action: z.literal('notify'),
    channel: z.enum(['email', 'webhook']),
    recipients: z.array(z.email().max(254)).min(1).max(RESPONSE_LIMITS.recipients).optional(),
    webhook: webhookName.optional(),
    message: message.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.channel === 'email' && !a.recipients) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'required for e-mail' });
    }
    if (a.channel === 'webhook' && !a.webhook) {
      ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'required for a webhook' });
    }
    if (a.channel === 'webhook' && a.recipients) {
      ctx.addIssue({ code: 'custom', path: ['recipients'], message: 'only for e-mail' });
    }
    if (a.channel === 'email' && a.webhook) {
      ctx.addIssue({ code: 'custom', path: ['webhook'], message: 'only for a webhook' });
    }
  });

const sessionAction = (name: 'lock' | 'disconnect' | 'logoff' | 'block-transfer') =>
  z.strictObject({
    action: z.literal(name),
    /** Shown to the user on the host. */
    message: message.optional(),
  });

const startRecordingAction = z.strictObject({
  action: z.literal('start-recording'),
  reason: message.optional(),
});

export const responseRuleAction = z.discriminatedUnion('action', [
  notifyAction,
  sessionAction('lock'),
  sessionAction('disconnect'),
  sessionAction('logoff'),
  sessionAction('block-transfer'),
  startRecordingAction,
]);
export type ResponseRuleAction = z.infer<typeof responseRuleAction>;

export const responseRule = z.strictObject({
  id: policyRuleId,
  description: z.string().max(1000).optional(),
  /** A disabled rule is kept in the document but never fires. */
  enabled: z.boolean().optional(),
  match: responseMatch,
  condition: responseCondition.optional(),
  actions: z.array(responseRuleAction).min(1).max(RESPONSE_LIMITS.actions),
  /** At most one request per (rule, session or user, action) within this many seconds. */
  throttleSeconds: z.number().int().min(0).max(RESPONSE_LIMITS.seconds).optional(),
  /** When an event matches this rule, later rules are not evaluated for it. */
  final: z.boolean().optional(),
});
export type ResponseRule = z.infer<typeof responseRule>;

/** Throttle of a rule that does not set one: a burst becomes one request a minute. */
export const DEFAULT_THROTTLE_SECONDS = 60;

export const responseRulesDocument = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    rules: z.array(responseRule).max(POLICY_LIMITS.rules),
  })
  .superRefine(refuseDuplicateRuleIds);
export type ResponseRulesDocument = z.infer<typeof responseRulesDocument>;

/** Validates untrusted response rules, naming each bad field (`path: reason`). */
export function validateResponseRules(input: unknown): DocumentValidation<ResponseRulesDocument> {
  return validatePolicyDocument(responseRulesDocument, input);
}
