import { LoginLimiter } from './login-limiter';

describe('LoginLimiter', () => {
  function limiter(maxKeys?: number) {
    let now = 1_000_000;
    const l = new LoginLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now, maxKeys });
    return { l, advance: (ms: number) => (now += ms) };
  }

  it('refuses after maxFailures within the window, per user name and address', () => {
    const { l } = limiter();
    for (let i = 0; i < 3; i++) {
      expect(l.retryAfterMs('alice', '10.0.0.1')).toBe(0);
      l.recordFailure('alice', '10.0.0.1');
    }
    expect(l.retryAfterMs('alice', '10.0.0.1')).toBe(60_000);
    expect(l.retryAfterMs('ALICE', '10.0.0.1')).toBe(60_000);
    expect(l.retryAfterMs('alice', '10.0.0.2')).toBe(0);
    expect(l.retryAfterMs('bob', '10.0.0.1')).toBe(0);
  });

  it('allows attempts again once the window has passed', () => {
    const { l, advance } = limiter();
    for (let i = 0; i < 3; i++) l.recordFailure('alice', 'a');
    advance(59_000);
    expect(l.retryAfterMs('alice', 'a')).toBe(1000);
    advance(1000);
    expect(l.retryAfterMs('alice', 'a')).toBe(0);
  });

  it('forgets failures after a successful sign-in', () => {
    const { l } = limiter();
    l.recordFailure('alice', 'a');
    l.recordFailure('alice', 'a');
    l.recordSuccess('alice', 'a');
    l.recordFailure('alice', 'a');
    expect(l.retryAfterMs('alice', 'a')).toBe(0);
  });

  it('stays bounded, forgetting the oldest keys first', () => {
    const { l } = limiter(2);
    for (let i = 0; i < 3; i++) l.recordFailure('old', 'a');
    l.recordFailure('x', 'a');
    l.recordFailure('y', 'a');
    expect(l.retryAfterMs('old', 'a')).toBe(0);
  });
});
