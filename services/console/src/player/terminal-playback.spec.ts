import { describe, expect, it } from '@jest/globals';
import { TerminalPlayback, type TerminalSink, WINDOW_MS } from './terminal-playback';

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
    const playback = new TerminalPlayback(s, fakeCast(requests), 0, 300_000);
    await playback.seek(0);
    expect(state.text).toBe('0;');
    expect(state.size).toBe('80x24');
    playback.playing = true;
    playback.rate = 16;
    playback.tick(250); // 4 s of session time
    expect(state.text).toBe('0;1;2;3;4;');
    for (let i = 0; i < 10; i++) playback.tick(250);
    await new Promise((r) => setTimeout(r, 0));
    expect(requests.length).toBe(2);
    expect(requests[1]).toEqual([WINDOW_MS, 2 * WINDOW_MS]);
    for (let i = 0; i < 10; i++) playback.tick(250);
    expect(playback.time).toBe(84_000);
    expect(state.text.endsWith('83;84;')).toBe(true);
    expect(state.text.split(';').filter(Boolean)).toHaveLength(85);
  });

  it('never asks for the whole recording: a far seek replays only the lead-up', async () => {
    const requests: [number, number][] = [];
    const { s, state } = sink();
    const playback = new TerminalPlayback(s, fakeCast(requests), 0, 300_000);
    await playback.seek(200_000);
    expect(requests).toEqual([[170_000, 260_000]]);
    expect(state.text.startsWith('170;')).toBe(true);
    expect(state.text.endsWith('200;')).toBe(true);
    await playback.seek(10_000);
    expect(state.resets).toBe(2);
    expect(state.text).toBe('0;1;2;3;4;5;6;7;8;9;10;');
  });

  it('skips silences when asked', async () => {
    const { s } = sink();
    const sparse = (from: number) =>
      Promise.resolve(`[${(1000 - from) / 1000},"o","a"]\n[${(40000 - from) / 1000},"o","b"]`);
    const playback = new TerminalPlayback(s, sparse, 0, 60_000);
    await playback.seek(0);
    playback.playing = true;
    playback.skipIdle = true;
    playback.tick(2000);
    expect(playback.time).toBeGreaterThan(30_000);
  });
});
