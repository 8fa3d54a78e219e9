import { Terminal } from '@xterm/headless';
import { TerminalReplay } from './terminal-state';

const SIZE = { width: 30, height: 8 };

function cast(lines: [number, string][]): string {
  return lines.map(([t, data]) => JSON.stringify([t, 'o', data])).join('\n');
}

async function screen(...writes: string[]) {
  const term = new Terminal({ cols: SIZE.width, rows: SIZE.height, allowProposedApi: true });
  for (const data of writes) await new Promise<void>((resolve) => term.write(data, resolve));
  const b = term.buffer.active;
  const rows = Array.from({ length: term.rows }, (_, y) =>
    b.getLine(b.viewportY + y)?.translateToString(true),
  );
  const result = { rows, cursor: [b.cursorX, b.cursorY], type: b.type };
  term.dispose();
  return result;
}

describe('TerminalReplay', () => {
  // A pager: a status line at the bottom, a scroll region above it, the cursor hidden.
  const before: [number, string][] = [
    [0.1, '\x1b[?1049h\x1b[2J\x1b[8;1H-- status --\x1b[1;7r\x1b[?25l\x1b[1;1H'],
    [0.2, 'line 1\r\nline 2\r\nline 3\r\n'],
  ];
  const after: [number, string][] = [
    [2.0, 'line 4\r\nline 5\r\nline 6\r\nline 7\r\nline 8\r\nline 9\r\n'],
  ];

  it('redraws a screen that keeps scrolling inside its region exactly like replaying everything', async () => {
    const replay = new TerminalReplay(SIZE, 0, 1000);
    await replay.feed(cast([...before, ...after]));
    const state = await replay.snapshot();
    replay.dispose();
    const rest = after.map(([, d]) => d);
    const seeked = await screen(state.data, ...rest);
    const everything = await screen(...[...before, ...after].map(([, d]) => d));
    expect(seeked).toEqual(everything);
    // The status line stayed put: the region was carried over.
    expect(everything.rows[7]).toBe('-- status --');
    expect(state.data).toContain('\x1b[?25l');
  });

  it('continues from a restored checkpoint exactly as from the start', async () => {
    const first = new TerminalReplay(SIZE, 0, 1000);
    await first.feed(cast(before));
    const checkpoint = await first.snapshot();
    first.dispose();
    const resumed = new TerminalReplay({ width: 80, height: 24 }, 0, 3000);
    await resumed.restore(checkpoint, 200);
    await resumed.feed(cast(after));
    const fromCheckpoint = await resumed.snapshot();
    resumed.dispose();
    const whole = new TerminalReplay(SIZE, 0, 3000);
    await whole.feed(cast([...before, ...after]));
    const fromStart = await whole.snapshot();
    whole.dispose();
    expect(await screen(fromCheckpoint.data)).toEqual(await screen(fromStart.data));
    expect([fromCheckpoint.width, fromCheckpoint.height]).toEqual([30, 8]);
  });

  it('refuses lines that are not asciicast events', async () => {
    const replay = new TerminalReplay(SIZE, 0, 1000);
    await expect(replay.feed('[0.1, "o"')).rejects.toThrow(/not valid JSON/);
    await expect(replay.feed('{"version":2}\n["x", "o", "a"]')).rejects.toThrow(
      /\[time, code, data\]/,
    );
    replay.dispose();
  });
});
