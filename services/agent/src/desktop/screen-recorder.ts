/**
 * Drives the screen capture for what the daemon decided: capture while recording or while
 * record-on-event is armed, stop otherwise. Every recording gets the init segment of the
 * capture run it is cut from first (one init per recording), then media segments in
 * order. Armed, media segments go into the rolling pre-event buffer (bounded by minutes
 * and bytes, held in memory, never sent); when a trigger fires and a recording id
 * arrives, the init and the buffered segments are sent first, then capture goes on live.
 * Capture settings apply from the next capture run: a running recording keeps its
 * encoder parameters; masks change at once.
 */
import type { DesktopCapture, DesktopMessage, DesktopRecordingState } from '../daemon/desktop-wire';
import { MAX_SCREEN_SEGMENT_BYTES } from '../daemon/desktop-wire';
import { PreEventBuffer } from '../policy/pre-event-buffer';

export interface MaskRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CapturedSegment {
  kind: 'init' | 'media';
  bytes: Uint8Array;
  startMs: number;
  endMs: number;
}

/** The ScreenCapture API of desktop/capture (D1), as the recorder uses it. */
export interface ScreenCaptureLike {
  start(masks: readonly MaskRect[]): Promise<void>;
  setMasks(masks: readonly MaskRect[]): Promise<void>;
  stop(): Promise<void>;
  onSegment(listener: (segment: CapturedSegment) => void | Promise<void>): void;
  onError(listener: (error: Error) => void): void;
}

export type CaptureFactory = (settings: DesktopCapture) => ScreenCaptureLike;

/**
 * Errors after which the capture has stopped (named as desktop/capture names them):
 * InitChangedError (a new capture run would not play after this recording's init) and
 * CaptureFailedError (ffmpeg cannot be brought back).
 */
export function isFatalCaptureError(error: Error): boolean {
  return error.name === 'InitChangedError' || error.name === 'CaptureFailedError';
}

type Send = (message: Extract<DesktopMessage, { t: 'segment' }>) => void;

export class ScreenRecorder {
  private capture: ScreenCaptureLike | undefined;
  private settings: DesktopCapture | undefined;
  private init: CapturedSegment | undefined;
  private recordingId: string | null = null;
  /** The recording the current init was sent to. */
  private initSentTo: string | null = null;
  private buffer: PreEventBuffer<CapturedSegment> | undefined;
  private masks: readonly MaskRect[] = [];
  /** The recording whose capture stopped by itself: a new run would need a new init. */
  private deadRecording: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Segments produced, and bytes sent, for the session's summary and the tests. */
  sentSegments = 0;
  bufferedPeakBytes = 0;

  constructor(
    private readonly factory: CaptureFactory,
    private readonly send: Send,
    private readonly log: (line: string) => void,
    /** Capture stopped by itself (see isFatalCaptureError); the session tells the daemon. */
    private readonly onStopped: (error: Error) => void = () => undefined,
  ) {}

  get capturing(): boolean {
    return this.capture !== undefined;
  }

  get bufferedBytes(): number {
    return this.buffer?.bytes ?? 0;
  }

  /** Applies a recording state; resolves once the switch is complete (old segments sent). */
  apply(state: DesktopRecordingState): Promise<void> {
    return this.serial(() => this.applyNow(state));
  }

  setMasks(masks: readonly MaskRect[]): Promise<void> {
    this.masks = masks;
    return this.serial(async () => {
      await this.capture?.setMasks(this.masks);
    });
  }

  /** Stops capture; the last segment goes to the recording in force. */
  stop(): Promise<void> {
    return this.serial(() => this.stopCapture());
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch((error: unknown) => this.log(`recorder: ${(error as Error).message}`));
    return next;
  }

  private async applyNow(state: DesktopRecordingState): Promise<void> {
    const want =
      (state.recordingId !== null && state.recordingId !== this.deadRecording) ||
      (state.recordingId === null && state.preEvent !== null);
    const settingsChanged =
      this.settings !== undefined &&
      JSON.stringify(this.settings) !== JSON.stringify(state.capture);
    // A new recording on different encoder settings needs a new capture run (new init).
    const newRecording = state.recordingId !== null && state.recordingId !== this.recordingId;
    if (this.capture && (!want || (settingsChanged && (newRecording || !state.recordingId)))) {
      await this.stopCapture();
    }
    if (state.preEvent && !state.recordingId) {
      if (!this.buffer)
        this.buffer = new PreEventBuffer(state.preEvent.ms, state.preEvent.maxBytes);
    }
    this.recordingId = state.recordingId;
    if (want && !this.capture) await this.startCapture(state.capture);
    if (this.recordingId) this.flushBuffer();
    if (!state.preEvent) this.buffer = undefined;
  }

  private async startCapture(settings: DesktopCapture): Promise<void> {
    const capture = this.factory(settings);
    this.settings = settings;
    this.init = undefined;
    this.initSentTo = null;
    capture.onSegment((segment) => this.onSegment(capture, segment));
    capture.onError((error) => {
      this.log(`screen capture: ${error.message}`);
      if (!isFatalCaptureError(error)) return;
      void this.serial(() => {
        if (this.capture === capture) {
          this.capture = undefined;
          this.init = undefined;
          this.initSentTo = null;
          this.settings = undefined;
          this.deadRecording = this.recordingId;
          this.onStopped(error);
        }
        return Promise.resolve();
      });
    });
    this.capture = capture;
    await capture.start(this.masks);
    this.log(`capturing at up to ${settings.frameRate} fps, ${settings.quality} quality`);
  }

  private async stopCapture(): Promise<void> {
    const capture = this.capture;
    if (!capture) return;
    await capture.stop();
    this.capture = undefined;
    this.init = undefined;
    this.initSentTo = null;
    this.settings = undefined;
  }

  private onSegment(capture: ScreenCaptureLike, segment: CapturedSegment): void {
    if (capture !== this.capture && segment.kind === 'init') return;
    if (segment.kind === 'init') {
      this.init = segment;
      this.initSentTo = null;
      return;
    }
    if (segment.bytes.length > MAX_SCREEN_SEGMENT_BYTES) {
      this.log(`dropped a screen segment of ${segment.bytes.length} bytes (over 16 MiB)`);
      return;
    }
    if (this.recordingId) {
      this.sendSegment(this.recordingId, segment);
      return;
    }
    if (this.buffer) {
      this.buffer.push({
        startMs: segment.startMs,
        endMs: segment.endMs,
        bytes: segment.bytes.length,
        item: segment,
      });
      this.bufferedPeakBytes = Math.max(this.bufferedPeakBytes, this.buffer.bytes);
    }
  }

  private flushBuffer(): void {
    const recordingId = this.recordingId;
    if (!recordingId || !this.buffer) return;
    for (const entry of this.buffer.drain()) this.sendSegment(recordingId, entry.item);
  }

  private sendSegment(recordingId: string, segment: CapturedSegment): void {
    if (this.initSentTo !== recordingId) {
      if (!this.init) {
        this.log('a media segment came before its init; dropped');
        return;
      }
      this.emit(recordingId, this.init, segment.startMs);
      this.initSentTo = recordingId;
    }
    this.emit(recordingId, segment);
  }

  private emit(recordingId: string, segment: CapturedSegment, atMs?: number): void {
    const startMs = Math.max(0, Math.round(atMs ?? segment.startMs));
    this.send({
      t: 'segment',
      recordingId,
      kind: segment.kind,
      startMs,
      endMs: Math.max(startMs, Math.round(atMs ?? segment.endMs)),
      data: Buffer.from(segment.bytes).toString('base64'),
    });
    this.sentSegments += 1;
  }
}
