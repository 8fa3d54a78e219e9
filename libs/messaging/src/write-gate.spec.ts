import { WriteGate } from './write-gate';

/** Lets every pending microtask run (promise reactions included). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('WriteGate', () => {
  it('lets every caller of one loop iteration through together, never before the check phase of the loop', async () => {
    const gate = new WriteGate();
    const order: string[] = [];
    const first = gate.next().then(() => order.push('first'));
    // A caller from a later callback of the same iteration joins the same turn.
    queueMicrotask(() => void gate.next().then(() => order.push('second')));
    await settle();
    // Microtasks alone never open the gate: it waits for the loop's check phase.
    expect(order).toEqual([]);
    await first;
    await Promise.resolve();
    expect(order).toEqual(['first', 'second']);
  });

  it('opens a new turn for callers after the previous one was let through', async () => {
    const gate = new WriteGate();
    const a = gate.next();
    await a;
    const b = gate.next();
    expect(b).not.toBe(a);
    await expect(b).resolves.toBeUndefined();
  });

  it('shares one promise between the callers of a turn', () => {
    const gate = new WriteGate();
    expect(gate.next()).toBe(gate.next());
  });

  it('refuses an interval that is negative or not a number', () => {
    expect(() => new WriteGate(-1)).toThrow(RangeError);
    expect(() => new WriteGate(Number.NaN)).toThrow(RangeError);
    expect(() => new WriteGate(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  describe('with a minimum interval between openings', () => {
    let clock = 0;
    const now = (): number => clock;

    beforeEach(() => {
      clock = 1_000;
      // Only the timers are fake: promises and microtasks behave as in production.
      jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'performance', 'Date'] });
    });
    afterEach(() => jest.useRealTimers());

    it('opens at the end of the turn when the last opening is older than the interval', async () => {
      const gate = new WriteGate(2, now);
      let opened = false;
      void gate.next().then(() => (opened = true));
      jest.runOnlyPendingTimers(); // the check phase (setImmediate)
      await settle();
      expect(opened).toBe(true);
    });

    it('keeps callers waiting until the interval since the last opening has passed, then lets them all through at once', async () => {
      const gate = new WriteGate(2, now);
      const first = gate.next();
      jest.runOnlyPendingTimers();
      await first;

      clock += 0.5; // half a millisecond after the first opening
      const opened: string[] = [];
      void gate.next().then(() => opened.push('a'));
      void gate.next().then(() => opened.push('b'));
      jest.advanceTimersByTime(1); // a check phase and one millisecond pass: still shut
      await settle();
      expect(opened).toEqual([]);

      clock += 1.5;
      jest.advanceTimersByTime(1); // the interval has passed: both go through together
      await settle();
      expect(opened).toEqual(['a', 'b']);
    });

    it('measures the interval from the last opening, not from the first caller', async () => {
      const gate = new WriteGate(2, now);
      const first = gate.next();
      jest.runOnlyPendingTimers();
      await first;

      clock += 5; // longer than the interval: the next caller goes through at the turn's end
      let opened = false;
      void gate.next().then(() => (opened = true));
      jest.advanceTimersByTime(0);
      jest.runOnlyPendingTimers();
      await settle();
      expect(opened).toBe(true);
    });
  });
});
