/**
 * Formats and hashes of sign-in secrets. Tokens are 256 random bits, so one SHA-256 is
 * enough to store them (nobody can enumerate 2^256 candidates however fast the hash);
 * passwords are chosen by people, so they get argon2id, which makes guessing expensive.
 */
import { createHash, randomBytes } from 'node:crypto';
import { argon2id, hash, type HashOptions, verify } from 'argon2';

export const TOKEN_PREFIX = 'srt_';
const TOKEN = /^srt_[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** Cheap shape check before any database lookup. */
export function isWellFormedToken(value: string): boolean {
  return TOKEN.test(value);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** OWASP's argon2id baseline (19 MiB, 2 passes); parameters travel inside the hash. */
const ARGON2_OPTIONS: HashOptions = {
  type: argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  try {
    return await verify(encoded, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification for an unknown user, so response times do not
 * tell which user names exist.
 */
export async function verifyAgainstDummy(password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
}

/** A readable generated password: 24 characters of base64url (144 bits). */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
