import { randomUUID } from 'node:crypto';
import {
  hashesEqual,
  newCredential,
  newEnrolToken,
  parseCredential,
  sha256Hex,
} from './credentials';

describe('agent secrets', () => {
  it('makes distinct, prefixed, high-entropy tokens', () => {
    const a = newEnrolToken();
    expect(a).toMatch(/^sre_[A-Za-z0-9_-]{43}$/);
    expect(newEnrolToken()).not.toBe(a);
  });

  it('round-trips a credential to its agent id', () => {
    const agentId = randomUUID();
    const credential = newCredential(agentId);
    expect(parseCredential(credential)).toEqual({ agentId, credential });
  });

  it.each([
    '',
    'sra_',
    `sra_${randomUUID()}`,
    `sra_${randomUUID()}_short`,
    `sra_not-a-uuid-at-all-but-36-chars-xx_${'A'.repeat(43)}`,
    `sre_${randomUUID()}_${'A'.repeat(43)}`,
    `sra_${randomUUID()}_${'A'.repeat(42)}!`,
    `sra_${randomUUID().toUpperCase()}_${'A'.repeat(43)}`,
  ])('refuses the malformed credential %j', (value) => {
    expect(parseCredential(value)).toBeUndefined();
  });

  it('compares digests in full', () => {
    const a = sha256Hex('a');
    expect(hashesEqual(a, sha256Hex('a'))).toBe(true);
    expect(hashesEqual(a, sha256Hex('b'))).toBe(false);
    expect(hashesEqual(a, 'abcd')).toBe(false);
  });
});
