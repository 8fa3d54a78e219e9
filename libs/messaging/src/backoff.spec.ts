import { backoffDelay, DEFAULT_BACKOFF_MS } from './backoff';

describe('backoffDelay', () => {
  it('doubles from one second and caps at one minute by default', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, DEFAULT_BACKOFF_MS));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it('follows a configured schedule and keeps its last entry', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, [20, 40, 80]))).toEqual([20, 40, 80, 80]);
  });

  it('treats odd delivery counts and empty schedules safely', () => {
    expect(backoffDelay(0, [5, 10])).toBe(5);
    expect(backoffDelay(-3, [5, 10])).toBe(5);
    expect(backoffDelay(2.7, [5, 10])).toBe(10);
    expect(backoffDelay(3, [])).toBe(0);
  });
});
