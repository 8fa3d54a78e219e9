/**
 * The printable text of one asciicast v2 segment, line by line, each line with the time
 * (recording clock, milliseconds) of the output that began it: what an investigator reads
 * on screen, made searchable. A small line discipline stands in for a terminal: escape
 * sequences (colours, cursor moves, titles) are removed, CR LF ends a line, a lone CR
 * rewinds it (a progress bar keeps its last state), backspace erases, other control
 * characters are dropped. Only output ('o') events count: input would duplicate the echo.
 * Bounded: a line is cut at `maxLineChars`, the segment at `maxChars`.
 */
import { stripVTControlCharacters } from 'node:util';

export interface TerminalLine {
  /** Recording-relative milliseconds of the output that began the line. */
  readonly ms: number;
  readonly text: string;
}

export interface CastText {
  /** Non-blank lines, trailing spaces removed, in output order. */
  readonly lines: TerminalLine[];
  /** Characters kept over all lines. */
  readonly chars: number;
  /** Lines of the segment that are neither blank, a header nor a [time, code, data] event. */
  readonly skippedLines: number;
  /** The segment held more text than `maxChars`: the rest is not indexed. */
  readonly truncated: boolean;
}

export interface CastTextLimits {
  readonly maxChars: number;
  readonly maxLineChars: number;
}

export const DEFAULT_CAST_TEXT_LIMITS: CastTextLimits = {
  maxChars: 256 * 1024,
  maxLineChars: 1024,
};

type CastEvent = [number, string, string];

/**
 * Operating-system commands (window titles, hyperlinks: ESC ] ... BEL or ESC \\), which
 * stripVTControlCharacters leaves half in place when the title has spaces.
 */
// eslint-disable-next-line no-control-regex
const OSC = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;

function parseEvent(row: string): CastEvent | 'header' | undefined {
  let value: unknown;
  try {
    value = JSON.parse(row);
  } catch {
    return undefined;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'header';
  if (
    Array.isArray(value) &&
    value.length >= 3 &&
    typeof value[0] === 'number' &&
    Number.isFinite(value[0]) &&
    value[0] >= 0 &&
    typeof value[1] === 'string' &&
    typeof value[2] === 'string'
  ) {
    return [value[0], value[1], value[2]];
  }
  return undefined;
}

/** Turns a stream of timed output writes into lines, as a terminal would show them. */
class LineDiscipline {
  readonly lines: TerminalLine[] = [];
  chars = 0;
  truncated = false;
  private line = '';
  private lineMs = 0;
  private rewind = false;

  constructor(private readonly limits: CastTextLimits) {}

  write(ms: number, data: string): void {
    const text = stripVTControlCharacters(data.replace(OSC, ''));
    for (const char of text) {
      if (this.truncated) return;
      const code = char.codePointAt(0) ?? 0;
      if (char === '\n') this.endLine();
      else if (char === '\r') this.rewind = true;
      else if (char === '\b') this.line = this.line.slice(0, -1);
      else if (char === '\t') this.put(ms, ' ');
      else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue;
      else this.put(ms, char);
    }
  }

  end(): void {
    this.endLine();
  }

  private put(ms: number, char: string): void {
    if (this.rewind) {
      this.line = '';
      this.rewind = false;
    }
    if (this.line === '') this.lineMs = ms;
    this.line += char;
    if (this.line.length >= this.limits.maxLineChars) this.endLine();
  }

  private endLine(): void {
    const text = this.line.trimEnd();
    this.line = '';
    this.rewind = false;
    if (text.trim() === '') return;
    if (this.chars + text.length > this.limits.maxChars) {
      this.truncated = true;
      return;
    }
    this.chars += text.length;
    this.lines.push({ ms: this.lineMs, text });
  }
}

export function castText(
  source: string,
  limits: CastTextLimits = DEFAULT_CAST_TEXT_LIMITS,
): CastText {
  const terminal = new LineDiscipline(limits);
  let skippedLines = 0;
  for (const raw of source.split('\n')) {
    const row = raw.trim();
    if (row === '') continue;
    const event = parseEvent(row);
    if (event === undefined) skippedLines++;
    else if (event !== 'header' && event[1] === 'o') {
      terminal.write(Math.round(event[0] * 1000), event[2]);
    }
    if (terminal.truncated) break;
  }
  terminal.end();
  return {
    lines: terminal.lines,
    chars: terminal.chars,
    skippedLines,
    truncated: terminal.truncated,
  };
}

export interface TerminalChunk {
  /** Position of the chunk in its segment, from 0. */
  readonly chunk: number;
  readonly startMs: number;
  readonly lineMs: number[];
  /** The lines joined with "\n". */
  readonly text: string;
}

export interface ChunkLimits {
  readonly maxLines: number;
  readonly maxChars: number;
}

/**
 * Small chunks of consecutive lines: a search hit points at a few lines, so its time is
 * close to the matching line, while words on neighbouring lines (a command and its
 * output) still match together.
 */
export const DEFAULT_CHUNK_LIMITS: ChunkLimits = { maxLines: 16, maxChars: 2048 };

export function chunkLines(
  lines: readonly TerminalLine[],
  limits: ChunkLimits = DEFAULT_CHUNK_LIMITS,
): TerminalChunk[] {
  const chunks: TerminalChunk[] = [];
  let current: TerminalLine[] = [];
  let chars = 0;
  const close = () => {
    if (current.length === 0) return;
    chunks.push({
      chunk: chunks.length,
      startMs: current[0]!.ms,
      lineMs: current.map((l) => l.ms),
      text: current.map((l) => l.text).join('\n'),
    });
    current = [];
    chars = 0;
  };
  for (const line of lines) {
    if (
      current.length >= limits.maxLines ||
      (current.length > 0 && chars + line.text.length + 1 > limits.maxChars)
    ) {
      close();
    }
    current.push(line);
    chars += line.text.length + 1;
  }
  close();
  return chunks;
}
