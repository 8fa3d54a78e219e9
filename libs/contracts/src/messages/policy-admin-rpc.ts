/**
 * Request/reply for administering the recording policy: read, list versions, publish a
 * new version and test a sample session. Answered only by the policy service, which
 * owns the policy tables; the api asks here instead of reading them.
 */
import { z } from 'zod';
import { isoTime, text, userName } from '../primitives';
import { policyEvaluateReplyV1, policyEvaluateRequestV1 } from './policy-rpc';

export const policyVersionInfoV1 = z.strictObject({
  version: z.number().int().positive(),
  createdBy: text(256),
  createdAt: isoTime,
  comment: z.string().max(1000).optional(),
});
export type PolicyVersionInfo = z.infer<typeof policyVersionInfoV1>;

export const policyGetRequestV1 = z.strictObject({ v: z.literal(1) });
export const policyGetReplyV1 = z.strictObject({
  v: z.literal(1),
  /** null until the first version is published (the built-in default applies). */
  active: z
    .strictObject({
      info: policyVersionInfoV1,
      /** Already validated when stored; kept loose here so old versions stay readable. */
      document: z.record(z.string(), z.unknown()),
    })
    .nullable(),
});

export const policyListVersionsRequestV1 = z.strictObject({
  v: z.literal(1),
  limit: z.number().int().min(1).max(500).default(100),
});
export const policyListVersionsReplyV1 = z.strictObject({
  v: z.literal(1),
  activeVersion: z.number().int().positive().nullable(),
  versions: z.array(policyVersionInfoV1).max(500),
});

export const policyPutRequestV1 = z.strictObject({
  v: z.literal(1),
  /** Validated by the policy service (field errors come back in the reply). */
  document: z.unknown(),
  actor: z.strictObject({ id: text(256), name: userName }),
  comment: z.string().max(1000).optional(),
});
export const policyPutReplyV1 = z.discriminatedUnion('ok', [
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(true),
    version: z.number().int().positive(),
    changedRuleIds: z.array(text(128)).max(2000),
  }),
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(false),
    errors: z
      .array(z.strictObject({ path: z.string().max(2000), message: z.string().max(2000) }))
      .max(50),
  }),
]);

export const policyTestRequestV1 = z.strictObject({
  v: z.literal(1),
  session: policyEvaluateRequestV1,
  /** Test an unsaved document instead of the active policy. */
  document: z.unknown().optional(),
});
export const policyTestReplyV1 = z.discriminatedUnion('ok', [
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(true),
    result: policyEvaluateReplyV1,
    recorded: z.boolean(),
    explanation: z.string().max(2000),
  }),
  z.strictObject({
    v: z.literal(1),
    ok: z.literal(false),
    errors: z
      .array(z.strictObject({ path: z.string().max(2000), message: z.string().max(2000) }))
      .max(50),
  }),
]);

/** The kinds of stored, versioned policy documents (one active version of each). */
export const POLICY_KINDS = ['recording', 'detection', 'responses', 'viewing'] as const;
export const policyKind = z.enum(POLICY_KINDS);
export type PolicyKind = z.infer<typeof policyKind>;

/** Published on every change (core NATS, all instances reload); see docs/policies.md. */
export const policyChangedV1 = z.strictObject({
  v: z.literal(1),
  /** Which kind changed; absent from older publishers (then every kind reloads). */
  kind: policyKind.optional(),
  version: z.number().int().positive(),
  changedAt: isoTime,
});
export type PolicyChanged = z.infer<typeof policyChangedV1>;

/**
 * Relative core-NATS subject on which a policy change is announced to every policy
 * instance; captured by no stream on purpose (a missed announcement is repaired by the
 * next one or a restart, and no durable state is needed).
 */
export const POLICY_CHANGED_SUBJECT = 'notify.policy.changed';
