/**
 * Simulated time running `speed` times faster than the wall clock, anchored so that it
 * reaches "now" exactly when the simulation ends: timestamps are never in the future.
 */
export class SimClock {
  private readonly wallStart = Date.now();
  private readonly simStart: number;
  /**
   * Waits in progress, per signal. Every session of a simulation waits on the same
   * signal, thousands at a time: one 'abort' listener per signal wakes them all, where
   * one listener per wait made each wait cost a walk over all the others (Node's
   * EventTarget checks a new listener against every registered one).
   */
  private readonly waits = new WeakMap<AbortSignal, Set<() => void>>();

  constructor(
    private readonly speed: number,
    durationMs: number,
  ) {
    this.simStart = this.wallStart - durationMs * (1 - 1 / speed);
  }

  now(): number {
    return this.simStart + (Date.now() - this.wallStart) * this.speed;
  }

  /**
   * Resolves true once simulated time reaches `simMs`, false if the signal aborts first.
   * A time already passed still waits one timer turn, so uploads and the control channel
   * run between a session's steps.
   */
  until(simMs: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    const waits = this.waitsOn(signal);
    const waitMs = Math.max(0, Math.ceil((simMs - this.now()) / this.speed));
    return new Promise<boolean>((resolve) => {
      const abort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        waits.delete(abort);
        resolve(true);
      }, waitMs);
      waits.add(abort);
    });
  }

  private waitsOn(signal: AbortSignal): Set<() => void> {
    let waits = this.waits.get(signal);
    if (!waits) {
      const registered = new Set<() => void>();
      signal.addEventListener(
        'abort',
        () => {
          for (const abort of registered) abort();
          registered.clear();
        },
        { once: true },
      );
      this.waits.set(signal, registered);
      waits = registered;
    }
    return waits;
  }
}
