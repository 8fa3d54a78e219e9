/**
 * The player's clock, in session-relative milliseconds (the `offsetMs` events, search
 * matches and shares use). Screen recordings play as one HLS timeline where segments sit
 * back to back, so a gap in the recording (a paused recording, lost segments) makes the
 * video position and the session time differ: TimeMap converts between the two.
 */
import type { Attributes, SessionEvent } from '../api/types';

export interface SegmentSpan {
  readonly seq: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface TimeMap {
  readonly startMs: number;
  readonly endMs: number;
  /** Seconds into the played media for a session time (clamped to the segments). */
  toPosition(sessionMs: number): number;
  /** Session time for a position in the played media, in seconds. */
  toSession(positionSec: number): number;
}

export function buildTimeMap(segments: readonly SegmentSpan[]): TimeMap {
  const spans: { startMs: number; endMs: number; positionMs: number }[] = [];
  let position = 0;
  for (const s of segments) {
    spans.push({ startMs: s.startMs, endMs: s.endMs, positionMs: position });
    position += Math.max(0, s.endMs - s.startMs);
  }
  const first = spans[0];
  const last = spans[spans.length - 1];
  return {
    startMs: first?.startMs ?? 0,
    endMs: last?.endMs ?? 0,
    toPosition(sessionMs) {
      if (!first || !last) return 0;
      if (sessionMs <= first.startMs) return 0;
      for (const span of spans) {
        // Inside a segment, or in the gap before it: the gap plays as the segment's start.
        if (sessionMs < span.startMs) return span.positionMs / 1000;
        if (sessionMs <= span.endMs) return (span.positionMs + sessionMs - span.startMs) / 1000;
      }
      return (last.positionMs + last.endMs - last.startMs) / 1000;
    },
    toSession(positionSec) {
      if (!first || !last) return 0;
      const ms = positionSec * 1000;
      for (const span of spans) {
        const length = span.endMs - span.startMs;
        if (ms <= span.positionMs + length) {
          return span.startMs + Math.max(0, ms - span.positionMs);
        }
      }
      return last.endMs;
    },
  };
}

/** The first event strictly after `atMs` (with a small margin so repeated presses advance). */
export function nextEvent(
  events: readonly SessionEvent[],
  atMs: number,
  marginMs = 250,
): SessionEvent | undefined {
  return events.find((e) => e.offsetMs > atMs + marginMs);
}

/** The last event before `atMs`, ignoring one just passed so "previous" can step back. */
export function previousEvent(
  events: readonly SessionEvent[],
  atMs: number,
  marginMs = 1000,
): SessionEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e && e.offsetMs < atMs - marginMs) return e;
  }
  return undefined;
}

export interface Focus {
  app: string;
  windowTitle: string;
}

function text(attributes: Attributes, key: string): string {
  const value = attributes[key];
  return typeof value === 'string' ? value : '';
}

/** The focused application and window title at `atMs`: the last app.focus before it. */
export function focusAt(events: readonly SessionEvent[], atMs: number): Focus | undefined {
  let found: SessionEvent | undefined;
  for (const e of events) {
    if (e.offsetMs > atMs) break;
    if (e.type === 'app.focus') found = e;
  }
  return found
    ? { app: text(found.attributes, 'app'), windowTitle: text(found.attributes, 'windowTitle') }
    : undefined;
}

export interface Period {
  startMs: number;
  endMs: number;
}

/**
 * Idle periods reported by the host (idle.start to the next idle.end, or to `endMs` while
 * still idle); skip-idle jumps over them.
 */
export function idlePeriods(events: readonly SessionEvent[], endMs: number): Period[] {
  const periods: Period[] = [];
  let start: number | undefined;
  for (const e of events) {
    if (e.type === 'idle.start' && start === undefined) start = e.offsetMs;
    else if (e.type === 'idle.end' && start !== undefined) {
      if (e.offsetMs > start) periods.push({ startMs: start, endMs: e.offsetMs });
      start = undefined;
    }
  }
  if (start !== undefined && endMs > start) periods.push({ startMs: start, endMs });
  return periods;
}

/** Where playback continues when skipping idle: the end of the idle period `atMs` is in. */
export function skipIdleTarget(periods: readonly Period[], atMs: number): number | undefined {
  const period = periods.find((p) => atMs >= p.startMs && atMs < p.endMs - 500);
  return period?.endMs;
}

/** Marker colour groups: the first part of the event type (usb, file, app, ...). */
export function eventCategory(type: string): string {
  return type.split('.')[0] ?? type;
}

export const PLAYBACK_RATES = [0.5, 1, 2, 4, 8, 16] as const;
