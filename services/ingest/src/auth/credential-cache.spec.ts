import { CredentialCache } from './credential-cache';

describe('CredentialCache', () => {
  it('forgets entries after the TTL', () => {
    let now = 1000;
    const cache = new CredentialCache(5000, 10, () => now);
    cache.set('a', 'h');
    expect(cache.get('a')?.credentialHash).toBe('h');
    now += 5000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the oldest entry when full, and on delete', () => {
    const cache = new CredentialCache(5000, 2);
    cache.set('a', '1');
    cache.set('b', '2');
    cache.set('c', '3');
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    cache.delete('b');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')?.credentialHash).toBe('3');
  });

  it('caches nothing with a zero TTL', () => {
    const cache = new CredentialCache(0, 2);
    cache.set('a', '1');
    expect(cache.get('a')).toBeUndefined();
  });
});
