/**
 * The screen of a terminal recording at one moment, so the player can seek exactly
 * without downloading what came before: the recording's output up to that moment is
 * replayed server-side into a headless xterm.js and serialised (@xterm/addon-serialize)
 * as the escape sequences that redraw it (screen contents, colours, cursor, alternate
 * screen and modes). The player writes that into a reset terminal, then plays the
 * asciicast from the same moment on.
 *
 * The output replayed is exactly the output the asciicast route leaves out when asked
 * `from` the same moment: lines before it, on the same clock (`originMs` + line time),
 * so nothing is written twice or lost at the boundary.
 */
import { Terminal } from '@xterm/headless';
import { CastFormatError } from './asciicast';
import { createSerializeAddon } from './serialize-addon';

export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

export interface TerminalState extends TerminalSize {
  /** Session-relative milliseconds: output strictly before this is in `data`. */
  readonly atMs: number;
  /** Escape sequences that redraw the screen on a reset terminal of this size. */
  readonly data: string;
}

/** Terminal sizes beyond these are clamped (the console's player does the same). */
const MAX_COLS = 300;
const MAX_ROWS = 120;

function clampSize(size: TerminalSize): { cols: number; rows: number } {
  const cols = Math.min(Math.max(Math.trunc(size.width) || 80, 2), MAX_COLS);
  const rows = Math.min(Math.max(Math.trunc(size.height) || 24, 1), MAX_ROWS);
  return { cols, rows };
}

interface CoreInternals {
  _core?: {
    buffer?: { scrollTop?: number; scrollBottom?: number };
    coreService?: { isCursorHidden?: boolean };
  };
}

/**
 * What the serialize addon leaves out but a redraw needs to continue exactly: the scroll
 * region (full-screen programs scroll part of the screen) and a hidden cursor. Read from
 * xterm.js internals when present; nothing is added when they are not.
 */
function extraState(terminal: Terminal): string {
  const core = (terminal as unknown as CoreInternals)._core;
  let extra = '';
  const top = core?.buffer?.scrollTop;
  const bottom = core?.buffer?.scrollBottom;
  if (
    typeof top === 'number' &&
    typeof bottom === 'number' &&
    (top !== 0 || bottom !== terminal.rows - 1)
  ) {
    // Setting the region homes the cursor: put it back (relative to the region in origin mode).
    const b = terminal.buffer.active;
    const row = terminal.modes.originMode ? b.cursorY - top : b.cursorY;
    extra += `\x1b[${top + 1};${bottom + 1}r\x1b[${row + 1};${b.cursorX + 1}H`;
  }
  if (core?.coreService?.isCursorHidden) extra += '\x1b[?25l';
  return extra;
}

/** The size an asciicast resize event (`"COLSxROWS"`) asks for, if it is one. */
function resizeOf(data: string): TerminalSize | undefined {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(data);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : undefined;
}

export class TerminalReplay {
  private readonly terminal: Terminal;
  private readonly serializer = createSerializeAddon();
  private size: { cols: number; rows: number };
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Latest time of a line written so far (-Infinity: none). */
  lastAtMs = Number.NEGATIVE_INFINITY;
  /** A line at or after the moment was met: what was fed is not all written. */
  reachedMoment = false;
  /** Output characters written since the last checkpoint (or the start). */
  sinceCheckpoint = 0;

  /**
   * @param originMs session-relative start of the recording (its first segment's start)
   * @param atMs output before this moment is replayed, the rest ignored
   * @param fromMs output before this moment is ignored too (a share's clip start)
   */
  constructor(
    header: TerminalSize,
    private readonly originMs: number,
    private readonly atMs: number,
    private readonly fromMs = Number.NEGATIVE_INFINITY,
  ) {
    this.size = clampSize(header);
    // No scrollback: the snapshot is the screen; the player keeps its own from then on.
    this.terminal = new Terminal({
      cols: this.size.cols,
      rows: this.size.rows,
      scrollback: 0,
      allowProposedApi: true,
    });
    this.terminal.loadAddon(this.serializer);
  }

  /** Replays the lines of one asciicast segment that fall before the moment. */
  async feed(segment: string): Promise<void> {
    for (const raw of segment.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('{')) continue;
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch {
        throw new CastFormatError('an asciicast line is not valid JSON');
      }
      if (!Array.isArray(event) || typeof event[0] !== 'number' || typeof event[1] !== 'string') {
        throw new CastFormatError('an asciicast line is not [time, code, data]');
      }
      const at = this.originMs + event[0] * 1000;
      if (at >= this.atMs) this.reachedMoment = true;
      if (at < this.fromMs || at >= this.atMs) continue;
      this.lastAtMs = Math.max(this.lastAtMs, at);
      const [, code, data] = event as [number, string, unknown];
      if (typeof data !== 'string') continue;
      if (code === 'o') {
        this.pending.push(data);
        this.pendingBytes += data.length;
        this.sinceCheckpoint += data.length;
        if (this.pendingBytes > 256 * 1024) await this.flush();
      } else if (code === 'r') {
        const size = resizeOf(data);
        if (!size) continue;
        await this.flush();
        this.size = clampSize(size);
        this.terminal.resize(this.size.cols, this.size.rows);
      }
    }
  }

  async snapshot(): Promise<TerminalState> {
    await this.flush();
    const data = this.serializer.serialize({ scrollback: 0 }) + extraState(this.terminal);
    return { atMs: this.atMs, width: this.size.cols, height: this.size.rows, data };
  }

  /** Starts from an earlier redraw instead of the recording's start (a checkpoint). */
  async restore(state: TerminalSize & { data: string }, lastAtMs: number): Promise<void> {
    await this.flush();
    this.size = clampSize(state);
    this.terminal.resize(this.size.cols, this.size.rows);
    this.terminal.reset();
    await new Promise<void>((resolve) => this.terminal.write(state.data, resolve));
    this.lastAtMs = lastAtMs;
    this.sinceCheckpoint = 0;
  }

  dispose(): void {
    this.terminal.dispose();
  }

  /** xterm.js parses writes asynchronously: wait until what was written is on the screen. */
  private flush(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    return new Promise((resolve) => this.terminal.write(chunk, resolve));
  }
}
