/**
 * Network quality of the user's connection under the timeline, on the same time axis:
 * round-trip time and jitter as lines, the playhead as a rule. A small SVG, no chart
 * library: two polylines do not justify one.
 */
import type { MetricSample } from '../api/types';

const WIDTH = 1000;
const HEIGHT = 60;

export function NetworkGraph({
  samples,
  startMs,
  endMs,
  timeMs,
}: {
  samples: readonly MetricSample[];
  startMs: number;
  endMs: number;
  timeMs: number;
}) {
  if (samples.length === 0) {
    return <p className="muted network-empty">No network-quality samples for this session.</p>;
  }
  const span = Math.max(1, endMs - startMs);
  const maxRtt = Math.max(1, ...samples.map((s) => s.rttMs + s.jitterMs));
  const x = (ms: number) =>
    (((Math.min(Math.max(ms, startMs), endMs) - startMs) / span) * WIDTH).toFixed(1);
  const y = (v: number) => (HEIGHT - (v / maxRtt) * (HEIGHT - 4)).toFixed(1);
  const rtt = samples.map((s) => `${x(s.offsetMs)},${y(s.rttMs)}`).join(' ');
  const jitter = samples.map((s) => `${x(s.offsetMs)},${y(s.jitterMs)}`).join(' ');
  const now = samples.reduce<MetricSample | undefined>(
    (found, s) => (s.offsetMs <= timeMs ? s : found),
    undefined,
  );
  return (
    <figure className="network">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Network quality: round-trip time up to ${Math.round(maxRtt)} ms`}
      >
        <polyline
          points={rtt}
          fill="none"
          stroke="#0b5cad"
          strokeWidth="2"
          vectorEffect="non-scaling-stroke"
        />
        <polyline
          points={jitter}
          fill="none"
          stroke="#d97706"
          strokeWidth="1"
          vectorEffect="non-scaling-stroke"
        />
        <line
          x1={x(timeMs)}
          x2={x(timeMs)}
          y1="0"
          y2={HEIGHT}
          stroke="#14213d"
          strokeWidth="1"
          vectorEffect="non-scaling-stroke"
        />
      </svg>
      <figcaption className="muted">
        <span className="legend rtt">RTT</span> <span className="legend jitter">jitter</span> (max{' '}
        {Math.round(maxRtt)} ms)
        {now && (
          <>
            {' '}
            · now: {Math.round(now.rttMs)} ms RTT, {Math.round(now.jitterMs)} ms jitter,{' '}
            {now.retransmits} retransmits, {(now.throughputBps / 1e6).toFixed(1)} Mbit/s
          </>
        )}
      </figcaption>
    </figure>
  );
}
