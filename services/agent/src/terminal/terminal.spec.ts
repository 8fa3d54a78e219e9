import { parseAsciicast } from '../media/asciicast';
import { castHeaderOf, castSizeAfter, rebaseCast } from './cast-rebase';
import { CastRecorder } from './cast-recorder';
import { ECHO, ICANON, inputVisible, lflagFromSttyG } from './echo';

describe('which keystrokes may be recorded', () => {
  it('records with echo on or in raw mode, never at a password prompt or when unknown', () => {
    expect(inputVisible(ECHO | ICANON)).toBe(true); // a cooked terminal that echoes
    expect(inputVisible(0)).toBe(true); // readline, editors: they echo themselves
    expect(inputVisible(ICANON)).toBe(false); // sudo, passwd, read -s
    expect(inputVisible(null)).toBe(false);
    expect(inputVisible(-1)).toBe(false);
  });

  it('reads c_lflag from stty -g', () => {
    expect(lflagFromSttyG('500:5:bf:8a3b:3:1c:7f:15:4:0:1:0:11:13:1a:0:12:f:17:16:0:0:0')).toBe(
      0x8a3b,
    );
    expect(lflagFromSttyG('stty: /dev/pts/9: No such file')).toBeNull();
  });
});

describe('asciicast segments of a terminal recording', () => {
  const recorder = () =>
    new CastRecorder({
      recordingId: '6f1c1a8e-6a8b-4b7e-9d6f-1c2a3b4c5d6e',
      startMs: 1000,
      startedAt: new Date('2026-11-25T08:00:00Z'),
      width: 80,
      height: 24,
      inputCapture: true,
    });

  it('opens with the header, merges an output burst, keeps input and resizes in order', () => {
    const cast = recorder();
    cast.output('$ ', 1000);
    cast.input('\t', 1190);
    cast.output('l', 1200);
    cast.output('s\r\n', 1202);
    cast.resize(100, 30, 1500);
    const segment = cast.cut(2000)!;
    expect(segment).toMatchObject({ startMs: 1000, endMs: 2000 });
    const { header, lines } = parseAsciicast(segment.text);
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, timestamp: 1795593600 });
    expect(lines).toEqual([
      [0, 'o', '$ '],
      [0.19, 'i', '\t'],
      [0.2, 'o', 'ls\r\n'],
      [0.5, 'r', '100x30'],
    ]);
  });

  it('stores a key echoed as typed once (as its echo), and every other key as input', () => {
    const cast = recorder();
    cast.output('$ ', 1000);
    cast.input('l', 1100);
    cast.output('l', 1101); // the echo: one line, not two
    cast.input('s', 1200);
    cast.output('s', 1210);
    cast.input('\r', 1300); // Enter always has its line
    cast.output('\r\nfile\r\n$ ', 1302);
    cast.input('v', 1400); // an editor draws something else for it
    cast.output('\u001b[2J', 1405);
    cast.input('x', 1500); // no echo (yet) when the segment is cut
    const { lines } = parseAsciicast(cast.cut(2000)!.text);
    expect(lines).toEqual([
      [0, 'o', '$ '],
      [0.101, 'o', 'l'],
      [0.21, 'o', 's'],
      [0.3, 'i', '\r'],
      [0.302, 'o', '\r\nfile\r\n$ '],
      [0.4, 'i', 'v'],
      [0.405, 'o', '\u001b[2J'],
      [0.5, 'i', 'x'],
    ]);
    // What replays (the output) is exactly what the terminal showed.
    expect(
      lines
        .filter((l) => l[1] === 'o')
        .map((l) => l[2])
        .join(''),
    ).toBe('$ ls\r\nfile\r\n$ \u001b[2J');
  });

  it('keeps a typed key that a resize or another key follows before its echo, in time order', () => {
    const cast = recorder();
    cast.input('a', 1100);
    cast.input('b', 1110);
    cast.resize(90, 20, 1120);
    cast.output('ab', 1130);
    const { lines } = parseAsciicast(cast.cut(2000)!.text);
    expect(lines).toEqual([
      [0.1, 'i', 'a'],
      [0.11, 'i', 'b'],
      [0.12, 'r', '90x20'],
      [0.13, 'o', 'ab'],
    ]);
  });

  it('costs nothing for an idle window and goes on from where the last segment ended', () => {
    const cast = recorder();
    cast.output('x', 1100);
    expect(cast.cut(3000)).not.toBeNull();
    expect(cast.cut(5000)).toBeNull();
    cast.output('y', 6000);
    const next = cast.cut(7000)!;
    expect(next.startMs).toBe(5000);
    expect(next.text).toBe('[5,"o","y"]\n');
  });

  it('records no keystrokes when policy does not capture input', () => {
    const cast = new CastRecorder({
      recordingId: '6f1c1a8e-6a8b-4b7e-9d6f-1c2a3b4c5d6e',
      startMs: 0,
      startedAt: new Date(),
      width: 80,
      height: 24,
      inputCapture: false,
    });
    cast.input('secret', 10);
    expect(cast.cut(100)!.text).not.toContain('secret');
  });
});

describe('a pre-event recording moved to its own clock', () => {
  const header = JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 0, env: {} });

  it('moves every line earlier, never below zero, and opens with the given header', () => {
    const segment = '[60.5,"o","before"]\n[61.25,"r","100x30"]\n[62,"i","\\r"]\n';
    const moved = rebaseCast(segment, 60_000, header);
    const { header: opened, lines } = parseAsciicast(moved);
    expect(opened).toMatchObject({ width: 80, height: 24 });
    expect(lines).toEqual([
      [0.5, 'o', 'before'],
      [1.25, 'r', '100x30'],
      [2, 'i', '\r'],
    ]);
    expect(rebaseCast('[1,"o","x"]\n', 5000)).toBe('[0,"o","x"]\n');
  });

  it('keeps the cast header when nothing before it was cut, and tracks the terminal size', () => {
    const first = `${header}\n[0.1,"o","$ "]\n`;
    expect(rebaseCast(first, 0)).toBe(first);
    expect(castHeaderOf(first)).toMatchObject({ version: 2, width: 80 });
    expect(castHeaderOf('[0.1,"o","$ "]\n')).toBeUndefined();
    expect(castSizeAfter(first, undefined)).toEqual({ width: 80, height: 24 });
    expect(castSizeAfter('[3,"r","132x40"]\n[4,"o","x"]\n', { width: 80, height: 24 })).toEqual({
      width: 132,
      height: 40,
    });
  });
});
