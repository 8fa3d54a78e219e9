import { describe, expect, it } from '@jest/globals';
import type { SessionEvent } from '../api/types';
import {
  buildTimeMap,
  focusAt,
  idlePeriods,
  nextEvent,
  previousEvent,
  skipIdleTarget,
} from './timeline-model';

function event(type: string, offsetMs: number, attributes = {}): SessionEvent {
  return { eventId: `${type}-${offsetMs}`, type, at: '', offsetMs, attributes };
}

describe('TimeMap', () => {
  const map = buildTimeMap([
    { seq: 1, startMs: 1000, endMs: 7000 },
    { seq: 2, startMs: 7000, endMs: 13000 },
    // 7 s gap (recording paused), then one more segment
    { seq: 4, startMs: 20000, endMs: 26000 },
  ]);

  it('maps session time to media position across a gap', () => {
    expect(map.toPosition(1000)).toBe(0);
    expect(map.toPosition(4000)).toBe(3);
    expect(map.toPosition(13000)).toBe(12);
    expect(map.toPosition(16000)).toBe(12);
    expect(map.toPosition(21000)).toBe(13);
    expect(map.toPosition(99000)).toBe(18);
    expect(map.toPosition(0)).toBe(0);
  });

  it('maps media position back to session time', () => {
    expect(map.toSession(0)).toBe(1000);
    expect(map.toSession(3)).toBe(4000);
    expect(map.toSession(13)).toBe(21000);
    expect(map.toSession(500)).toBe(26000);
    expect(map.startMs).toBe(1000);
    expect(map.endMs).toBe(26000);
  });

  it('is empty without segments', () => {
    const empty = buildTimeMap([]);
    expect(empty.toPosition(5000)).toBe(0);
    expect(empty.toSession(5)).toBe(0);
  });
});

describe('event navigation', () => {
  const events = [
    event('app.start', 1000),
    event('usb.insert', 5000),
    event('file.transfer', 9000),
  ];

  it('finds the next event after the current time', () => {
    expect(nextEvent(events, 0)?.offsetMs).toBe(1000);
    expect(nextEvent(events, 5000)?.offsetMs).toBe(9000);
    expect(nextEvent(events, 9000)).toBeUndefined();
  });

  it('steps back past an event just reached', () => {
    expect(previousEvent(events, 5100)?.offsetMs).toBe(1000);
    expect(previousEvent(events, 7000)?.offsetMs).toBe(5000);
    expect(previousEvent(events, 1500)).toBeUndefined();
  });
});

describe('focus and idle', () => {
  const events = [
    event('app.focus', 1000, { app: 'Firefox', windowTitle: 'Inbox' }),
    event('idle.start', 3000),
    event('idle.end', 8000),
    event('app.focus', 9000, { app: 'Calc', windowTitle: 'Q3.xlsx' }),
    event('idle.start', 12000),
  ];

  it('gives the focused application and title at each moment', () => {
    expect(focusAt(events, 500)).toBeUndefined();
    expect(focusAt(events, 1000)).toEqual({ app: 'Firefox', windowTitle: 'Inbox' });
    expect(focusAt(events, 8999)?.app).toBe('Firefox');
    expect(focusAt(events, 9500)).toEqual({ app: 'Calc', windowTitle: 'Q3.xlsx' });
  });

  it('pairs idle periods, an open one running to the end', () => {
    const periods = idlePeriods(events, 20000);
    expect(periods).toEqual([
      { startMs: 3000, endMs: 8000 },
      { startMs: 12000, endMs: 20000 },
    ]);
    expect(skipIdleTarget(periods, 4000)).toBe(8000);
    expect(skipIdleTarget(periods, 8500)).toBeUndefined();
    expect(skipIdleTarget(periods, 7900)).toBeUndefined();
  });
});
