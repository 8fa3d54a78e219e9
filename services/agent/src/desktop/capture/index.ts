/** Screen capture of an X11 display for the desktop session: see docs/agent-desktop.md. */
export {
  type CaptureQuality,
  type CapturedSegment,
  CaptureFailedError,
  InitChangedError,
  type MaskRect,
  type ScreenCaptureOptions,
} from './types';
export { ScreenCapture } from './screen-capture';
export { QUALITY_SETTINGS } from './ffmpeg-args';
