/**
 * The recording policy document shared by the api (which validates what admins send)
 * and the policy service (which stores and compiles it). Bounded everywhere: a hostile
 * document is rejected by the schema before any work is done on it.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { EVENT_TYPE_NAMES } from '../event-types';

export const POLICY_LIMITS = {
  rules: 500,
  listItems: 200,
  pattern: 256,
  timeWindows: 50,
  notice: 2000,
  triggers: 50,
} as const;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const recordingDecision = z.enum(['record', 'do-not-record', 'record-on-event']);
export type RecordingDecision = z.infer<typeof recordingDecision>;

/** True when `pattern` is a glob we accept: `*`, `?` and literal text, no brackets. */
export function isValidGlob(pattern: string): boolean {
  // eslint-disable-next-line no-control-regex
  return pattern.length > 0 && !/[[\]{}\u0000-\u001f]/.test(pattern);
}

/** True when `value` names a time zone this runtime knows (IANA name). */
export function isKnownTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Parses `a.b.c.d/n` or `v6/n` (a bare address means a single host). */
export function parseCidr(
  value: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = value.split('/');
  if (extra !== undefined) return undefined;
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const policyGlob = z
  .string()
  .max(POLICY_LIMITS.pattern)
  .refine(isValidGlob, { message: 'invalid glob (allowed: text, * and ?)' });
export const policyGlobs = z.array(policyGlob).min(1).max(POLICY_LIMITS.listItems);

const cidr = z
  .string()
  .max(64)
  .refine((v) => parseCidr(v) !== undefined, { message: 'invalid CIDR' });

export const timeWindow = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).max(7),
    from: z.string().regex(HHMM, 'must be HH:MM'),
    to: z.string().regex(HHMM, 'must be HH:MM'),
    timeZone: z
      .string()
      .max(64)
      .superRefine((v, ctx) => {
        if (!isKnownTimeZone(v)) {
          ctx.addIssue({ code: 'custom', message: `unknown time zone "${v}"` });
        }
      }),
  })
  .refine((w) => w.from !== w.to, { path: ['to'], message: 'must differ from "from"' });
export type TimeWindow = z.infer<typeof timeWindow>;

export const ruleMatch = z.strictObject({
  users: policyGlobs.optional(),
  groups: policyGlobs.optional(),
  hosts: policyGlobs.optional(),
  applications: policyGlobs.optional(),
  clientNetworks: z.array(cidr).min(1).max(POLICY_LIMITS.listItems).optional(),
  timeWindows: z.array(timeWindow).min(1).max(POLICY_LIMITS.timeWindows).optional(),
});
export type RuleMatch = z.infer<typeof ruleMatch>;

export const recordingNotice = z.strictObject({
  show: z.boolean(),
  text: z.string().min(1).max(POLICY_LIMITS.notice).optional(),
});

export const captureSettings = z.strictObject({
  frameRate: z.number().int().min(1).max(30),
  quality: z.enum(['low', 'medium', 'high']),
  inputCapture: z.boolean(),
  excludedApplications: z.array(policyGlob).max(POLICY_LIMITS.listItems),
});
export type CaptureSettings = z.infer<typeof captureSettings>;

export const eventTrigger = z.strictObject({
  eventType: z.enum(EVENT_TYPE_NAMES),
  /** Attribute name → glob its (string) value must match. */
  attributes: z
    .record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$/), policyGlob)
    .refine((r) => Object.keys(r).length <= 20, { message: 'at most 20 attributes' })
    .optional(),
});

export const eventTriggers = z.strictObject({
  events: z.array(eventTrigger).min(1).max(POLICY_LIMITS.triggers),
  preEventMinutes: z.number().int().min(0).max(30),
});
export type EventTriggers = z.infer<typeof eventTriggers>;

export const policyRuleId = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'must be 1-128 letters, digits, _ . -');
const retentionClass = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug');

