/**
 * The timeline under the player: the playhead as a keyboard-operable slider, one marker
 * per event (coloured by category, each a button that jumps there), idle periods shaded,
 * and a clip selection made by dragging across the track (or with the share form's
 * "from/to = now" buttons). A click without dragging seeks.
 */
import { type KeyboardEvent, type PointerEvent, useRef, useState } from 'react';
import type { SessionEvent } from '../api/types';
import { formatOffset } from '../search/search-query';
import { eventCategory, type Period } from './timeline-model';

export interface Selection {
  fromMs: number;
  toMs: number;
}

export interface TimelineProps {
  startMs: number;
  endMs: number;
  timeMs: number;
  events: readonly SessionEvent[];
  idle: readonly Period[];
  selection: Selection | undefined;
  onSeek: (ms: number) => void;
  onSelect: (selection: Selection | undefined) => void;
}

const DRAG_THRESHOLD_PX = 4;

export function Timeline(props: TimelineProps) {
  const { startMs, endMs, timeMs, events, idle, selection, onSeek, onSelect } = props;
  const track = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ x: number; ms: number; moved: boolean } | undefined>();
  const span = Math.max(1, endMs - startMs);
  const pct = (ms: number) =>
    `${(((Math.min(Math.max(ms, startMs), endMs) - startMs) / span) * 100).toFixed(3)}%`;

  function msAt(clientX: number): number {
    const rect = track.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return startMs;
    const ratio = Math.min(1, Math.max(0, (clientX - rect.left) / rect.width));
    return Math.round(startMs + ratio * span);
  }

  function down(e: PointerEvent<HTMLDivElement>) {
    if (e.button !== 0) return;
    (e.target as Element).setPointerCapture?.(e.pointerId);
    setDrag({ x: e.clientX, ms: msAt(e.clientX), moved: false });
  }

  function move(e: PointerEvent<HTMLDivElement>) {
    if (!drag) return;
    if (!drag.moved && Math.abs(e.clientX - drag.x) < DRAG_THRESHOLD_PX) return;
    const ms = msAt(e.clientX);
    setDrag({ ...drag, moved: true });
    onSelect({ fromMs: Math.min(drag.ms, ms), toMs: Math.max(drag.ms, ms) });
  }

  function up(e: PointerEvent<HTMLDivElement>) {
    if (drag && !drag.moved) onSeek(msAt(e.clientX));
    setDrag(undefined);
  }

  function key(e: KeyboardEvent<HTMLDivElement>) {
    const step = e.shiftKey ? 30_000 : 5_000;
    const moves: Record<string, number> = {
      ArrowLeft: timeMs - step,
      ArrowRight: timeMs + step,
      Home: startMs,
      End: endMs,
    };
    const target = moves[e.key];
    if (target === undefined) return;
    e.preventDefault();
    onSeek(Math.min(Math.max(target, startMs), endMs));
  }

  return (
    <div className="timeline">
      <div
        ref={track}
        className="track"
        role="slider"
        tabIndex={0}
        aria-label="Playback position (drag to select a clip)"
        aria-valuemin={startMs}
        aria-valuemax={endMs}
        aria-valuenow={Math.round(timeMs)}
        aria-valuetext={formatOffset(timeMs)}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onKeyDown={key}
        data-testid="timeline-track"
      >
        {idle.map((p) => (
          <div
            key={`idle-${p.startMs}`}
            className="idle"
            style={{ left: pct(p.startMs), width: `calc(${pct(p.endMs)} - ${pct(p.startMs)})` }}
            title="idle"
          />
        ))}
        {selection && (
          <div
            className="selection"
            data-testid="timeline-selection"
            style={{
              left: pct(selection.fromMs),
              width: `calc(${pct(selection.toMs)} - ${pct(selection.fromMs)})`,
            }}
          />
        )}
        <div className="playhead" style={{ left: pct(timeMs) }} />
      </div>
      <div className="markers" aria-label="Events">
        {events.map((e) => (
          <button
            key={e.eventId}
            type="button"
            className={`marker cat-${eventCategory(e.type)}`}
            style={{ left: pct(e.offsetMs) }}
            title={`${e.type} at ${formatOffset(e.offsetMs)}`}
            aria-label={`${e.type} at ${formatOffset(e.offsetMs)}`}
            data-offset={e.offsetMs}
            data-type={e.type}
            onClick={() => onSeek(e.offsetMs)}
          />
        ))}
      </div>
      <div className="scale muted">
        <span>{formatOffset(startMs)}</span>
        <span>{formatOffset(endMs)}</span>
      </div>
    </div>
  );
}
