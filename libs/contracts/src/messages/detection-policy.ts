/**
 * Detection policies: which events session hosts detect and report, and how (removable
 * and network mount points, idle threshold, whether command lines and window titles are
 * captured). Rules scope settings to users, groups and hosts; the first rule that matches
 * a session wins and its settings are laid over the document's defaults, field by field.
 * Shared by the api (validation) and the policy service (storage, evaluation).
 */
import { z } from 'zod';
import { EVENT_TYPE_NAMES, type EventType } from '../event-types';
import {
  POLICY_LIMITS,
  policyGlob,
  policyGlobs,
  policyRuleId,
  refuseDuplicateRuleIds,
  validatePolicyDocument,
  type DocumentValidation,
} from './policy-document';

export const DETECTION_LIMITS = { mountPoints: 100 } as const;

/**
 * Reported whatever a policy says: the platform's own bookkeeping (session lifecycle,
 * why recording started or stopped, what a response did) depends on them.
 */
export const ALWAYS_REPORTED_EVENTS: readonly EventType[] = [
  'session.start',
  'session.end',
  'recording.start',
  'recording.stop',
  'response.executed',
];

const eventTypeList = z
  .array(z.enum(EVENT_TYPE_NAMES))
  .max(EVENT_TYPE_NAMES.length)
  .superRefine((types, ctx) => {
    const seen = new Set<string>();
    types.forEach((t, i) => {
      if (seen.has(t)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate "${t}"` });
      seen.add(t);
    });
  });

export const detectionOptions = z.strictObject({
  /** Mount points (globs) whose writes are reported as file.write.removable. */
  removableMountPoints: z.array(policyGlob).max(DETECTION_LIMITS.mountPoints).optional(),
  /** Mount points (globs) whose writes are reported as file.write.network. */
  networkMountPoints: z.array(policyGlob).max(DETECTION_LIMITS.mountPoints).optional(),
  /** Seconds without input before idle.start is reported. */
  idleThresholdSeconds: z.number().int().min(30).max(86_400).optional(),
  /** Whether app.start and command.start carry the full command line. */
  captureCommandLines: z.boolean().optional(),
  /** Whether app.focus carries the window title. */
  captureWindowTitles: z.boolean().optional(),
});
export type DetectionOptions = z.infer<typeof detectionOptions>;
export type ResolvedDetectionOptions = Required<DetectionOptions>;

export const detectionSettings = z.strictObject({
  /** The event types hosts report (the always-reported ones are added). */
  events: eventTypeList,
  options: detectionOptions.optional(),
});
export type DetectionSettings = z.infer<typeof detectionSettings>;

export const detectionMatch = z.strictObject({
  users: policyGlobs.optional(),
  groups: policyGlobs.optional(),
  hosts: policyGlobs.optional(),
});
export type DetectionMatch = z.infer<typeof detectionMatch>;

export const detectionRule = z.strictObject({
  id: policyRuleId,
  description: z.string().max(1000).optional(),
  match: detectionMatch,
  /** Replaces the default event list when given. */
  events: eventTypeList.optional(),
  /** Laid over the default options, field by field. */
  options: detectionOptions.optional(),
});
export type DetectionRule = z.infer<typeof detectionRule>;

export const detectionPolicyDocument = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    defaults: detectionSettings,
    rules: z.array(detectionRule).max(POLICY_LIMITS.rules),
  })
  .superRefine(refuseDuplicateRuleIds);
export type DetectionPolicyDocument = z.infer<typeof detectionPolicyDocument>;

/** Validates an untrusted detection policy, naming each bad field (`path: reason`). */
export function validateDetectionPolicy(
  input: unknown,
): DocumentValidation<DetectionPolicyDocument> {
  return validatePolicyDocument(detectionPolicyDocument, input);
}

/** Options in force where neither the policy nor a rule sets them. */
export const BUILT_IN_DETECTION_OPTIONS: ResolvedDetectionOptions = {
  removableMountPoints: ['/media/*', '/run/media/*'],
  networkMountPoints: ['/mnt/*', '/net/*'],
  idleThresholdSeconds: 300,
  captureCommandLines: true,
  captureWindowTitles: true,
};

/** In force until a detection policy is published: every event type is reported. */
export const BUILT_IN_DETECTION_POLICY: DetectionPolicyDocument = {
  name: 'Built-in detection policy',
  defaults: { events: [...EVENT_TYPE_NAMES] },
  rules: [],
};
