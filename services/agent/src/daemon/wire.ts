/**
 * The local protocol between `sessionrec-agent shell` (the wrapper, running as the
 * user) and `sessionrec-agent run` (the daemon, holding the agent credential): one JSON
 * object per line over the daemon's Unix socket. The wrapper never sees the credential
 * and the daemon trusts nothing it says about who it is (it reads the peer's uid from
 * the kernel); every line is bounded and validated before anything acts on it.
 */
import { EVENT_TYPE_NAMES } from '@sessionrec/contracts';
import { z } from 'zod';

export const WIRE_VERSION = 1;
/** A cast segment is at most 1 MiB of text, base64 adds a third: one line stays below 2 MiB. */
export const MAX_LINE_BYTES = 2 * 1024 * 1024;
export const MAX_SEGMENT_TEXT_BYTES = 1024 * 1024;

const attributeValue = z.union([z.string().max(8192), z.number(), z.boolean(), z.null()]);

// Messages the terminal wrapper and the desktop session send and receive alike.

/** Session to daemon: events seen, times relative to the session start. */
export const eventsMessage = z.strictObject({
  t: z.literal('events'),
  events: z
    .array(
      z.strictObject({
        type: z.enum(EVENT_TYPE_NAMES),
        offsetMs: z.number().int().nonnegative(),
        attributes: z.record(z.string().max(64), attributeValue),
      }),
    )
    .min(1)
    .max(500),
});

/** Session to daemon: network-quality samples of the user's connection. */
export const metricsMessage = z.strictObject({
  t: z.literal('metrics'),
  samples: z
    .array(
      z.strictObject({
        offsetMs: z.number().int().nonnegative(),
        rttMs: z.number().nonnegative(),
        jitterMs: z.number().nonnegative(),
        retransmits: z.number().int().nonnegative(),
        throughputBps: z.number().nonnegative(),
      }),
    )
    .min(1)
    .max(500),
});

/** Session to daemon: how a control command went. */
export const verdictMessage = z.strictObject({
  t: z.literal('verdict'),
  commandId: z.string().min(1).max(64),
  status: z.enum(['acked', 'failed']),
  detail: z.string().max(2000).optional(),
});

/** Daemon to session: a control command to carry out. */
export const commandMessage = z.strictObject({
  t: z.literal('command'),
  commandId: z.string().min(1).max(64),
  action: z.enum(['lock', 'unlock', 'disconnect', 'logoff', 'block-transfer', 'notice']),
  message: z.string().max(4000).optional(),
});

/** Wrapper to daemon. */
export const wrapperMessage = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('hello'),
    v: z.literal(WIRE_VERSION),
    /** The wrapper's own pid: the daemon checks it against the socket's peer. */
    pid: z.number().int().positive(),
    /** Whether the session has a terminal (interactive) or runs a command without one. */
    interactive: z.boolean(),
    /** $SSH_CONNECTION: "client-ip client-port server-ip server-port". */
    sshConnection: z.string().max(256).optional(),
    /** $SSH_ORIGINAL_COMMAND or the -c command, shortened. */
    command: z.string().max(8192).optional(),
    width: z.number().int().min(1).max(1000),
    height: z.number().int().min(1).max(1000),
  }),
  z.strictObject({
    t: z.literal('resume'),
    v: z.literal(WIRE_VERSION),
    pid: z.number().int().positive(),
    sessionId: z.uuid(),
    /** The secret the daemon handed out in its welcome. */
    token: z.string().min(32).max(128),
  }),
  z.strictObject({
    /**
     * The session's first process (the shell in the PTY, or the command): its
     * descendants' execs are the session's commands. The daemon checks it is the
     * wrapper's child.
     */
    t: z.literal('root'),
    pid: z.number().int().positive(),
  }),
  z.strictObject({
    /** The wrapper has sent everything of the old recording and records as told now. */
    t: z.literal('switched'),
    ref: z.number().int().nonnegative(),
  }),
  z.strictObject({
    t: z.literal('segment'),
    recordingId: z.uuid(),
    /** Session time of the window this segment covers. */
    startMs: z.number().int().nonnegative(),
    endMs: z.number().int().nonnegative(),
    /** asciicast v2 lines, base64 (the header line opens a recording's first segment). */
    data: z.base64().max(Math.ceil((MAX_SEGMENT_TEXT_BYTES * 4) / 3) + 4),
  }),
  eventsMessage,
  metricsMessage,
  verdictMessage,
  z.strictObject({
    t: z.literal('end'),
    offsetMs: z.number().int().nonnegative(),
    reason: z.string().min(1).max(64),
  }),
]);
export type WrapperMessage = z.infer<typeof wrapperMessage>;

/** What the wrapper must do about recording, decided by the daemon from policy. */
export const recordingState = z.strictObject({
  recordingId: z.uuid().nullable(),
  /** Record keystrokes too (never those typed while the terminal does not echo). */
  inputCapture: z.boolean(),
});

/** Daemon to wrapper. */
export const daemonMessage = z.discriminatedUnion('t', [
  z.strictObject({
    t: z.literal('welcome'),
    sessionId: z.uuid(),
    /** Proves the session is this wrapper's when it reconnects after a daemon restart. */
    resumeToken: z.string().min(32).max(128),
    user: z.string(),
    recording: recordingState,
    notice: z.string().max(4000).optional(),
    idleSeconds: z.number().positive(),
    segmentSeconds: z.number().positive(),
    metricSeconds: z.number().positive(),
    /** The daemon sees every exec from the kernel: the wrapper need not report commands. */
    execTracing: z.boolean().optional(),
  }),
  z.strictObject({ t: z.literal('refused'), message: z.string().max(2000) }),
  z.strictObject({
    t: z.literal('recording'),
    recording: recordingState,
    /** Answered with `switched` carrying the same ref. */
    ref: z.number().int().nonnegative(),
  }),
  z.strictObject({ t: z.literal('resumed'), recording: recordingState }),
  commandMessage,
]);
export type DaemonMessage = z.infer<typeof daemonMessage>;

/**
 * Splits a byte stream into lines, refusing (through onError) a line longer than the
 * limit instead of buffering without end.
 */
export class LineReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onError: (message: string) => void,
    private readonly maxBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      const part = chunk.subarray(start, newline);
      const line = Buffer.concat([...this.buffered, part]);
      this.buffered = [];
      this.bufferedBytes = 0;
      start = newline + 1;
      if (line.length > this.maxBytes) {
        this.onError(`line of ${line.length} bytes exceeds ${this.maxBytes}`);
        return;
      }
      if (line.length > 0) this.onLine(line.toString('utf8'));
    }
    const rest = chunk.subarray(start);
    this.bufferedBytes += rest.length;
    if (this.bufferedBytes > this.maxBytes) {
      this.onError(`line exceeds ${this.maxBytes} bytes`);
      this.buffered = [];
      this.bufferedBytes = 0;
      return;
    }
    if (rest.length > 0) this.buffered.push(Buffer.from(rest));
  }
}

export function decode<T>(
  schema: z.ZodType<T>,
  line: string,
): { ok: true; value: T } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join('.') || '(message)'}: ${issue?.message}` };
  }
  return { ok: true, value: parsed.data };
}
