import { parseAsciicast } from '../media/asciicast';
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
    cast.input('l', 1190);
    cast.output('l', 1200);
    cast.output('s\r\n', 1202);
    cast.resize(100, 30, 1500);
    const segment = cast.cut(2000)!;
    expect(segment).toMatchObject({ startMs: 1000, endMs: 2000 });
    const { header, lines } = parseAsciicast(segment.text);
    expect(header).toMatchObject({ version: 2, width: 80, height: 24, timestamp: 1795593600 });
    expect(lines).toEqual([
      [0, 'o', '$ '],
      [0.19, 'i', 'l'],
      [0.2, 'o', 'ls\r\n'],
      [0.5, 'r', '100x30'],
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
