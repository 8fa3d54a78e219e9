/**
 * What every policy route shares: who may change policies (policy-admin or admin), the
 * 400 that names each invalid field, and the replies of the stored-policy questions
 * (active version, versions, put) turned into HTTP answers.
 */
import type { ReplyOf } from '@sessionrec/contracts';
import type { Principal } from '../auth/roles';
import { ApiError, NotFoundError } from '../http/api-errors';

/** 403: signed in, but without a role that may change policies. */
export class PolicyForbiddenError extends ApiError {
  constructor(what = 'changing policies') {
    super(403, 'forbidden', `${what} needs the policy-admin or admin role`);
  }
}

/** 400 with every invalid field: `{error:{code:'invalid_policy', message, fields}}`. */
export class InvalidPolicyError extends ApiError {
  constructor(readonly fields: readonly { path: string; message: string }[]) {
    const first = fields[0];
    super(400, 'invalid_policy', first ? `${first.path}: ${first.message}` : 'invalid policy');
  }

  override getResponse(): object {
    return { error: { code: this.code, message: this.message, fields: this.fields } };
  }
}

export function requirePolicyAdmin(user: Principal, what?: string): void {
  if (!user.roles.includes('admin') && !user.roles.includes('policy-admin')) {
    throw new PolicyForbiddenError(what);
  }
}

/** The active version with its document, or 404 saying what applies without one. */
export function activeOr404(reply: ReplyOf<'policy.get'>, whenNone: string) {
  if (!reply.active) throw new NotFoundError(whenNone);
  return { ...reply.active.info, document: reply.active.document };
}

export function versionsOf(reply: ReplyOf<'policy.list-versions'>) {
  return { activeVersion: reply.activeVersion, versions: reply.versions };
}

/** The new version, or 400 naming each invalid field. */
export function publishedOr400(reply: ReplyOf<'policy.put'>) {
  if (!reply.ok) throw new InvalidPolicyError(reply.errors);
  return { version: reply.version, changedRuleIds: reply.changedRuleIds };
}

/** The actor of a change, as the policy service records it. */
export function actorOf(user: Principal): { id: string; name: string } {
  return { id: user.userId, name: user.username };
}
