/**
 * Turns what crosses the wrapper's pseudo-terminal into asciicast v2 segments of one
 * recording: output ('o'), input ('i', only when the recording captures input and the
 * caller has checked the terminal echoes), and window-size changes ('r', "COLSxROWS").
 * Times are seconds since the recording started (millisecond precision); the header
 * opens the first segment. Two things keep a busy session small without changing what
 * replays: output arriving within a few milliseconds is merged into one line (a
 * command's burst of output), and a typed key that the terminal echoes exactly as typed
 * is stored once, as its echo ('o'), instead of twice. So 'i' lines hold the keystrokes
 * the screen does not show as themselves: Enter, Tab, Ctrl-C, arrows, keys in editors
 * and pagers, and any key whose echo differs or does not come.
 */
import { MAX_SEGMENT_TEXT_BYTES } from '../daemon/wire';

export interface CastSegmentOut {
  readonly recordingId: string;
  /** Session time of the window the segment covers. */
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
}

export interface CastRecorderOptions {
  readonly recordingId: string;
  /** Session time the recording starts at. */
  readonly startMs: number;
  /** Wall-clock time of the start, for the header's timestamp. */
  readonly startedAt: Date;
  readonly width: number;
  readonly height: number;
  readonly inputCapture: boolean;
  readonly env?: Record<string, string>;
  readonly title?: string;
  /** Output within this many ms of the previous output line joins it. */
  readonly mergeMs?: number;
  /** Cut a segment early once this much text is waiting (bounded below the wire limit). */
  readonly maxSegmentBytes?: number;
}

type Code = 'o' | 'i' | 'r';

/** No C0/C1 control character and no DEL: text a terminal shows as itself. */
// eslint-disable-next-line no-control-regex
const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f]+$/;

export class CastRecorder {
  private readonly lines: string[] = [];
  private pendingBytes = 0;
  private headerSent = false;
  private segmentStartMs: number;
  private lastMs = 0;
  /** The output line being merged into, not yet serialised. */
  private open: { ms: number; text: string } | undefined;
  /** A printable keystroke waiting to see whether the next output is its echo. */
  private typed: { ms: number; text: string } | undefined;

  constructor(private readonly options: CastRecorderOptions) {
    this.segmentStartMs = options.startMs;
  }

  get recordingId(): string {
    return this.options.recordingId;
  }

  get inputCapture(): boolean {
    return this.options.inputCapture;
  }

  /** Bytes waiting for the next segment. */
  get pending(): number {
    return (
      this.pendingBytes + (this.open ? this.open.text.length : 0) + (this.typed?.text.length ?? 0)
    );
  }

  get full(): boolean {
    return this.pending >= (this.options.maxSegmentBytes ?? MAX_SEGMENT_TEXT_BYTES / 2);
  }

  output(text: string, sessionMs: number): void {
    if (text.length === 0) return;
    const ms = this.clamp(sessionMs);
    if (this.typed) {
      // The echo of the key just typed: the output line records it, the key needs no line.
      if (text.startsWith(this.typed.text)) this.typed = undefined;
      else this.flushTyped();
    }
    const merge = this.options.mergeMs ?? 5;
    if (this.open && ms - this.open.ms <= merge) {
      this.open.text += text;
      return;
    }
    this.close();
    this.open = { ms, text };
  }

  /** Keystrokes: the caller checked that policy allows it and the terminal echoes. */
  input(text: string, sessionMs: number): void {
    if (!this.options.inputCapture || text.length === 0) return;
    const ms = this.clamp(sessionMs);
    this.close();
    this.flushTyped();
    // Only printable text can be its own echo; control keys always get their 'i' line.
    if (PRINTABLE.test(text)) this.typed = { ms, text };
    else this.push(ms, 'i', text);
  }

  resize(width: number, height: number, sessionMs: number): void {
    this.push(this.clamp(sessionMs), 'r', `${width}x${height}`);
  }

  /**
   * The lines recorded since the last call, as one segment ending at `sessionMs`; null
   * when nothing was recorded (an idle window costs nothing).
   */
  cut(sessionMs: number): CastSegmentOut | null {
    this.close();
    this.flushTyped();
    const endMs = Math.max(this.segmentStartMs, this.clamp(sessionMs));
    if (this.lines.length === 0 && this.headerSent) {
      this.segmentStartMs = endMs;
      return null;
    }
    const rows = [...this.lines];
    if (!this.headerSent) {
      rows.unshift(JSON.stringify(this.header()));
      this.headerSent = true;
    }
    this.lines.length = 0;
    this.pendingBytes = 0;
    const segment = {
      recordingId: this.options.recordingId,
      startMs: this.segmentStartMs,
      endMs,
      text: `${rows.join('\n')}\n`,
    };
    this.segmentStartMs = endMs;
    return segment;
  }

  private header() {
    return {
      version: 2,
      width: this.options.width,
      height: this.options.height,
      timestamp: Math.floor(this.options.startedAt.getTime() / 1000),
      ...(this.options.title ? { title: this.options.title } : {}),
      env: this.options.env ?? {},
    };
  }

  private clamp(sessionMs: number): number {
    // Lines never go back in time, even if the caller's clock does.
    this.lastMs = Math.max(this.lastMs, sessionMs, this.options.startMs);
    return this.lastMs;
  }

  private close(): void {
    if (!this.open) return;
    const { ms, text } = this.open;
    this.open = undefined;
    this.push(ms, 'o', text);
  }

  /** The held key got no echo (yet) or a different one: it is recorded as typed, at its time. */
  private flushTyped(): void {
    if (!this.typed) return;
    const { ms, text } = this.typed;
    this.typed = undefined;
    this.push(ms, 'i', text);
  }

  private push(ms: number, code: Code, text: string): void {
    if (code !== 'o') this.close();
    if (code !== 'i') this.flushTyped();
    const seconds = Number(((ms - this.options.startMs) / 1000).toFixed(3));
    const line = JSON.stringify([seconds, code, text]);
    this.lines.push(line);
    this.pendingBytes += line.length + 1;
  }
}
