import { Slots } from './slots';

describe('Slots', () => {
  it('counts acquisitions and refuses to exceed its size', () => {
    const s = new Slots(2);
    s.acquire();
    s.acquire();
    expect(s.free).toBe(0);
    expect(() => s.acquire()).toThrow('no free slot');
    s.release();
    expect(s.inUse).toBe(1);
  });

  it('wakes a waiter when a slot frees up', async () => {
    const s = new Slots(1);
    s.acquire();
    let woke = false;
    const waiting = s.whenFree().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    s.release();
    await waiting;
    expect(woke).toBe(true);
  });

  it('reports idle, or not idle when the timeout passes first', async () => {
    const s = new Slots(3);
    expect(await s.whenIdle(0)).toBe(true);
    s.acquire();
    expect(await s.whenIdle(1)).toBe(false);
    const idle = s.whenIdle(10_000);
    s.release();
    expect(await idle).toBe(true);
  });
});
