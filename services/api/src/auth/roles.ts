/**
 * The roles a user can hold. Stored now; a later issue enforces them (viewing policies,
 * who may change policies), so the names are fixed here and in the users table check.
 */
export const ROLES = ['admin', 'policy-admin', 'investigator', 'helpdesk', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Who made a request: the signed-in user behind a valid token. */
export interface Principal {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly Role[];
  /** The groups the person belongs to (viewing policies may name them). */
  readonly groups: readonly string[];
  readonly tokenId: string;
}
