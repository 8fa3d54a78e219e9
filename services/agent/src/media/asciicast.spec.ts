import { Random } from '../random';
import { castSegment, generateShellSession, parseAsciicast } from './asciicast';

const session = (seed: number, durationMs = 120_000) =>
  generateShellSession({
    user: 'bob',
    host: 'srv-web-01',
    durationMs,
    startedAt: new Date('2025-03-03T09:00:00Z'),
    random: new Random(seed),
  });

describe('generateShellSession', () => {
  it('is a valid asciicast v2 recording with strictly increasing times', () => {
    const timeline = session(7);
    const text = [timeline.header, ...timeline.lines]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const { header, lines } = parseAsciicast(text);
    expect(header).toMatchObject({ version: 2, width: 120, height: 32, timestamp: 1740992400 });
    expect(lines.length).toBeGreaterThan(50);
    for (let i = 1; i < lines.length; i += 1)
      expect(lines[i]![0]).toBeGreaterThan(lines[i - 1]![0]);
    expect(lines.every(([, code]) => code === 'o')).toBe(true);
    expect(lines.map(([, , data]) => data).join('')).toMatch(/bob@srv-web-01.*\$ /);
  });

  it('reports the commands it types as events, in time order', () => {
    const timeline = session(11, 300_000);
    const commands = timeline.events.filter((event) => event.type === 'command.start');
    expect(timeline.events[0]).toMatchObject({ atMs: 0, type: 'shell.start' });
    expect(commands.length).toBeGreaterThan(5);
    const output = timeline.lines.map(([, , data]) => data).join('');
    for (const command of commands)
      expect(output).toContain(`${String(command.attributes.commandLine)}\r\n`);
    const times = timeline.events.map((event) => event.atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('is repeatable for one seed and differs between seeds', () => {
    expect(session(3)).toEqual(session(3));
    expect(session(3).lines).not.toEqual(session(4).lines);
  });
});

describe('castSegment', () => {
  it('cuts a recording into windows that concatenate back to the whole cast', () => {
    const timeline = session(5, 60_000);
    const segments = [];
    for (let start = 0; start < 60_000; start += 6000) {
      const segment = castSegment(timeline, {
        startMs: start,
        endMs: start + 6000,
        first: start === 0,
      });
      if (segment) segments.push(segment);
    }
    const whole = Buffer.concat(segments.map((segment) => segment.bytes)).toString('utf8');
    const parsed = parseAsciicast(whole);
    expect(parsed.lines.filter(([time]) => time < 60).length).toBe(
      timeline.lines.filter(([time]) => time < 60).length,
    );
    expect(segments[0]!.bytes.toString('utf8').split('\n')[0]).toContain('"version":2');
    expect(segments.slice(1).every((segment) => !segment.bytes.includes('"version"'))).toBe(true);
  });

  it('rebases times on a recording that started later, and skips silent windows', () => {
    const timeline = session(5, 60_000);
    const segment = castSegment(timeline, {
      startMs: 20_000,
      endMs: 26_000,
      first: true,
      originMs: 20_000,
    });
    expect(segment).not.toBeNull();
    const { header, lines } = parseAsciicast(segment!.bytes.toString('utf8'));
    expect(header.timestamp).toBe(timeline.header.timestamp + 20);
    expect(lines.every(([time]) => time >= 0 && time < 6)).toBe(true);
    expect(segment).toMatchObject({ startMs: 0, endMs: 6000 });
    expect(
      castSegment(timeline, { startMs: 10_000_000, endMs: 10_006_000, first: false }),
    ).toBeNull();
  });
});

describe('parseAsciicast', () => {
  it('refuses a missing header, malformed lines and time going backwards', () => {
    expect(() => parseAsciicast('[0.1,"o","x"]')).toThrow(/header/);
    const header = JSON.stringify({ version: 2, width: 80, height: 24 });
    expect(() => parseAsciicast(`${header}\n[0.1,"o"]`)).toThrow(/line 2/);
    expect(() => parseAsciicast(`${header}\n[0.5,"o","a"]\n[0.2,"o","b"]`)).toThrow(/back in time/);
  });
});
