import { InflightLimiter } from './inflight-limiter';

describe('InflightLimiter', () => {
  it('refuses beyond the limit and frees a slot once per release', () => {
    const limiter = new InflightLimiter(2);
    const a = limiter.tryAcquire();
    const b = limiter.tryAcquire();
    expect(a && b).toBeDefined();
    expect(limiter.tryAcquire()).toBeUndefined();
    a?.();
    a?.();
    expect(limiter.inflight).toBe(1);
    expect(limiter.tryAcquire()).toBeDefined();
    expect(limiter.tryAcquire()).toBeUndefined();
  });
});
