import { MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelay } from './backoff';

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
  });

  it('caps an absurd wait', () => {
    expect(parseRetryAfter('999999')).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('retryDelay', () => {
  const policy = { baseMs: 100, maxMs: 1000 };

  it('uses Retry-After when the server sent one', () => {
    expect(retryDelay(1, 7000, policy, () => 0.5)).toBe(7000);
    expect(retryDelay(9, 0, policy, () => 0.5)).toBe(0);
  });

  it('doubles per attempt up to the ceiling, with jitter in the upper half', () => {
    expect(retryDelay(1, undefined, policy, () => 0)).toBe(50);
    expect(retryDelay(1, undefined, policy, () => 0.999)).toBe(100);
    expect(retryDelay(2, undefined, policy, () => 0.999)).toBe(200);
    expect(retryDelay(3, undefined, policy, () => 0)).toBe(200);
    expect(retryDelay(10, undefined, policy, () => 0.999)).toBe(1000);
    expect(retryDelay(50, undefined, policy, () => 0)).toBe(500);
  });
});
