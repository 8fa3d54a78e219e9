/**
 * The local protocol between `sessionrec-agent desktop` (the desktop session process,
 * running as the user inside their X session) and the daemon: NDJSON like the terminal
 * wrapper's (wire.ts), on a socket of its own, because screen segments are binary fMP4
 * (an init, then media fragments) and far larger than cast text. They travel base64 in
 * lines bounded by MAX_DESKTOP_LINE_BYTES; the terminal protocol and its limits stay as
 * they are. Every line is validated before anything acts on it.
 */
import { z } from 'zod';
import {
  commandMessage,
  eventsMessage,
  metricsMessage,
  verdictMessage,
  WIRE_VERSION,
} from './wire';

/** Ingest takes segments up to 16 MiB; the agent cuts desktop segments well below that. */
export const MAX_SCREEN_SEGMENT_BYTES = 16 * 1024 * 1024;
/** One line: a whole segment in base64 plus its JSON envelope. */
export const MAX_DESKTOP_LINE_BYTES = Math.ceil((MAX_SCREEN_SEGMENT_BYTES * 4) / 3) + 64 * 1024;

const offsetMs = z.number().int().nonnegative();

/** Desktop session to daemon. */
export const desktopMessage = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('hello'),
    v: z.literal(WIRE_VERSION),
    pid: z.number().int().positive(),
    /** The X display the session records, e.g. ":10". */
    display: z.string().regex(/^[a-zA-Z0-9.\-_]*:\d{1,5}(\.\d{1,3})?$/),
    width: z.number().int().min(1).max(16384),
    height: z.number().int().min(1).max(16384),
    /** Address of the remote-display client (RDP, VNC, X forwarding), when known. */
    clientAddress: z.string().max(64).optional(),
  }),
  z.strictObject({
    t: z.literal('resume'),
    v: z.literal(WIRE_VERSION),
    pid: z.number().int().positive(),
    sessionId: z.uuid(),
    token: z.string().min(32).max(128),
  }),
  z.strictObject({ t: z.literal('switched'), ref: z.number().int().nonnegative() }),
  z.strictObject({
    t: z.literal('segment'),
    recordingId: z.uuid(),
    kind: z.enum(['init', 'media']),
    startMs: offsetMs,
    endMs: offsetMs,
    data: z.base64().max(Math.ceil((MAX_SCREEN_SEGMENT_BYTES * 4) / 3) + 4),
  }),
  z.strictObject({
    /**
     * `focus`: the focused application changed; `opened`: an application opened its first
     * window (it may never take the focus: a clock, a viewer). Policy may record, arm or
     * mask differently for it.
     */
    t: z.enum(['focus', 'opened']),
    offsetMs,
    app: z.string().min(1).max(512),
  }),
  eventsMessage,
  metricsMessage,
  verdictMessage,
  z.strictObject({ t: z.literal('end'), offsetMs, reason: z.string().min(1).max(64) }),
  z.strictObject({
    /**
     * Screen capture stopped on its own (ffmpeg failed for good, or the display's picture
     * format changed so later segments would not play after this recording's init).
     * `restartable`: a new recording (new init) can go on.
     */
    t: z.literal('capture-stopped'),
    offsetMs,
    reason: z.string().min(1).max(500),
    restartable: z.boolean(),
  }),
]);
export type DesktopMessage = z.infer<typeof desktopMessage>;

export const desktopCapture = z.strictObject({
  frameRate: z.number().int().min(1).max(30),
  quality: z.enum(['low', 'medium', 'high']),
  /** Globs of applications whose windows are masked before encoding. */
  excludedApplications: z.array(z.string().max(512)).max(1000),
});
export type DesktopCapture = z.infer<typeof desktopCapture>;

/** What the desktop session must capture, decided by the daemon from policy. */
export const desktopRecordingState = z.strictObject({
  recordingId: z.uuid().nullable(),
  capture: desktopCapture,
  /**
   * Record-on-event is armed: capture into a local rolling buffer of at most this long and
   * this many bytes, uploaded only if a trigger fires (then a recording id arrives).
   */
  preEvent: z
    .strictObject({
      ms: z.number().int().nonnegative(),
      maxBytes: z.number().int().positive(),
    })
    .nullable(),
});
export type DesktopRecordingState = z.infer<typeof desktopRecordingState>;

export const desktopStorage = z.strictObject({
  /** Mount point globs whose writes are file.write.removable. */
  removable: z.array(z.string().max(512)).max(200),
  /** Mount point globs whose writes are file.write.network. */
  network: z.array(z.string().max(512)).max(200),
});
export type DesktopStorage = z.infer<typeof desktopStorage>;

/** Daemon to desktop session. */
export const desktopDaemonMessage = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('welcome'),
    sessionId: z.uuid(),
    resumeToken: z.string().min(32).max(128),
    user: z.string(),
    recording: desktopRecordingState,
    notice: z.string().max(4000).optional(),
    idleSeconds: z.number().positive(),
    segmentSeconds: z.number().positive(),
    metricSeconds: z.number().positive(),
    /**
     * The daemon samples the remote-display connection itself (a local display: it can tell
     * which connection is this display's); the session samples only when this is absent.
     */
    metricsByDaemon: z.boolean().optional(),
    storage: desktopStorage,
  }),
  z.strictObject({ t: z.literal('refused'), message: z.string().max(2000) }),
  z.strictObject({
    t: z.literal('recording'),
    recording: desktopRecordingState,
    ref: z.number().int().nonnegative(),
  }),
  z.strictObject({ t: z.literal('resumed'), recording: desktopRecordingState }),
  /**
   * The detection settings in force, after a policy change or a resume: the idle threshold
   * and the mounts whose writes are reported. (Which events are reported, and whether titles
   * and command lines are, the daemon applies itself to everything the session sends.)
   */
  z.strictObject({
    t: z.literal('detection'),
    idleSeconds: z.number().positive(),
    storage: desktopStorage,
  }),
  commandMessage,
]);
export type DesktopDaemonMessage = z.infer<typeof desktopDaemonMessage>;

/** Capture settings when policy gives none. */
export const DEFAULT_DESKTOP_CAPTURE: DesktopCapture = {
  frameRate: 5,
  quality: 'medium',
  excludedApplications: [],
};
