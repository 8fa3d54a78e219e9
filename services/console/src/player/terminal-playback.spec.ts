import { describe, expect, it } from '@jest/globals';
import {
  FIRST_WINDOW_MS,
  type StateFetcher,
  TerminalPlayback,
  type TerminalSink,
  WINDOW_MS,
} from './terminal-playback';

/** A recording with one output line per second from 0 to 300 s, served in windows. */
function fakeCast(requests: [number, number][]) {
  return (fromMs: number, toMs: number): Promise<string> => {
    requests.push([fromMs, toMs]);
    const lines = ['{"version":2,"width":80,"height":24}'];
    for (let s = 0; s <= 300; s++) {
      const at = s * 1000;
      if (at >= fromMs && at <= toMs)
        lines.push(JSON.stringify([(at - fromMs) / 1000, 'o', `${s};`]));
    }
    return Promise.resolve(lines.join('\n'));
  };
}

/** The api's screen at a moment, here: every line before it, as one redraw. */
function fakeState(asked: number[]): StateFetcher {
  return (atMs) => {
    asked.push(atMs);
    let data = '[screen]';
    for (let s = 0; s * 1000 < atMs && s <= 300; s++) data += `${s};`;
    return Promise.resolve({ atMs, width: 100, height: 30, data });
  };
}

function sink() {
  const state = { text: '', resets: 0, size: '' };
  const s: TerminalSink = {
    write: (d) => (state.text += d),
    reset: () => {
      state.resets++;
      state.text = '';
    },
    resize: (h) => (state.size = `${h.width}x${h.height}`),
  };
  return { s, state };
}

describe('TerminalPlayback', () => {
  it('writes output as the clock passes it, and loads the next window ahead', async () => {
    const requests: [number, number][] = [];
    const { s, state } = sink();
    const playback = new TerminalPlayback(s, fakeCast(requests), fakeState([]), 0, 300_000);
    await playback.seek(0);
    // The first screen waits only for a short first window; the rest of the minute follows.
    expect(requests).toEqual([[0, FIRST_WINDOW_MS]]);
    expect(state.text).toBe('0;');
    expect(state.size).toBe('80x24');
    playback.playing = true;
    playback.rate = 16;
    playback.tick(250); // 4 s of session time
    expect(state.text).toBe('0;1;2;3;4;');
    await new Promise((r) => setTimeout(r, 0));
    expect(requests[1]).toEqual([FIRST_WINDOW_MS, FIRST_WINDOW_MS + WINDOW_MS]);
    for (let i = 0; i < 10; i++) playback.tick(250);
    await new Promise((r) => setTimeout(r, 0));
    // Half a window before the end of what is loaded, the next minute is asked for.
    expect(requests.length).toBe(3);
    expect(requests[2]).toEqual([FIRST_WINDOW_MS + WINDOW_MS, FIRST_WINDOW_MS + 2 * WINDOW_MS]);
    for (let i = 0; i < 10; i++) playback.tick(250);
    expect(playback.time).toBe(84_000);
    expect(state.text.endsWith('83;84;')).toBe(true);
    expect(state.text.split(';').filter(Boolean)).toHaveLength(85);
  });

  it('never asks for the whole recording: a far seek gets the screen there and the window after it', async () => {
    const requests: [number, number][] = [];
    const states: number[] = [];
    const { s, state } = sink();
    const playback = new TerminalPlayback(s, fakeCast(requests), fakeState(states), 0, 300_000);
    await playback.seek(200_000);
    expect(requests).toEqual([[200_000, 200_000 + FIRST_WINDOW_MS]]);
    expect(states).toEqual([200_000]);
    // The screen as it was before 200 s (however long ago it was drawn), then 200 s itself.
    expect(state.size).toBe('100x30');
    expect(state.text.startsWith('[screen]0;1;2;')).toBe(true);
    expect(state.text.endsWith('198;199;200;')).toBe(true);
    expect(state.text.split(';').filter(Boolean)).toHaveLength(201);
    await playback.seek(10_000);
    expect(state.resets).toBe(2);
    expect(state.text).toBe('[screen]0;1;2;3;4;5;6;7;8;9;10;');
    expect(requests[1]).toEqual([10_000, 10_000 + FIRST_WINDOW_MS]);
    // Forward inside what is loaded: no request, only the lines in between.
    await playback.seek(15_000);
    expect(requests).toHaveLength(2);
    expect(state.text.endsWith('10;11;12;13;14;15;')).toBe(true);
    // Back to the start: nothing to redraw, so no state is asked for.
    await playback.seek(0);
    expect(states).toEqual([200_000, 10_000]);
    expect(state.text).toBe('0;');
  });

  it('a slower, older seek does not overwrite a newer one', async () => {
    const { s, state } = sink();
    let release: () => void = () => undefined;
    const slowState: StateFetcher = (atMs) =>
      new Promise((resolve) => {
        const answer = { atMs, width: 80, height: 24, data: `[at ${atMs}]` };
        if (atMs === 100_000) release = () => resolve(answer);
        else resolve(answer);
      });
    const playback = new TerminalPlayback(s, fakeCast([]), slowState, 0, 300_000);
    const first = playback.seek(100_000);
    await playback.seek(250_000);
    release();
    await first;
    expect(state.text.startsWith('[at 250000]250;')).toBe(true);
    expect(state.text).not.toContain('[at 100000]');
    expect(playback.time).toBe(250_000);
  });

  it('skips silences when asked', async () => {
    const { s } = sink();
    const sparse = (from: number) =>
      Promise.resolve(`[${(1000 - from) / 1000},"o","a"]\n[${(40000 - from) / 1000},"o","b"]`);
    const playback = new TerminalPlayback(s, sparse, fakeState([]), 0, 60_000);
    await playback.seek(0);
    playback.playing = true;
    playback.skipIdle = true;
    playback.tick(2000);
    expect(playback.time).toBeGreaterThan(30_000);
  });
});
