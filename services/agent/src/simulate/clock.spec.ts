import { getEventListeners } from 'node:events';
import { SimClock } from './clock';

describe('SimClock.until', () => {
  it('resolves true once simulated time reaches the mark (10x speed: 500 sim ms in ~50 ms)', async () => {
    const clock = new SimClock(10, 60_000);
    const mark = clock.now() + 500;
    await expect(clock.until(mark, new AbortController().signal)).resolves.toBe(true);
    expect(clock.now()).toBeGreaterThanOrEqual(mark);
  });

  it('resolves true for a mark already passed', async () => {
    const clock = new SimClock(1, 1_000);
    await expect(clock.until(clock.now() - 1_000, new AbortController().signal)).resolves.toBe(
      true,
    );
  });

  it('resolves every wait false when the signal aborts, and false at once if aborted before', async () => {
    const clock = new SimClock(1, 3_600_000);
    const abort = new AbortController();
    const waits = Array.from({ length: 3 }, () =>
      clock.until(clock.now() + 3_600_000, abort.signal),
    );
    abort.abort();
    await expect(Promise.all(waits)).resolves.toEqual([false, false, false]);
    await expect(clock.until(clock.now() + 3_600_000, abort.signal)).resolves.toBe(false);
  });

  it('registers one abort listener per signal however many sessions wait on it', async () => {
    const clock = new SimClock(1, 3_600_000);
    const abort = new AbortController();
    const waits = Array.from({ length: 1000 }, () =>
      clock.until(clock.now() + 3_600_000, abort.signal),
    );
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    abort.abort();
    await Promise.all(waits);
  });

  it('lets a finished wait go: a later abort does not reach it', async () => {
    const clock = new SimClock(100, 60_000);
    const abort = new AbortController();
    await expect(clock.until(clock.now() + 100, abort.signal)).resolves.toBe(true);
    const pending = clock.until(clock.now() + 3_600_000, abort.signal);
    abort.abort();
    await expect(pending).resolves.toBe(false);
  });
});
