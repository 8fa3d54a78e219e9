import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loopDelaySeconds } from './process-metrics';

describe('loopDelaySeconds', () => {
  it('reports what exceeds the sampling interval, in seconds', () => {
    expect(loopDelaySeconds(20_000_000)).toBe(0);
    expect(loopDelaySeconds(25_000_000)).toBeCloseTo(0.005, 9);
    expect(loopDelaySeconds(120_000_000, 20)).toBeCloseTo(0.1, 9);
    expect(loopDelaySeconds(12_000_000, 10)).toBeCloseTo(0.002, 9);
  });

  it('never reports a negative delay (a timer can run a little early)', () => {
    expect(loopDelaySeconds(19_900_000)).toBe(0);
  });

  // The fact the subtraction rests on: if Node ever records the lateness alone, this fails.
  it("sees Node's monitor record the whole interval for a loop that is never blocked", async () => {
    const monitor = monitorEventLoopDelay({ resolution: 20 });
    monitor.enable();
    await new Promise((resolve) => setTimeout(resolve, 250));
    monitor.disable();
    // Every sample is about the interval itself, which is why it is taken off. A timer can
    // fire a little early (18.8 ms was seen under load), so the bound is half the interval:
    // a monitor that recorded the lateness alone would give about 0 here.
    expect(monitor.count).toBeGreaterThan(0);
    expect(monitor.min / 1e6).toBeGreaterThanOrEqual(10);
  });
});
