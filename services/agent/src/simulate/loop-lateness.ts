/**
 * The simulator's event-loop lateness, from Node's delay monitor. The monitor records the
 * whole time between two runs of its timer, so an idle loop reads the interval itself
 * (~20 ms); the interval is taken off to leave how late the loop was. The services'
 * gauges apply the same rule (loopDelaySeconds in @sessionrec/telemetry); the agent ships
 * without the libraries, so it keeps this one line of its own.
 */

/** The monitor's timer interval, in ms. */
export const LOOP_SAMPLE_MS = 20;

/** How late the loop was, in ms, from a sample the monitor recorded (in ns). */
export function loopLatenessMs(recordedNs: number, sampleMs = LOOP_SAMPLE_MS): number {
  return Math.max(0, recordedNs / 1e6 - sampleMs);
}
