/**
 * Screen capture of an X11 display into CMAF H.264 segments (see ffmpeg-args.ts for the
 * pipeline): one init segment per capture, then media segments that each start with a
 * keyframe, timed on the session clock. Masks change without restarting ffmpeg (zmq
 * filter commands to black drawbox slots). If ffmpeg dies it is restarted with the same
 * arguments, which give a byte-identical init, so the recording goes on after the same
 * init; if the init differs (the screen was resized) capture stops with InitChangedError.
 * Segments are handed to listeners one at a time; while they are slow, ffmpeg's output is
 * paused, so nothing piles up here.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseFragment, parseInit, retimeFragment } from '../../media/fmp4';
import { DEFAULT_IDLE_SEGMENT_SECONDS, cadence } from './ffmpeg-args';
import { FfmpegProcess, type RunExit } from './ffmpeg-run';
import { type SplitPart } from './fmp4-splitter';
import { type AssembledSegment, SEGMENT_BYTE_CAP, SegmentAssembler } from './segment-assembler';
import { type Rect, type SlotState, initialSlots, normalizeMasks, planMasks } from './masks';
import {
  type CapturedSegment,
  CaptureFailedError,
  InitChangedError,
  type MaskRect,
  type ScreenCaptureOptions,
  describeZodError,
  maskRects,
  screenCaptureOptions,
} from './types';

const INIT_TIMEOUT_MS = 20_000;
/** Segments handed out but not yet taken by the listeners before ffmpeg is paused. */
const MAX_PENDING_SEGMENTS = 4;
/** ffmpeg deaths allowed within RESTART_WINDOW_MS before capture gives up. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

interface RunTiming {
  /** Session ms of the run's media time zero (when its init arrived). */
  t0: number;
  /** Ticks added to the run's decode times to continue the recording's timeline. */
  decodeOffset?: number;
}

export class ScreenCapture {
  private readonly options: ScreenCaptureOptions & {
    idleSegmentSeconds: number;
    maxSegmentBytes: number;
  };
  private readonly segmentListeners: ((segment: CapturedSegment) => void | Promise<void>)[] = [];
  private readonly errorListeners: ((error: Error) => void)[] = [];
  private state: State = 'new';
  private masks: Rect[] = [];
  private slots: SlotState = [];
  private maskChain: Promise<void> = Promise.resolve();
  private run: FfmpegProcess | undefined;
  private timing: RunTiming | undefined;
  private dir: string | undefined;
  private init: Buffer | undefined;
  private timescale = 1000;
  private sequence = 0;
  /** Session ms of the recording's media time zero (the first init). */
  private firstT0: number | undefined;
  /** Session ms where the last media segment handed out ended. */
  private lastEndMs = 0;
  private delivery: Promise<void> = Promise.resolve();
  private pending = 0;
  private restarts: number[] = [];
  private readonly assembler: SegmentAssembler;
  /** The run being stopped on purpose to cut an oversized segment. */
  private rotating: FfmpegProcess | undefined;
  private waitInit: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(options: ScreenCaptureOptions) {
    const parsed = screenCaptureOptions.safeParse(options);
    if (!parsed.success) throw describeZodError('screen capture options', parsed.error);
    this.options = {
      ...options,
      idleSegmentSeconds: options.idleSegmentSeconds ?? DEFAULT_IDLE_SEGMENT_SECONDS,
      maxSegmentBytes: options.maxSegmentBytes ?? SEGMENT_BYTE_CAP,
    };
    this.assembler = new SegmentAssembler(
      cadence(options.frameRate, options.segmentSeconds, this.options.idleSegmentSeconds)
        .framesPerSegment,
      this.options.maxSegmentBytes,
    );
  }

  onSegment(listener: (segment: CapturedSegment) => void | Promise<void>): void {
    this.segmentListeners.push(listener);
  }

  onError(listener: (error: Error) => void): void {
    this.errorListeners.push(listener);
  }

  /** The ffmpeg process id while capturing (for CPU/RSS figures). */
  get ffmpegPid(): number | undefined {
    return this.run?.pid;
  }

