/**
 * Viewing policies: which people (by role, user name or group) may watch recordings of
 * which users, groups, hosts or applications. An allow-list: a person sees a session only
 * when some rule names them as a viewer and its `recordings` match the session. The api
 * turns the active document into a viewing scope for the signed-in person and sends it
 * with every catalogue question, so search, session pages and playback agree.
 */
import { z } from 'zod';
import { compileGlobs } from '../policy-glob';
import {
  POLICY_LIMITS,
  policyGlobs,
  policyRuleId,
  refuseDuplicateRuleIds,
  validatePolicyDocument,
  type DocumentValidation,
} from './policy-document';

/** The roles a person can hold (the api's users table allows only these). */
export const PERSON_ROLES = [
  'admin',
  'policy-admin',
  'investigator',
  'helpdesk',
  'auditor',
] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export const viewers = z
  .strictObject({
    roles: z.array(z.enum(PERSON_ROLES)).min(1).max(PERSON_ROLES.length).optional(),
    users: policyGlobs.optional(),
    groups: policyGlobs.optional(),
  })
  .refine((v) => v.roles ?? v.users ?? v.groups, {
    message: 'name at least one of roles, users or groups',
  });

/** Which sessions a rule covers; every field given must match, an empty object is all. */
export const viewingSubjects = z.strictObject({
  users: policyGlobs.optional(),
  groups: policyGlobs.optional(),
  hosts: policyGlobs.optional(),
  applications: policyGlobs.optional(),
});
export type ViewingSubjects = z.infer<typeof viewingSubjects>;

export const viewingRule = z.strictObject({
  id: policyRuleId,
  description: z.string().max(1000).optional(),
  viewers,
  recordings: viewingSubjects,
});
export type ViewingRule = z.infer<typeof viewingRule>;

export const viewingPolicyDocument = z
  .strictObject({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    rules: z.array(viewingRule).max(POLICY_LIMITS.rules),
  })
  .superRefine(refuseDuplicateRuleIds);
export type ViewingPolicyDocument = z.infer<typeof viewingPolicyDocument>;

/** Validates an untrusted viewing policy, naming each bad field (`path: reason`). */
export function validateViewingPolicy(input: unknown): DocumentValidation<ViewingPolicyDocument> {
  return validatePolicyDocument(viewingPolicyDocument, input);
}

/**
 * In force until a viewing policy is published: the roles whose work is watching
 * recordings (admin, investigator, auditor) see everything; helpdesk and policy-admin
 * see nothing until a policy grants it.
 */
export const BUILT_IN_VIEWING_POLICY: ViewingPolicyDocument = {
  name: 'Built-in viewing policy',
  rules: [
    {
      id: 'built-in-viewers',
      viewers: { roles: ['admin', 'investigator', 'auditor'] },
      recordings: {},
    },
  ],
};

/**
 * What one person may see, sent with catalogue questions: absent means everything;
 * `anyOf: []` means nothing; otherwise a session is visible when it matches any entry.
 */
export const viewingScope = z.strictObject({
  anyOf: z.array(viewingSubjects).max(POLICY_LIMITS.rules),
});
export type ViewingScope = z.infer<typeof viewingScope>;

export interface Viewer {
  /** Absent in a test sample that names no person: then `viewers.users` never match. */
  readonly username?: string;
  readonly roles: readonly string[];
  readonly groups: readonly string[];
}

function isViewer(rule: ViewingRule, viewer: Viewer): boolean {
  const { roles, users, groups } = rule.viewers;
  if (roles?.some((role) => viewer.roles.includes(role))) return true;
  if (users && viewer.username !== undefined && compileGlobs(users).test(viewer.username)) {
    return true;
  }
  if (groups) {
    const re = compileGlobs(groups);
    if (viewer.groups.some((g) => re.test(g))) return true;
  }
  return false;
}

function coversEverything(subjects: ViewingSubjects): boolean {
  return !subjects.users && !subjects.groups && !subjects.hosts && !subjects.applications;
}

/** The scope of `viewer` under `policy`: undefined when every session is visible. */
export function viewingScopeFor(
  policy: ViewingPolicyDocument,
  viewer: Viewer,
): ViewingScope | undefined {
  const anyOf: ViewingSubjects[] = [];
  for (const rule of policy.rules) {
    if (!isViewer(rule, viewer)) continue;
    if (coversEverything(rule.recordings)) return undefined;
    anyOf.push(rule.recordings);
  }
  return { anyOf };
}

/** A session as a viewing scope sees it (the catalogue's sessions row). */
export interface ViewedSession {
  readonly user: string;
  readonly groups: readonly string[];
  readonly host: string;
  /** Every application used in the session. */
  readonly applications?: readonly string[];
}

const SUBJECT_FIELDS = ['users', 'groups', 'hosts', 'applications'] as const;

/** The first field of `subjects` that does not match `session`, or undefined when all do. */
function unmatchedField(
  subjects: ViewingSubjects,
  session: ViewedSession,
): (typeof SUBJECT_FIELDS)[number] | undefined {
  const values = {
    users: [session.user],
    groups: session.groups,
    hosts: [session.host],
    applications: session.applications ?? [],
  };
  return SUBJECT_FIELDS.find((field) => {
    const patterns = subjects[field];
    if (!patterns) return false;
    const re = compileGlobs(patterns);
    return !values[field].some((value) => re.test(value));
  });
}

/**
 * Whether `session` is inside `scope`: the in-memory form of the condition the catalogue
 * applies in SQL (services/indexer viewing-scope.ts: any entry whose given fields all
 * match; each list OR of globs, case-insensitive; groups and applications match when any
 * of the session's do). Used to answer "may this viewer watch this session" exactly as
 * enforcement would.
 */
export function inViewingScope(scope: ViewingScope | undefined, session: ViewedSession): boolean {
  if (!scope) return true;
  return scope.anyOf.some((entry) => unmatchedField(entry, session) === undefined);
}

export interface ViewingDecision {
  readonly allowed: boolean;
  /** The first rule, in order, that names the viewer and covers the session. */
  readonly ruleId?: string;
  readonly explanation: string;
}

/**
 * May `viewer` watch recordings of `session` under `policy`? Decided through the viewing
 * scope, as every read of the catalogue is; the rule and the explanation say why.
 * `builtIn`: the policy is the built-in one (no viewing policy published).
 */
export function decideViewing(
  policy: ViewingPolicyDocument,
  viewer: Viewer,
  session: ViewedSession,
  builtIn = false,
): ViewingDecision {
  const allowed = inViewingScope(viewingScopeFor(policy, viewer), session);
  const prefix = builtIn ? 'no viewing policy is published, so the built-in one applies: ' : '';
  const naming = policy.rules.filter((rule) => isViewer(rule, viewer));
  if (allowed) {
    const rule = naming.find((r) => unmatchedField(r.recordings, session) === undefined);
    const id = rule?.id ?? '';
    const covers = rule && coversEverything(rule.recordings) ? 'every session' : 'this session';
    return {
      allowed,
      ...(rule ? { ruleId: id } : {}),
      explanation: `${prefix}allowed: rule "${id}" names this viewer and covers ${covers}`,
    };
  }
  if (naming.length === 0) {
    return {
      allowed,
      explanation: `${prefix}denied: no rule names this viewer (by role, user or group)`,
    };
  }
  const why = naming
    .map(
      (r) =>
        `rule "${r.id}": ${unmatchedField(r.recordings, session) ?? 'recordings'} do not match`,
    )
    .join('; ');
  return {
    allowed,
    explanation: `${prefix}denied: the rules naming this viewer do not cover this session (${why})`,
  };
}
