/**
 * The screen capture's public shapes (the API the desktop session uses) and the checks
 * on what comes in: options once, mask rectangles on every change.
 */
import { z } from 'zod';

export interface MaskRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type CaptureQuality = 'low' | 'medium' | 'high';

export interface ScreenCaptureOptions {
  /** The X display to capture, e.g. ":99". */
  display: string;
  /** Policy capture.frameRate: the most frames per second; an unchanged screen sends none. */
  frameRate: number;
  quality: CaptureQuality;
  /** A segment is cut at the first keyframe after this much activity (frames × 1/frameRate). */
  segmentSeconds: number;
  /** A private directory for ffmpeg's command socket; a subfolder is made and removed. */
  workDir: string;
  /** Session-relative milliseconds; segment start/end times use it. */
  clock: () => number;
  ffmpegPath?: string;
  log?: (line: string) => void;
  /**
   * Extension: how long a segment may stay open while the screen does not change (the
   * last activity before a long idle period reaches the listener within this). Default 900.
   */
  idleSegmentSeconds?: number;
  /**
   * Extension: a segment that reaches this many bytes is cut (ffmpeg is restarted on the
   * same init to begin the next one with a keyframe). Default 12 MiB (ingest takes 16).
   */
  maxSegmentBytes?: number;
}

export interface CapturedSegment {
  kind: 'init' | 'media';
  bytes: Uint8Array;
  /** Session-relative, from clock. */
  startMs: number;
  endMs: number;
}

/**
 * The display's picture format changed between ffmpeg runs (e.g. the screen was resized),
 * so segments after it would not play after this recording's init: capture stops, and
 * the caller starts a new ScreenCapture (a new recording).
 */
export class InitChangedError extends Error {
  override readonly name = 'InitChangedError';
}

/** ffmpeg died and could not be brought back; capture has stopped. */
export class CaptureFailedError extends Error {
  override readonly name = 'CaptureFailedError';
}

/** An X display name as DISPLAY holds it: [host]:display[.screen]. */
export const displayName = z
  .string()
  .regex(/^[a-zA-Z0-9.\-_]*:\d{1,5}(\.\d{1,3})?$/, 'must be an X display such as ":99"');

/**
 * The work folder ends up inside an ffmpeg filter argument (the command socket's path),
 * so it is held to characters that need no escaping there, and short enough for a Unix
 * socket path.
 */
const workDir = z
  .string()
  .max(80)
  .regex(/^\/[A-Za-z0-9._/-]*$/, 'must be an absolute path of letters, digits, . _ - /');

export const screenCaptureOptions = z.object({
  display: displayName,
  frameRate: z.number().int().min(1).max(30),
  quality: z.enum(['low', 'medium', 'high']),
  segmentSeconds: z.number().min(1).max(300),
  workDir,
  clock: z.custom<() => number>((value) => typeof value === 'function', 'must be a function'),
  ffmpegPath: z.string().min(1).max(4096).optional(),
  log: z
    .custom<(line: string) => void>((value) => typeof value === 'function', 'must be a function')
    .optional(),
  idleSegmentSeconds: z.number().min(10).max(3600).optional(),
  maxSegmentBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(12 * 1024 * 1024)
    .optional(),
});

const coordinate = z.number().finite().min(-65536).max(65536);
export const maskRect = z.object({
  x: coordinate,
  y: coordinate,
  width: z.number().finite().min(0).max(65536),
  height: z.number().finite().min(0).max(65536),
});
/** A bound on what one call may pass; more windows than this is a bug upstream. */
export const MAX_MASK_INPUT = 1000;
export const maskRects = z.array(maskRect).max(MAX_MASK_INPUT);

export function describeZodError(what: string, error: z.ZodError): Error {
  const first = error.issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  return new TypeError(`${what}: ${first?.message ?? 'invalid'}${where}`);
}
