/**
 * Terminal recordings as asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/):
 * a simulated shell session (typing, output, pauses) with the events it implies, cut
 * into segments on the recording's clock; the header line opens the first segment.
 */
import type { EventType } from '@sessionrec/contracts';
import type { Random } from '../random';
import { nextShellCommand } from './shell-script';

export interface AsciicastHeader {
  readonly version: 2;
  readonly width: number;
  readonly height: number;
  readonly timestamp: number;
  readonly title?: string;
  readonly env: Record<string, string>;
}

/** [seconds since the recording started, 'o' (output), text]. */
export type CastLine = [number, 'o', string];

export interface TimelineEvent {
  readonly atMs: number;
  readonly type: EventType;
  readonly attributes: Record<string, string | number | boolean | null>;
}

export interface ShellTimeline {
  readonly header: AsciicastHeader;
  readonly lines: readonly CastLine[];
  readonly events: readonly TimelineEvent[];
}

export interface ShellSessionOptions {
  readonly user: string;
  readonly host: string;
  readonly durationMs: number;
  readonly startedAt: Date;
  readonly random: Random;
}

const GREEN = '\u001b[01;32m';
const BLUE = '\u001b[01;34m';
const RESET = '\u001b[00m';

export function generateShellSession(options: ShellSessionOptions): ShellTimeline {
  const { random, user, host, durationMs } = options;
  const lines: CastLine[] = [];
  const events: TimelineEvent[] = [];
  let now = 0;
  let cwd = `/home/${user}`;
  const emit = (text: string) => {
    now += 1; // strictly increasing times, even for output printed in one burst
    lines.push([Number((now / 1000).toFixed(3)), 'o', text]);
  };
  const prompt = () =>
    emit(`${GREEN}${user}@${host}${RESET}:${BLUE}${cwd.replace(`/home/${user}`, '~')}${RESET}$ `);

  events.push({
    atMs: 0,
    type: 'shell.start',
    attributes: { shell: '/bin/bash', pid: random.int(2000, 60000) },
  });
  emit(`Last login: ${options.startedAt.toUTCString()} from 10.20.0.15\r\n`);
  prompt();
  while (now < durationMs) {
    now += random.int(800, 6000); // thinking
    if (random.chance(0.06)) {
      events.push({ atMs: now, type: 'idle.start', attributes: {} });
      now += random.int(20_000, 70_000);
      events.push({ atMs: now, type: 'idle.end', attributes: {} });
    }
    if (now >= durationMs) break;
    const command = nextShellCommand(random, cwd, user);
    for (const char of command.line) {
      now += random.int(40, 180);
      emit(char);
    }
    now += random.int(80, 300);
    emit('\r\n');
    const pid = random.int(2000, 60000);
    events.push({
      atMs: now,
      type: 'command.start',
      attributes: { commandLine: command.line, cwd, pid },
    });
    if (command.privileged) {
      events.push({
        atMs: now,
        type: 'privilege.use',
        attributes: { tool: 'sudo', commandLine: command.line },
      });
    }
    now += random.int(5, 400);
    for (const out of command.output) emit(`${out}\r\n`);
    if (command.transfer) {
      const { tool, direction, file, bytes } = command.transfer;
      events.push({
        atMs: now,
        type: 'file.transfer',
        attributes: { tool, direction, file, bytes },
      });
    }
    cwd = command.cwd ?? cwd;
    prompt();
  }
  return {
    header: {
      version: 2,
      width: 120,
      height: 32,
      timestamp: Math.floor(options.startedAt.getTime() / 1000),
      title: `${user}@${host}`,
      env: { SHELL: '/bin/bash', TERM: 'xterm-256color' },
    },
    lines,
    events,
  };
}

export interface CastSegment {
  readonly bytes: Buffer;
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The lines whose time falls in [startMs, endMs) of the session, as one asciicast
 * segment of a recording that began at `originMs` (times are rewritten relative to it);
 * the first segment starts with the header. Returns null for a silent window.
 */
export function castSegment(
  timeline: ShellTimeline,
  window: { startMs: number; endMs: number; first: boolean; originMs?: number },
): CastSegment | null {
  const origin = window.originMs ?? 0;
  const header = {
    ...timeline.header,
    timestamp: timeline.header.timestamp + Math.floor(origin / 1000),
  };
  const text: string[] = window.first ? [JSON.stringify(header)] : [];
  for (const [seconds, code, data] of timeline.lines) {
    const ms = Math.round(seconds * 1000);
    if (ms >= window.startMs && ms < window.endMs) {
      text.push(JSON.stringify([Number(((ms - origin) / 1000).toFixed(3)), code, data]));
    }
  }
  if (text.length === 0) return null;
  return {
    bytes: Buffer.from(`${text.join('\n')}\n`, 'utf8'),
    startMs: window.startMs - origin,
    endMs: window.endMs - origin,
  };
}

export class AsciicastFormatError extends Error {
  override readonly name = 'AsciicastFormatError';
}

/** Parses a whole .cast (header plus events), checking what a player relies on. */
export function parseAsciicast(text: string): { header: AsciicastHeader; lines: CastLine[] } {
  const rows = text.split('\n').filter((row) => row.length > 0);
  const header = JSON.parse(rows[0] ?? 'null') as AsciicastHeader | null;
  if (!header || header.version !== 2 || !(header.width > 0) || !(header.height > 0)) {
    throw new AsciicastFormatError('first line is not an asciicast v2 header');
  }
  let previous = -1;
  const lines = rows.slice(1).map((row, index) => {
    const line = JSON.parse(row) as unknown;
    if (
      !Array.isArray(line) ||
      line.length !== 3 ||
      typeof line[0] !== 'number' ||
      !['o', 'i', 'm', 'r'].includes(line[1] as string) ||
      typeof line[2] !== 'string'
    ) {
      throw new AsciicastFormatError(`line ${index + 2} is not [time, code, data]`);
    }
    if (line[0] < previous) throw new AsciicastFormatError(`line ${index + 2} goes back in time`);
    previous = line[0];
    return line as CastLine;
  });
  return { header, lines };
}
