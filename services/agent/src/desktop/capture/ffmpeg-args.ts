/**
 * The ffmpeg command line of a capture run. One process does everything, so screen pixels
 * only ever exist inside it: x11grab → zmq (mask commands) → yuv420p → black drawbox slots
 * → mpdecimate (drops frames identical to the last kept one: an unchanged screen sends
 * nothing) → libx264 → fragmented MP4 (CMAF) on stdout, a fragment at each keyframe.
 *
 * Keyframes come by frame count (-g), not wall time: with variable frame rate a segment
 * holds at most frameRate × segmentSeconds frames, so it is cut after that much activity
 * and grows long, at no cost, while nothing changes. mpdecimate's `max` lets one
 * (identical, a few bytes) frame through after a run of drops, so an open segment still
 * fills up and is cut within idleSegmentSeconds.
 *
 * Everything here depends only on the options, so a restarted run writes a byte-identical
 * init segment (tested).
 */
import { type CaptureQuality } from './types';
import { type SlotState, slotFilterName } from './masks';
import { fragmentBytes } from './segment-assembler';

export interface EncoderSettings {
  /** x264 constant rate factor: lower is sharper and larger. */
  readonly crf: number;
  readonly preset: 'ultrafast' | 'superfast' | 'veryfast' | 'faster';
  /**
   * A ceiling (VBV) on the bit rate while the screen changes a lot (scrolling), so a
   * segment stays well below ingest's 16 MiB limit.
   */
  readonly maxrateKbps: number;
}

/**
 * Policy quality to x264 settings. Measured on 1080p desktops (docs/agent-desktop.md):
 * 8-pixel terminal text stays legible at medium; low is for bandwidth-starved sites.
 */
export const QUALITY_SETTINGS: Readonly<Record<CaptureQuality, EncoderSettings>> = {
  low: { crf: 34, preset: 'veryfast', maxrateKbps: 1000 },
  medium: { crf: 28, preset: 'veryfast', maxrateKbps: 2500 },
  high: { crf: 22, preset: 'veryfast', maxrateKbps: 5000 },
};

export const DEFAULT_IDLE_SEGMENT_SECONDS = 900;

export interface Cadence {
  /** Frames per segment (the keyframe interval). */
  readonly framesPerSegment: number;
  /** mpdecimate max: at most this many identical frames dropped in a row. */
  readonly maxDroppedFrames: number;
}

export function cadence(
  frameRate: number,
  segmentSeconds: number,
  idleSegmentSeconds: number,
): Cadence {
  const framesPerSegment = Math.max(1, Math.round(frameRate * segmentSeconds));
  // framesPerSegment idle frames, one per heartbeat, fill a segment in idleSegmentSeconds.
  const heartbeatSeconds = idleSegmentSeconds / framesPerSegment;
  return {
    framesPerSegment,
    maxDroppedFrames: Math.max(1, Math.round(frameRate * heartbeatSeconds) - 1),
  };
}

export interface FfmpegRun {
  readonly display: string;
  readonly frameRate: number;
  readonly quality: CaptureQuality;
  readonly segmentSeconds: number;
  readonly idleSegmentSeconds: number;
  /** Unix socket the zmq filter binds for mask commands. */
  readonly commandSocket: string;
  readonly slots: SlotState;
  readonly maxSegmentBytes: number;
}

/** Filter-graph option values are quoted; the paths allowed (types.ts) never hold a quote. */
function quoted(value: string): string {
  if (/['\\]/.test(value)) throw new TypeError(`cannot quote ${JSON.stringify(value)}`);
  return `'${value.replace(/:/g, '\\:')}'`;
}

export function maskFilters(slots: SlotState): string[] {
  return slots.map((rect, slot) => {
    const r = rect ?? { x: 0, y: 0, width: 2, height: 2 };
    const enable = rect ? 1 : 0;
    return `${slotFilterName(slot)}=x=${r.x}:y=${r.y}:w=${r.width}:h=${r.height}:t=fill:c=black:enable=${enable}`;
  });
}

export function filterGraph(run: FfmpegRun): string {
  const { maxDroppedFrames } = cadence(run.frameRate, run.segmentSeconds, run.idleSegmentSeconds);
  return [
    `zmq=bind_address=${quoted(`ipc://${run.commandSocket}`)}`,
    'format=yuv420p',
    ...maskFilters(run.slots),
    // Any 8×8 block that changed by more than a faint single pixel keeps the frame: X11
    // pictures are exact, so there is no noise to ignore.
    `mpdecimate=hi=64:lo=64:frac=0:max=${maxDroppedFrames}`,
  ].join(',');
}

export function ffmpegArgs(run: FfmpegRun): string[] {
  const settings = QUALITY_SETTINGS[run.quality];
  const { framesPerSegment } = cadence(run.frameRate, run.segmentSeconds, run.idleSegmentSeconds);
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'warning',
    '-f',
    'x11grab',
    '-framerate',
    String(run.frameRate),
    '-draw_mouse',
    '1',
    '-i',
    run.display,
    // The screen's BGRX pixels become yuv420p for every grabbed frame, also the frames
    // mpdecimate then drops: that conversion is most of an idle capture's CPU. At 1:1 the
    // scaler only averages chroma 2×2; the area filter does exactly that, for ~0.8 % of a
    // core less at 1080p / 5 fps than the default bicubic (4.7 % -> 3.9 % for grab,
    // convert and compare).
    '-sws_flags',
    'area',
    '-vf',
    filterGraph(run),
    '-an',
    '-fps_mode',
    'vfr',
    '-c:v',
    'libx264',
    '-preset',
    settings.preset,
    // zerolatency: no lookahead, no B-frames, so each frame leaves the encoder as soon as
    // it is coded and nothing waits inside ffmpeg for frames an idle screen never sends.
    // stillimage: sharper edges (less deblocking, stronger psy-rd), fewer bits to refine
    // still text after a keyframe (measured: typing P-frames about 40 % smaller).
    '-tune',
    'zerolatency,stillimage',
    '-crf',
    String(settings.crf),
    // Without lookahead (mb-tree) x264 gives an unchanged picture a very low QP and spends
    // kilobytes per frame re-refining it after each keyframe; a floor just below the
    // keyframe's QP makes an unchanged frame cost ~80 bytes (measured: 8-20 KB before).
    '-qmin',
    String(settings.crf - 3),
    '-maxrate',
    `${settings.maxrateKbps}k`,
    '-bufsize',
    `${settings.maxrateKbps * 2}k`,
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(framesPerSegment),
    '-keyint_min',
    String(framesPerSegment),
    '-sc_threshold',
    '0',
    '-video_track_timescale',
    '1000',
    // No creation time or encoder tag differences between runs: the init must not change.
    '-map_metadata',
    '-1',
    '-fflags',
    '+bitexact',
    '-f',
    'mp4',
    '-movflags',
    '+frag_keyframe+empty_moov+default_base_moof+cmaf+skip_trailer',
    // A busy stretch leaves ffmpeg in pieces of at most this size (segment-assembler.ts).
    '-frag_size',
    String(fragmentBytes(run.maxSegmentBytes)),
    // Unbuffered output: the init segment leaves at once (not with the first fragment),
    // and each fragment as soon as it is cut.
    '-avioflags',
    'direct',
    'pipe:1',
  ];
}
