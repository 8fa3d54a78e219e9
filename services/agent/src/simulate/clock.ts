/**
 * Simulated time running `speed` times faster than the wall clock, anchored so that it
 * reaches "now" exactly when the simulation ends: timestamps are never in the future.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class SimClock {
  private readonly wallStart = Date.now();
  private readonly simStart: number;

  constructor(
    private readonly speed: number,
    durationMs: number,
  ) {
    this.simStart = this.wallStart - durationMs * (1 - 1 / speed);
  }

  now(): number {
    return this.simStart + (Date.now() - this.wallStart) * this.speed;
  }

  /** Resolves once simulated time reaches `simMs` (false if aborted first). */
  async until(simMs: number, signal: AbortSignal): Promise<boolean> {
    const waitMs = (simMs - this.now()) / this.speed;
    try {
      if (waitMs > 0) await sleep(Math.ceil(waitMs), undefined, { signal });
      else await sleep(0, undefined, { signal }); // let uploads and the control channel run
      return true;
    } catch {
      return false;
    }
  }
}
