/**
 * Groups ffmpeg's fragments into media segments. ffmpeg starts a fragment at every
 * keyframe and also whenever one reaches FRAGMENT_BYTES (so a busy stretch leaves ffmpeg
 * in pieces instead of piling up there); a segment is a keyframe fragment and the
 * fragments that follow it, up to the next keyframe. Keyframes come every
 * framesPerSegment frames exactly, so a segment is handed on as soon as it holds that
 * many, not when the next piece arrives. Past SEGMENT_BYTE_CAP the caller is
 * told to cut: it restarts ffmpeg (same init), which begins the next segment with a
 * keyframe, so no segment outgrows what ingest takes (16 MiB).
 */

/** A segment this big is closed; with the pieces still in flight it stays under 16 MiB. */
export const SEGMENT_BYTE_CAP = 12 * 1024 * 1024;

/** ffmpeg's -frag_size: the most it holds of a segment before handing a piece over. */
export function fragmentBytes(segmentByteCap: number): number {
  return Math.min(1024 * 1024, Math.floor(segmentByteCap / 8));
}

export interface TimedFragment {
  readonly bytes: Buffer;
  readonly startsWithKeyframe: boolean;
  readonly samples: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface AssembledSegment {
  readonly bytes: Buffer;
  readonly startMs: number;
  readonly endMs: number;
}

export class SegmentAssembler {
  private parts: Buffer[] = [];
  private bytes = 0;
  private startMs = 0;
  private endMs = 0;
  private samples = 0;

  constructor(
    private readonly framesPerSegment: number,
    private readonly byteCap = SEGMENT_BYTE_CAP,
  ) {}

  /** Bytes of the open segment. */
  get openBytes(): number {
    return this.bytes;
  }

  /** True once the open segment is big enough to be cut (by restarting ffmpeg). */
  get overCap(): boolean {
    return this.bytes >= this.byteCap;
  }

  /**
   * Adds a fragment; returns the segments it completed (a keyframe closes the open one; a
   * segment with all its frames is complete). A fragment that does not start on a
   * keyframe with no segment open cannot be played and is refused.
   */
  push(fragment: TimedFragment): AssembledSegment[] {
    const done: AssembledSegment[] = [];
    if (fragment.startsWithKeyframe) {
      const open = this.flush();
      if (open) done.push(open);
      this.startMs = fragment.startMs;
    } else if (this.parts.length === 0) {
      throw new Error('a fragment without a keyframe and no segment open');
    }
    this.parts.push(fragment.bytes);
    this.bytes += fragment.bytes.length;
    this.samples += fragment.samples;
    this.endMs = Math.max(this.endMs, fragment.endMs);
    if (this.samples >= this.framesPerSegment) done.push(this.flush()!);
    return done;
  }

  /** Closes the open segment, if any (at stop, or when ffmpeg ended). */
  flush(endAtLeastMs = 0): AssembledSegment | undefined {
    if (this.parts.length === 0) return undefined;
    const segment = {
      bytes: Buffer.concat(this.parts),
      startMs: this.startMs,
      endMs: Math.max(this.endMs, endAtLeastMs),
    };
    this.parts = [];
    this.bytes = 0;
    this.endMs = 0;
    this.samples = 0;
    return segment;
  }
}
