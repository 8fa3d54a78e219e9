/**
 * Formats of the agent's secrets. Both are 256-bit random values, so one SHA-256 is
 * enough to store them: slow hashes (argon2, bcrypt) exist to make guessing low-entropy
 * passwords expensive, and nobody can enumerate 2^256 candidates however fast the hash.
 * The credential carries the agent id, so verifying it is one primary-key lookup.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const ENROL_TOKEN_PREFIX = 'sre_';
export const CREDENTIAL_PREFIX = 'sra_';
const SECRET_BYTES = 32;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

function randomSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

export function newEnrolToken(): string {
  return `${ENROL_TOKEN_PREFIX}${randomSecret()}`;
}

/** `sra_<agentId>_<secret>`; the whole string is what gets hashed. */
export function newCredential(agentId: string): string {
  return `${CREDENTIAL_PREFIX}${agentId}_${randomSecret()}`;
}

export interface ParsedCredential {
  agentId: string;
  credential: string;
}

/** undefined for anything that is not a well-formed credential. */
export function parseCredential(credential: string): ParsedCredential | undefined {
  if (!credential.startsWith(CREDENTIAL_PREFIX)) return undefined;
  const rest = credential.slice(CREDENTIAL_PREFIX.length);
  const agentId = rest.slice(0, 36);
  if (!UUID.test(agentId) || rest[36] !== '_' || !SECRET.test(rest.slice(37))) return undefined;
  return { agentId, credential };
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}