  /** Starts ffmpeg; resolves when the init segment is available (emitted first). */
  async start(masks: readonly MaskRect[]): Promise<void> {
    if (this.state !== 'new') throw new Error(`screen capture cannot start when ${this.state}`);
    this.masks = normalizeMasks(validMasks(masks));
    this.state = 'starting';
    const dir = path.join(this.options.workDir, `capture-${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: false, mode: 0o700 });
      this.dir = dir;
      await this.serial(() => this.startRun());
      // The init has been handed to the listeners before start resolves.
      await this.delivery;
      if (this.state === 'starting') this.state = 'running';
    } catch (error) {
      this.state = 'stopped';
      this.run?.kill();
      await this.run?.exited;
      await this.cleanup();
      throw error;
    }
  }

  /**
   * Masks exactly these rectangles from now on (they replace the previous ones). Resolves
   * once ffmpeg has applied them: every frame it takes after that is masked.
   */
  setMasks(masks: readonly MaskRect[]): Promise<void> {
    let normalized: Rect[];
    try {
      normalized = normalizeMasks(validMasks(masks));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const step = async () => {
      this.masks = normalized;
      const run = this.run;
      if (!run || this.state !== 'running') return; // the next run starts with them
      const plan = planMasks(this.slots, normalized);
      try {
        await run.send(plan.commands);
        this.slots = plan.slots;
      } catch (error) {
        // A dead ffmpeg captures nothing; its replacement is built with the new masks.
        if (this.run === run && this.state === 'running') {
          this.log(`mask change failed, restarting capture: ${(error as Error).message}`);
          run.kill();
        }
      }
    };
    return this.serial(step);
  }

  /**
   * Mask changes, starts and restarts run one after another: a mask change waiting behind
   * a restart reaches the new ffmpeg, and one made before it is built into its graph.
   */
  private serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.maskChain.then(step);
    this.maskChain = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** Flushes and emits the last media segment, then resolves. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') {
      await this.delivery;
      return;
    }
    if (this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    await this.maskChain;
    const run = this.run;
    if (run) await run.stop();
    await this.delivery;
    this.state = 'stopped';
    await this.cleanup();
  }

  private async startRun(): Promise<void> {
    const dir = this.dir!;
    this.slots = initialSlots(this.masks);
    const run = new FfmpegProcess(
      {
        display: this.options.display,
        frameRate: this.options.frameRate,
        quality: this.options.quality,
        segmentSeconds: this.options.segmentSeconds,
        idleSegmentSeconds: this.options.idleSegmentSeconds,
        maxSegmentBytes: this.options.maxSegmentBytes,
        commandSocket: path.join(dir, 'commands.sock'),
        slots: this.slots,
      },
      this.options.ffmpegPath ?? 'ffmpeg',
      {
        onPart: (part) => this.onPart(run, part),
        onExit: (exit) => this.onExit(run, exit),
        log: (line) => this.log(line),
      },
    );
    this.run = run;
    this.timing = undefined;
    const initArrived = new Promise<void>((resolve, reject) => {
      this.waitInit = { resolve, reject };
    });
    const timer = setTimeout(
      () =>
        this.waitInit?.reject(new Error(`no init segment from ffmpeg in ${INIT_TIMEOUT_MS} ms`)),
      INIT_TIMEOUT_MS,
    );
    try {
      await initArrived;
    } finally {
      clearTimeout(timer);
      this.waitInit = undefined;
    }
    await run.connectCommands();
  }

  private onPart(run: FfmpegProcess, part: SplitPart): void {
    if (run !== this.run) return;
    try {
      if (part.kind === 'init') this.onInit(part.bytes);
      else this.onMedia(part.bytes);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private onInit(bytes: Buffer): void {
    this.timing = { t0: this.options.clock() };
    if (!this.init) {
      this.timescale = parseInit(bytes).timescale;
      this.init = bytes;
      this.firstT0 = this.timing.t0;
      this.lastEndMs = this.timing.t0;
      const at = this.timing.t0;
      this.deliver({ kind: 'init', bytes, startMs: at, endMs: at });
    } else if (!bytes.equals(this.init)) {
      throw new InitChangedError(
        'the restarted capture has a different init segment (display size changed?): start a new recording',
      );
    }
    this.waitInit?.resolve();
  }

  private onMedia(bytes: Buffer): void {
    const timing = this.timing;
    if (!timing) throw new Error('media before init');
    const info = parseFragment(bytes);
    const ticksPerMs = this.timescale / 1000;
    if (timing.decodeOffset === undefined) {
      if (!info.startsWithKeyframe) throw new Error('ffmpeg began without a keyframe');
      // First fragment of this run: place it on the recording's timeline at its wall time,
      // never before the end of what was already sent.
      const firstT0 = this.firstT0!;
      const wanted = Math.round((timing.t0 - firstT0) * ticksPerMs);
      const floor = Math.round((this.lastEndMs - firstT0) * ticksPerMs) - info.baseMediaDecodeTime;
      timing.decodeOffset = Math.max(wanted, floor);
    }
    this.sequence += 1;
    const out = retimeFragment(bytes, {
      decodeTimeOffset: timing.decodeOffset,
      sequenceNumber: this.sequence,
    });
    const startMs = this.firstT0! + (info.baseMediaDecodeTime + timing.decodeOffset) / ticksPerMs;
    const endMs = startMs + info.duration / ticksPerMs;
    this.lastEndMs = Math.max(this.lastEndMs, endMs);
    const done = this.assembler.push({
      bytes: out,
      startsWithKeyframe: info.startsWithKeyframe,
      samples: info.sampleCount,
      startMs,
      endMs,
    });
    for (const segment of done) this.deliverMedia(segment);
    const run = this.run;
    if (this.assembler.overCap && run && this.state === 'running' && !this.rotating) {
      // Only a new ffmpeg run can start a keyframe now: restart it (same init).
      this.rotating = run;
      this.log(
        `segment reached ${this.assembler.openBytes} bytes; cutting it by restarting ffmpeg`,
      );
      void run.stop();
    }
  }

  private deliverMedia(segment: AssembledSegment): void {
    this.deliver({
      kind: 'media',
      bytes: segment.bytes,
      startMs: Math.round(segment.startMs),
      endMs: Math.round(segment.endMs),
    });
  }

  private deliver(segment: CapturedSegment): void {
    this.pending += 1;
    if (this.pending > MAX_PENDING_SEGMENTS) this.run?.pause();
    this.delivery = this.delivery.then(async () => {
      for (const listener of this.segmentListeners) {
        try {
          await listener(segment);
        } catch (error) {
          this.emitError(new Error(`segment listener failed: ${(error as Error).message}`));
        }
      }
      this.pending -= 1;
      if (this.pending <= MAX_PENDING_SEGMENTS / 2) this.run?.resume();
    });
  }

  private onExit(run: FfmpegProcess, exit: RunExit): void {
    if (run !== this.run) return;
    const why = describeExit(exit);
    this.waitInit?.reject(
      new Error(`ffmpeg could not start capturing ${this.options.display}: ${why}`),
    );
    // What ffmpeg handed over before it ended is a playable segment: send it. At stop,
    // its last frame stayed on screen until now.
    const last = this.assembler.flush(this.state === 'stopping' ? this.options.clock() : 0);
    if (last) this.deliverMedia(last);
    if (this.state === 'stopping') {
      if (exit.streamError || (exit.code !== 0 && exit.code !== 255))
        this.log(`ffmpeg at stop: ${why}`);
      return;
    }
    if (this.state !== 'running') return;
    this.run = undefined;
    if (this.rotating === run) {
      this.rotating = undefined;
      this.state = 'starting';
      void this.serial(() => this.restart(0));
      return;
    }
    const now = Date.now();
    this.restarts = this.restarts.filter((at) => now - at < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.fail(
        new CaptureFailedError(`ffmpeg died ${MAX_RESTARTS + 1} times in a minute: ${why}`),
      );
      return;
    }
    this.restarts.push(now);
    this.emitError(new Error(`ffmpeg died (${why}); restarting capture`));
    this.state = 'starting';
    void this.serial(() => this.restart(250 * this.restarts.length));
  }

  private async restart(delayMs: number): Promise<void> {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (this.state !== 'starting') return;
    try {
      await this.startRun();
      if (this.state === 'starting') this.state = 'running';
    } catch (error) {
      this.fail(
        error instanceof InitChangedError
          ? error
          : new CaptureFailedError((error as Error).message),
      );
    }
  }

  /** Capture cannot go on: report, stop ffmpeg, clean up. */
  private fail(error: Error): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.waitInit?.reject(error);
    this.emitError(error);
    const run = this.run;
    this.run = undefined;
    run?.kill();
    void (async () => {
      await run?.exited;
      await this.delivery;
      await this.cleanup();
    })();
  }

  private emitError(error: Error): void {
    this.log(`screen capture: ${error.message}`);
    for (const listener of this.errorListeners) listener(error);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }
}

function validMasks(masks: readonly MaskRect[]): MaskRect[] {
  const parsed = maskRects.safeParse(masks);
  if (!parsed.success) throw describeZodError('masks', parsed.error);
  return parsed.data;
}

function describeExit(exit: RunExit): string {
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  const stream = exit.streamError ? `; ${exit.streamError.message}` : '';
  const tail = exit.stderrTail ? `; ${exit.stderrTail.split('\n').slice(-3).join(' | ')}` : '';
  return `${how}${stream}${tail}`;
}
