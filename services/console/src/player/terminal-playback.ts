/**
 * Plays a terminal recording into a terminal emulator on a virtual clock, loading the
 * asciicast in windows (never the whole recording): the next window is fetched while the
 * current one plays. A seek backwards or beyond what is loaded asks the api for the
 * screen at the target (`fetchState`: the output before it replayed server-side and
 * serialised as escape sequences) together with the window from the target on, so the
 * screen is exact however long ago it was drawn, and nothing before the target is
 * downloaded.
 */
import { type CastHeader, type CastOutput, parseCast } from './cast';

export const WINDOW_MS = 60_000;
/**
 * A seek's first window is shorter: the screen waits for it (its output has to arrive and
 * be parsed before anything is drawn), and the rest of the minute follows at once.
 */
export const FIRST_WINDOW_MS = 10_000;
/** With skip-idle, silences longer than this are jumped over. */
export const IDLE_GAP_MS = 3_000;

export interface TerminalSink {
  write(data: string): void;
  reset(): void;
  resize(header: CastHeader): void;
}

export type CastFetcher = (fromMs: number, toMs: number) => Promise<string>;

/** The screen at a moment: escape sequences that redraw it on a reset terminal of this size. */
export interface TerminalState extends CastHeader {
  /** Output strictly before this moment is in `data`; the asciicast from it has the rest. */
  atMs: number;
  data: string;
}

export type StateFetcher = (atMs: number) => Promise<TerminalState>;

/** The asciicast window a seek to `targetMs` asks for first (player-boot asks the same). */
export function firstWindow(targetMs: number, endMs: number): { from: number; to: number } {
  return { from: targetMs, to: Math.min(endMs, targetMs + FIRST_WINDOW_MS) };
}

export class TerminalPlayback {
  private buffer: CastOutput[] = [];
  /** Index of the next output in `buffer` not yet written. */
  private cursor = 0;
  private loadedFrom = 0;
  private loadedTo = 0;
  private loaded = false;
  private loading: Promise<void> | undefined;
  private generation = 0;
  private timeMs: number;
  playing = false;
  rate = 1;
  skipIdle = false;

  constructor(
    private readonly sink: TerminalSink,
    private readonly fetchCast: CastFetcher,
    private readonly fetchState: StateFetcher,
    readonly startMs: number,
    public endMs: number,
  ) {
    this.timeMs = startMs;
  }

  get time(): number {
    return this.timeMs;
  }

  /** Advances the clock by `elapsedMs` of wall time and writes what happened meanwhile. */
  tick(elapsedMs: number): void {
    if (!this.playing) return;
    this.timeMs = Math.min(this.endMs, this.timeMs + elapsedMs * this.rate);
    this.flush();
    if (this.skipIdle) {
      const upcoming = this.buffer[this.cursor];
      if (upcoming && upcoming.atMs - this.timeMs > IDLE_GAP_MS) this.timeMs = upcoming.atMs - 200;
    }
    if (this.timeMs >= this.endMs) this.playing = false;
    if (this.loaded && this.loadedTo < this.endMs && this.loadedTo - this.timeMs < WINDOW_MS / 2) {
      void this.loadAhead();
    }
  }

  async seek(targetMs: number): Promise<void> {
    // Whole milliseconds: the api takes integers, and the clock starts exactly there.
    const target = Math.round(Math.min(Math.max(targetMs, this.startMs), this.endMs));
    const generation = ++this.generation;
    const lastWritten = this.buffer[this.cursor - 1]?.atMs ?? this.loadedFrom;
    const inLoaded = this.loaded && target >= lastWritten && target <= this.loadedTo;
    this.timeMs = target;
    if (inLoaded) {
      this.flush();
      return;
    }
    // Until the answers arrive, nothing old is written and nothing old is loaded ahead.
    this.buffer = [];
    this.cursor = 0;
    this.loaded = false;
    this.loading = undefined;
    const { to } = firstWindow(target, this.endMs);
    // The screen at the target and what follows it, in parallel; at the very start the
    // screen is empty and only the window is needed.
    const [state, text] = await Promise.all([
      target > this.startMs ? this.fetchState(target) : undefined,
      this.fetchCast(target, to),
    ]);
    if (generation !== this.generation) return; // a newer seek won
    const cast = parseCast(text, target);
    this.sink.reset();
    const size = state ?? cast.header;
    if (size) this.sink.resize(size);
    if (state?.data) this.sink.write(state.data);
    this.buffer = cast.output;
    this.cursor = 0;
    this.loadedFrom = target;
    this.loadedTo = to;
    this.loaded = true;
    this.flush();
  }

  private flush(): void {
    let chunk = '';
    while (this.cursor < this.buffer.length) {
      const next = this.buffer[this.cursor];
      if (!next || next.atMs > this.timeMs) break;
      chunk += next.data;
      this.cursor++;
    }
    if (chunk) this.sink.write(chunk);
  }

  private loadAhead(): Promise<void> {
    this.loading ??= (async () => {
      const generation = this.generation;
      const from = this.loadedTo;
      const to = Math.min(this.endMs, from + WINDOW_MS);
      try {
        const text = await this.fetchCast(from, to);
        if (generation !== this.generation) return;
        // Windows share their boundary millisecond: keep only what is after the last one.
        const more = parseCast(text, from).output.filter((o) => o.atMs > from);
        this.buffer.push(...more);
        this.loadedTo = to;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}