export const recordingRule = z
  .strictObject({
    id: policyRuleId,
    description: z.string().max(1000).optional(),
    match: ruleMatch,
    action: recordingDecision,
    notice: recordingNotice.optional(),
    capture: captureSettings.optional(),
    triggers: eventTriggers.optional(),
    retentionClass: retentionClass.optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.action === 'record-on-event' && !rule.triggers) {
      ctx.addIssue({ code: 'custom', path: ['triggers'], message: 'required for record-on-event' });
    }
    if (rule.action !== 'record-on-event' && rule.triggers) {
      ctx.addIssue({ code: 'custom', path: ['triggers'], message: 'only for record-on-event' });
    }
  });
export type RecordingRule = z.infer<typeof recordingRule>;

/** The explicit fallback when no rule matches. */
export const defaultRule = z.strictObject({
  action: recordingDecision,
  notice: recordingNotice.optional(),
  capture: captureSettings.optional(),
  triggers: eventTriggers.optional(),
  retentionClass: retentionClass.optional(),
});
export type DefaultRule = z.infer<typeof defaultRule>;

/** A document-level refinement every policy kind shares: rule ids are unique. */
export function refuseDuplicateRuleIds(
  doc: { readonly rules: readonly { readonly id: string }[] },
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  doc.rules.forEach((rule, i) => {
    if (seen.has(rule.id)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rules', i, 'id'],
        message: `duplicate rule id "${rule.id}"`,
      });
    }
    seen.add(rule.id);
  });
}

export const recordingPolicyDocument = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    defaultAction: defaultRule,
    rules: z.array(recordingRule).max(POLICY_LIMITS.rules),
  })
  .superRefine(refuseDuplicateRuleIds);
export type RecordingPolicyDocument = z.infer<typeof recordingPolicyDocument>;

export interface PolicyFieldError {
  readonly path: string;
  readonly message: string;
}

/** `rules[2].match.timeWindows[0].timeZone` from zod's path array. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(document)' : out;
}

const MAX_DEPTH = 12;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Rejects structure the schema should never have to look at (deep nesting, pollution keys). */
function hostileShape(
  value: unknown,
  depth: number,
  path: PropertyKey[],
): PolicyFieldError | undefined {
  if (depth > MAX_DEPTH) return { path: formatIssuePath(path), message: 'nested too deeply' };
  if (Array.isArray(value)) {
    if (value.length > 10_000) return { path: formatIssuePath(path), message: 'array too long' };
    for (let i = 0; i < value.length; i++) {
      const found = hostileShape(value[i], depth + 1, [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.getOwnPropertyNames(value);
    if (keys.length > 1000) return { path: formatIssuePath(path), message: 'too many keys' };
    for (const key of keys) {
      if (FORBIDDEN_KEYS.has(key)) {
        return { path: formatIssuePath([...path, key]), message: 'forbidden key' };
      }
      const found = hostileShape((value as Record<string, unknown>)[key], depth + 1, [
        ...path,
        key,
      ]);
      if (found) return found;
    }
  }
  return undefined;
}

export type DocumentValidation<T> =
  | { readonly ok: true; readonly document: T }
  | { readonly ok: false; readonly errors: readonly PolicyFieldError[] };

export type PolicyValidation = DocumentValidation<RecordingPolicyDocument>;

/**
 * Validates an untrusted policy document of any kind against its schema: hostile shapes
 * (deep nesting, pollution keys, huge arrays) are refused before the schema runs, and
 * every other problem is named by its field path (`path: reason`, at most 50).
 */
export function validatePolicyDocument<T>(
  schema: z.ZodType<T>,
  input: unknown,
): DocumentValidation<T> {
  const hostile = hostileShape(input, 0, []);
  if (hostile) return { ok: false, errors: [hostile] };
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, document: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.slice(0, 50).map((issue) => ({
      path: formatIssuePath(issue.path),
      message: issue.message,
    })),
  };
}

/** Validates an untrusted recording policy, naming each bad field (`path: reason`). */
export function validateRecordingPolicy(input: unknown): PolicyValidation {
  return validatePolicyDocument(recordingPolicyDocument, input);
}
