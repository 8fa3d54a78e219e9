/**
 * Share-link tokens: 256 random bits (`srs_` + 43 base64url characters), stored only as
 * their SHA-256, like sign-in tokens. The shape is checked before any database lookup.
 */
import { randomBytes } from 'node:crypto';
import { hashToken } from '../auth/secrets';

export const SHARE_TOKEN_PREFIX = 'srs_';
const SHARE_TOKEN = /^srs_[A-Za-z0-9_-]{43}$/;

export function newShareToken(): string {
  return `${SHARE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function isWellFormedShareToken(value: string): boolean {
  return SHARE_TOKEN.test(value);
}

export { hashToken as hashShareToken };
